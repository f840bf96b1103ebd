/**
 * Outbox retry policy: defaults, validation and backoff.
 */
import { backoffMs, resolveOutboxPolicy } from '../../src/store/outbox-policy';
import { DEFAULT_OUTBOX_POLICY } from '../../src/store/store';

describe('outbox policy', () => {
  it('fills defaults and refuses nonsense', () => {
    expect(resolveOutboxPolicy()).toEqual(DEFAULT_OUTBOX_POLICY);
    expect(resolveOutboxPolicy({ maxAttempts: 3 })).toEqual({ ...DEFAULT_OUTBOX_POLICY, maxAttempts: 3 });
    expect(() => resolveOutboxPolicy({ leaseMs: 0 })).toThrow(/leaseMs/);
    expect(() => resolveOutboxPolicy({ baseDelayMs: 1.5 })).toThrow(/baseDelayMs/);
  });

  it('doubles the delay per attempt up to the cap, and honours a longer Retry-After', () => {
    const policy = resolveOutboxPolicy({ baseDelayMs: 1000, maxDelayMs: 10_000 });
    expect([1, 2, 3, 4, 5, 60].map((attempts) => backoffMs(policy, attempts))).toEqual([1000, 2000, 4000, 8000, 10_000, 10_000]);
    expect(backoffMs(policy, 1, 30_000)).toBe(30_000);
    expect(backoffMs(policy, 3, 500)).toBe(4000);
    expect(backoffMs(policy, 1, Number.NaN)).toBe(1000);
  });
});
