/**
 * Per-user limits on the work that reaches the backend (hunts, checks, Details, creating a watch):
 * a rate per user (`HUNT_USER_RATE`, default 10 a minute) and caps on the work pending per
 * conversation (`HUNT_PENDING_PER_CONVERSATION`, default 10) and in all (`HUNT_PENDING_MAX`, default
 * 50), so that one user cannot fill the backend's concurrency slots and queue (on Log Analytics: 5
 * running, then "throttled" for everyone). A route opts in with `limited: true`; the pipeline takes
 * a slot before the route's work and gives it back when the work ends. The rate is
 * `rate-limiter-flexible`'s in-memory limiter; the limits hold per bot instance.
 */
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';

/** The limits. */
export interface HuntLimits {
  /** Limited requests a user may make in a minute. */
  readonly userPerMinute: number;
  /** Limited work pending (running or queued) in one conversation. */
  readonly pendingPerConversation: number;
  /** Limited work pending in all. */
  readonly pendingTotal: number;
}

/** The documented defaults. */
export const DEFAULT_HUNT_LIMITS: HuntLimits = Object.freeze({ userPerMinute: 10, pendingPerConversation: 10, pendingTotal: 50 });

/** A slot comes back when its work ends, or after this long at the latest (work a transport never ran). */
export const SLOT_TIMEOUT_MS = 15 * 60_000;

/** Why a request was refused. */
export type LimitRefusal =
  | { readonly kind: 'user-rate'; readonly limit: number; readonly retryAfterMs: number }
  | { readonly kind: 'conversation'; readonly limit: number }
  | { readonly kind: 'total'; readonly limit: number };

/** A slot taken (give it back with `release`, once), or the refusal. */
export type Slot = { readonly ok: true; readonly release: () => void } | { readonly ok: false; readonly refusal: LimitRefusal };

/** Who asks and where: keys chosen by the caller (the tenant included). */
export interface LimitKeys {
  readonly user: string;
  readonly conversation: string;
}

/** Hands out slots within the limits. */
export class HuntLimiter {
  private readonly rate: RateLimiterMemory;
  private readonly pending = new Map<symbol, { readonly conversation: string; readonly expires: number }>();

  constructor(
    readonly limits: HuntLimits = DEFAULT_HUNT_LIMITS,
    private readonly now: () => number = Date.now,
  ) {
    this.rate = new RateLimiterMemory({ points: limits.userPerMinute, duration: 60 });
  }

  /**
   * Takes a slot for `keys`, or says why not: the caps first (a refusal by a cap costs no rate
   * point), the slot held while the rate is asked so that concurrent calls cannot pass a cap together.
   */
  async acquire(keys: LimitKeys): Promise<Slot> {
    const now = this.now();
    for (const [token, slot] of this.pending) if (slot.expires <= now) this.pending.delete(token);
    const { limits } = this;
    if (this.pending.size >= limits.pendingTotal) return { ok: false, refusal: { kind: 'total', limit: limits.pendingTotal } };
    const here = [...this.pending.values()].filter((slot) => slot.conversation === keys.conversation).length;
    if (here >= limits.pendingPerConversation) return { ok: false, refusal: { kind: 'conversation', limit: limits.pendingPerConversation } };
    const token = Symbol('slot');
    this.pending.set(token, { conversation: keys.conversation, expires: now + SLOT_TIMEOUT_MS });
    try {
      await this.rate.consume(keys.user);
    } catch (rejection) {
      this.pending.delete(token);
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      return { ok: false, refusal: { kind: 'user-rate', limit: limits.userPerMinute, retryAfterMs: rejection.msBeforeNext } };
    }
    return { ok: true, release: () => void this.pending.delete(token) };
  }
}
