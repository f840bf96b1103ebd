/**
 * Which exclusions apply to a device: pure functions shared by both store implementations and by
 * whoever filters hunt results (hunts, `check`, watches).
 *
 * Telemetry is written by the adversary: a device's name is never read as a pattern. An exclusion
 * is one of three kinds ({@link exclusionKind}):
 * - `device` (made from a card's row): binds the row's `DeviceId` and hides that device, whatever it
 *   is called, and no other. The name shown on the row is recorded with it; another device that
 *   bears that name is shown, with a note ({@link namesakeExclusions}).
 * - `pattern` (typed by a responder: `exclude device IT-ADM-* …`): `*` matches any run of characters,
 *   including none and including dots; `?` matches exactly one character; every other character
 *   matches itself (no escape, no character class). It matches the whole device name or — when the
 *   pattern has no dot — the name's host label (the part before the first dot), so `WS-FIN-014`
 *   covers the Defender FQDN `ws-fin-014.contoso.local` and `IT-ADM-*` covers `it-adm-07` and
 *   `it-adm-07.corp.example`.
 * - `name` (made from a card's row before exclusions bound device ids, whose finding is gone): the
 *   recorded name, literally — `*` and `?` are plain characters — and only the whole name.
 *
 * Names are compared case-insensitively, after Unicode NFC normalisation. A valid pattern is 1–255
 * characters with no whitespace or control characters, and at least one letter or digit: `*` alone
 * (or `*.*`) would hide every device and is refused.
 */
import type { Exclusion } from './store';

const MAX_PATTERN = 255;

/** The longest device name an exclusion records (longer names are cut: the record is for people). */
export const MAX_RECORDED_NAME = 1024;

/** How an exclusion picks devices (see the module's semantics). */
export type ExclusionKind = 'device' | 'pattern' | 'name';

/** The kind of an exclusion. */
export function exclusionKind(exclusion: Pick<Exclusion, 'deviceId' | 'source'>): ExclusionKind {
  if (exclusion.deviceId !== undefined) return 'device';
  return exclusion.source ? 'name' : 'pattern';
}

/** Why a pattern is not acceptable, or `undefined` when it is. */
export function patternProblem(pattern: string): string | undefined {
  if (pattern.length === 0) return 'the device pattern is empty';
  if (pattern.length > MAX_PATTERN) return `the device pattern is longer than ${MAX_PATTERN} characters`;
  if (/[\s\p{Cc}]/u.test(pattern)) return 'the device pattern contains whitespace or control characters';
  if (!/[\p{L}\p{N}]/u.test(pattern)) return 'the device pattern must contain at least one letter or digit';
  return undefined;
}

function fold(text: string): string[] {
  return Array.from(text.normalize('NFC').toLowerCase());
}

/** Wildcard match of a whole string, linear in practice (backtracks only to the last `*`). */
function globMatch(pattern: readonly string[], text: readonly string[]): boolean {
  let p = 0;
  let t = 0;
  let star = -1;
  let resume = 0;
  while (t < text.length) {
    const c = pattern[p];
    if (c !== undefined && c !== '*' && (c === '?' || c === text[t])) {
      p++;
      t++;
    } else if (c === '*') {
      star = p++;
      resume = t;
    } else if (star >= 0) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}

/** True when a typed `pattern` (see the module's semantics) covers `deviceName`. */
export function patternMatches(pattern: string, deviceName: string): boolean {
  const folded = fold(pattern);
  const name = fold(deviceName);
  if (globMatch(folded, name)) return true;
  if (folded.includes('.')) return false;
  const dot = name.indexOf('.');
  return dot > 0 && globMatch(folded, name.slice(0, dot));
}

/** True when two device names are the same text (any case, NFC): no character is special. */
export function sameName(a: string, b: string): boolean {
  return a.normalize('NFC').toLowerCase() === b.normalize('NFC').toLowerCase();
}

/** True when the exclusion applies at `now`: not removed and not yet expired. */
export function isActive(exclusion: Exclusion, now: Date): boolean {
  if (exclusion.removedAt !== undefined) return false;
  return exclusion.expiresAt === null || exclusion.expiresAt.getTime() > now.getTime();
}

/** The device a hunt found, and when the question is asked. */
export interface ExclusionQuery {
  readonly deviceId: string;
  readonly deviceName: string;
  readonly toolId: string;
  readonly now: Date;
}

function applies(exclusion: Exclusion, query: ExclusionQuery): boolean {
  return isActive(exclusion, query.now) && (exclusion.scope.kind === 'all' || exclusion.scope.toolId === query.toolId);
}

/** True when the exclusion (active or not) picks the device, by its kind. */
export function picks(exclusion: Exclusion, device: Pick<ExclusionQuery, 'deviceId' | 'deviceName'>): boolean {
  switch (exclusionKind(exclusion)) {
    case 'device':
      return exclusion.deviceId === device.deviceId;
    case 'name':
      return sameName(exclusion.pattern, device.deviceName);
    case 'pattern':
      return patternMatches(exclusion.pattern, device.deviceName);
  }
}

/**
 * The first exclusion (in the order given) that applies to the device for that tool at that time,
 * or `undefined` when the device is not excluded.
 */
export function findExclusion(exclusions: readonly Exclusion[], query: ExclusionQuery): Exclusion | undefined {
  return exclusions.find((exclusion) => applies(exclusion, query) && picks(exclusion, query));
}

/** True when some exclusion applies to the device for that tool at that time. */
export function isExcluded(exclusions: readonly Exclusion[], query: ExclusionQuery): boolean {
  return findExclusion(exclusions, query) !== undefined;
}

/**
 * The device exclusions that apply for that tool at that time to another device bearing this
 * device's name: the device is shown, and its card says its name matches an exclusion for another
 * device.
 */
export function namesakeExclusions(exclusions: readonly Exclusion[], query: ExclusionQuery): Exclusion[] {
  return exclusions.filter(
    (exclusion) =>
      exclusionKind(exclusion) === 'device' && exclusion.deviceId !== query.deviceId && applies(exclusion, query) && sameName(exclusion.pattern, query.deviceName),
  );
}
