/**
 * What exclusions apply to a device (pure functions): device exclusions by DeviceId, typed patterns
 * by name, exclusions stored before device ids by their recorded name read literally.
 */
import fc from 'fast-check';
import { exclusionKind, findExclusion, isActive, isExcluded, namesakeExclusions, patternMatches, patternProblem } from '../../src/store/exclusion-match';
import type { Exclusion } from '../../src/store/store';

const at = (iso: string): Date => new Date(iso);
const alice = { aadObjectId: 'aad-alice', name: 'Alice' };

function exclusion(overrides: Partial<Exclusion>): Exclusion {
  return {
    id: 'x1',
    key: 'k1',
    pattern: 'IT-ADM-*',
    scope: { kind: 'all' },
    reason: 'IT admin workstations',
    createdBy: alice,
    createdAt: at('2026-01-01T00:00:00Z'),
    expiresAt: null,
    ...overrides,
  };
}

describe('patternMatches', () => {
  it.each([
    ['IT-ADM-*', 'IT-ADM-07', true],
    ['IT-ADM-*', 'it-adm-07.corp.example', true],
    ['IT-ADM-*', 'IT-ADM-', true],
    ['IT-ADM-*', 'XIT-ADM-07', false],
    ['WS-FIN-014', 'ws-fin-014.contoso.local', true],
    ['WS-FIN-014', 'WS-FIN-0145', false],
    ['WS-FIN-014', 'ws-fin-014x.contoso.local', false],
    ['ws-fin-014.contoso.local', 'WS-FIN-014.CONTOSO.LOCAL', true],
    ['ws-fin-014.contoso.local', 'ws-fin-014', false],
    ['*-SRV', 'app-srv.corp.example', true],
    ['*-SRV', 'app-srv-2.corp.example', false],
    ['WS-???-014', 'ws-fin-014', true],
    ['WS-???-014', 'ws-fi-014', false],
    ['*adm*', 'corp-admin-01', true],
    ['a*b*c', 'aXXbYYbZZc', true],
    ['a*b*c', 'aXXbYYbZZ', false],
    ['DWSNET-ÖÜ-*', 'dwsnet-öü-01', true],
    ['.*', 'anything', false],
  ])('%s against %s is %s', (pattern, name, expected) => {
    expect(patternMatches(pattern, name)).toBe(expected);
  });

  it('stays fast on patterns that make regular expressions backtrack', () => {
    const started = process.hrtime.bigint();
    expect(patternMatches(`${'*a'.repeat(60)}*b`, 'a'.repeat(255))).toBe(false);
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(1000);
  });

  it('matches any ASCII name by itself, its other case, and a star around any part of it', () => {
    const name = fc.stringMatching(/^[A-Za-z0-9-]{1,30}(\.[a-z]{2,8}){0,2}$/);
    fc.assert(
      fc.property(name, fc.nat(), fc.nat(), (device, i, j) => {
        const [from, to] = [i % (device.length + 1), j % (device.length + 1)].sort((a, b) => a - b) as [number, number];
        const starred = `${device.slice(0, from)}*${device.slice(to)}`;
        return patternMatches(device, device) && patternMatches(device.toUpperCase(), device.toLowerCase()) && patternMatches(starred, device);
      }),
      { numRuns: 2000 },
    );
  });

  it('agrees with an independent regular-expression reading of the semantics', () => {
    const alphabet = fc.constantFrom('a', 'b', '.', '-');
    const pattern = fc.array(fc.constantFrom('a', 'b', '.', '-', '*', '?'), { minLength: 1, maxLength: 8 }).map((cs) => cs.join(''));
    const device = fc.array(alphabet, { maxLength: 10 }).map((cs) => cs.join(''));
    const reference = (p: string, d: string): boolean => {
      const regex = new RegExp(`^${p.replace(/[.-]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 's');
      const host = d.indexOf('.') > 0 ? d.slice(0, d.indexOf('.')) : undefined;
      return regex.test(d) || (!p.includes('.') && host !== undefined && regex.test(host));
    };
    fc.assert(fc.property(pattern, device, (p, d) => patternMatches(p, d) === reference(p, d)), { numRuns: 5000 });
  });
});

describe('patternProblem', () => {
  it.each(['IT-ADM-*', 'WS-FIN-014', 'a*', '*.contoso.local', 'Krämer-01'])('accepts %s', (pattern) => {
    expect(patternProblem(pattern)).toBeUndefined();
  });

  it.each(['', '*', '**', '*.*', '?', 'two words', 'tab\tx', 'nl\nx', 'x'.repeat(256)])('refuses %j', (pattern) => {
    expect(patternProblem(pattern)).toEqual(expect.any(String));
  });
});

describe('findExclusion', () => {
  it('applies by tool scope, expiry and removal', () => {
    const now = at('2026-01-10T00:00:00Z');
    const kaseyaOnly = exclusion({ id: 'k', pattern: 'MGMT-*', scope: { kind: 'tool', toolId: 'kaseya' } });
    const expired = exclusion({ id: 'e', pattern: 'WS-*', expiresAt: at('2026-01-10T00:00:00Z') });
    const removed = exclusion({ id: 'r', pattern: 'LAB-*', removedAt: at('2026-01-05T00:00:00Z'), removedBy: alice });
    const all = [kaseyaOnly, expired, removed];
    expect(findExclusion(all, { deviceId: 'dev-x', deviceName: 'mgmt-01', toolId: 'kaseya', now })?.id).toBe('k');
    expect(isExcluded(all, { deviceId: 'dev-x', deviceName: 'mgmt-01', toolId: 'anydesk', now })).toBe(false);
    expect(isExcluded(all, { deviceId: 'dev-x', deviceName: 'ws-01', toolId: 'kaseya', now })).toBe(false);
    expect(isExcluded(all, { deviceId: 'dev-x', deviceName: 'ws-01', toolId: 'kaseya', now: at('2026-01-09T23:59:59.999Z') })).toBe(true);
    expect(isExcluded(all, { deviceId: 'dev-x', deviceName: 'lab-01', toolId: 'kaseya', now })).toBe(false);
    expect(isActive(removed, at('2026-01-01T00:00:00Z'))).toBe(false);
  });

  it('returns the first applying exclusion in the given order', () => {
    const now = at('2026-01-10T00:00:00Z');
    const broad = exclusion({ id: 'broad', pattern: 'IT-*' });
    const narrow = exclusion({ id: 'narrow', pattern: 'IT-ADM-01' });
    expect(findExclusion([broad, narrow], { deviceId: 'dev-x', deviceName: 'it-adm-01', toolId: 'x', now })?.id).toBe('broad');
    expect(findExclusion([narrow, broad], { deviceId: 'dev-x', deviceName: 'it-adm-01', toolId: 'x', now })?.id).toBe('narrow');
  });
});

describe('what an exclusion binds', () => {
  const now = at('2026-01-10T00:00:00Z');
  const source = { huntId: 'h1', rowKey: '0' };
  const device = (deviceId: string, deviceName: string) => ({ deviceId, deviceName, toolId: 'kaseya', now });

  it('a device exclusion hides its DeviceId under any name, and no other device of its name', () => {
    const bound = exclusion({ id: 'd', pattern: 'ws*', deviceId: 'dev-a', source });
    expect(exclusionKind(bound)).toBe('device');
    expect(isExcluded([bound], device('dev-a', 'ws*'))).toBe(true);
    expect(isExcluded([bound], device('dev-a', 'renamed-01'))).toBe(true);
    expect(isExcluded([bound], device('dev-b', 'ws-fin-014'))).toBe(false);
    expect(isExcluded([bound], device('dev-b', 'ws*'))).toBe(false);
    expect(namesakeExclusions([bound], device('dev-b', 'WS*')).map((e) => e.id)).toEqual(['d']);
    expect(namesakeExclusions([bound], device('dev-b', 'ws-fin-014'))).toEqual([]);
    expect(namesakeExclusions([bound], device('dev-a', 'ws*'))).toEqual([]);
  });

  it('a name a telemetry row gave is literal: * and ? are plain characters, and only the whole name matches', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 20 }), fc.string({ maxLength: 20 }), (name, other) => {
        const legacy = exclusion({ pattern: name, source });
        const bound = exclusion({ pattern: name, deviceId: 'dev-a', source });
        const same = name.normalize('NFC').toLowerCase() === other.normalize('NFC').toLowerCase();
        return (
          exclusionKind(legacy) === 'name' &&
          isExcluded([legacy], device('dev-z', other)) === same &&
          isExcluded([bound], device('dev-z', other)) === false &&
          (namesakeExclusions([bound], device('dev-z', other)).length === 1) === same
        );
      }),
      { numRuns: 3000 },
    );
    const legacy = exclusion({ pattern: 'WS-FIN-014', source });
    expect(isExcluded([legacy], device('dev-z', 'ws-fin-014'))).toBe(true);
    expect(isExcluded([legacy], device('dev-z', 'ws-fin-014.contoso.local'))).toBe(false);
  });

  it('a typed pattern is the only kind with wildcards', () => {
    const typed = exclusion({ pattern: 'WS-*' });
    expect(exclusionKind(typed)).toBe('pattern');
    expect(isExcluded([typed], device('dev-z', 'ws-fin-014.contoso.local'))).toBe(true);
    expect(namesakeExclusions([typed], device('dev-z', 'WS-*'))).toEqual([]);
  });
});
