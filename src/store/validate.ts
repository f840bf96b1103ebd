/**
 * Input checks shared by both implementations, so that they refuse exactly the same things.
 */
import { patternProblem } from './exclusion-match';
import type { IncidentClose, IncidentFollowUp, NewAuditEntry, NewExclusion, NewHunt, StoredFinding } from './store';
import { StoreError } from './store-error';

const ROW_KEY = /^[A-Za-z0-9._:-]{1,128}$/;
const MAX_KEY = 1024;

/** An idempotency key, team or lookup key: non-empty, at most 1024 characters. */
export function checkKey(what: string, value: string): void {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_KEY) {
    throw new StoreError('invalid', `${what} must be 1-${MAX_KEY} characters`);
  }
}

/** True when `huntId` has the shape of the ids the store makes (anything else names no hunt). */
export function isHuntId(huntId: string): boolean {
  return typeof huntId === 'string' && /^[A-Za-z0-9_-]{12}$/.test(huntId);
}

/** True when `rowKey` has the shape of a finding's row key (callers use it to reject forged data early). */
export function isRowKey(rowKey: string): boolean {
  return typeof rowKey === 'string' && ROW_KEY.test(rowKey);
}

function checkDate(what: string, value: Date): void {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) throw new StoreError('invalid', `${what} is not a valid date`);
}

/** Checks a hunt to create. */
export function checkNewHunt(hunt: NewHunt): void {
  checkKey('tool id', hunt.request.toolId);
  if (!Number.isSafeInteger(hunt.request.windowMs) || hunt.request.windowMs <= 0) {
    throw new StoreError('invalid', 'the hunt window must be a positive whole number of milliseconds');
  }
}

/** Checks findings: valid, unique row keys and sane values. */
export function checkFindings(findings: readonly StoredFinding[]): void {
  const seen = new Set<string>();
  for (const finding of findings) {
    if (!isRowKey(finding.rowKey)) throw new StoreError('invalid', `row key '${String(finding.rowKey).slice(0, 40)}' is malformed`);
    if (seen.has(finding.rowKey)) throw new StoreError('invalid', `row key '${finding.rowKey}' is used twice`);
    seen.add(finding.rowKey);
    checkDate('firstSeen', finding.firstSeen);
    checkDate('lastSeen', finding.lastSeen);
    if (!Number.isSafeInteger(finding.count) || finding.count < 0) throw new StoreError('invalid', 'a finding count is not a whole number');
  }
}

/** Checks an exclusion to add. */
export function checkNewExclusion(exclusion: NewExclusion): void {
  checkKey('exclusion key', exclusion.key);
  const problem = patternProblem(exclusion.pattern);
  if (problem) throw new StoreError('invalid', problem);
  if (exclusion.scope.kind === 'tool') checkKey('tool id', exclusion.scope.toolId);
  if (exclusion.expiresAt !== null) checkDate('expiresAt', exclusion.expiresAt);
  if (exclusion.source && !isRowKey(exclusion.source.rowKey)) throw new StoreError('not-found', 'no such finding');
}

/** Checks an audit entry. */
export function checkAuditEntry(entry: NewAuditEntry): void {
  checkKey('audit action', entry.action);
  if (!['ok', 'refused', 'failed'].includes(entry.outcome)) throw new StoreError('invalid', 'unknown audit outcome');
}

/** Checks an incident number. */
export function checkIncidentNumber(number: number): void {
  if (!Number.isSafeInteger(number) || number < 1) throw new StoreError('invalid', 'an incident number is a positive integer');
}

/** Clamps a list limit to 1..max, with a default. */
export function clampLimit(limit: number | undefined, fallback: number, max: number): number {
  if (limit === undefined || !Number.isFinite(limit)) return fallback;
  return Math.min(max, Math.max(1, Math.floor(limit)));
}

/** Checks how an incident is closed (the follow-ups are checked when they are built, {@link checkFollowUps}). */
export function checkIncidentClose(close: IncidentClose | undefined): void {
  if (close === undefined) return;
  checkKey('close reason', close.reason);
  if (close.note !== undefined && (typeof close.note !== 'string' || close.note.length > MAX_KEY * 4)) {
    throw new StoreError('invalid', `a close note must be at most ${MAX_KEY * 4} characters`);
  }
}

/** Checks the messages an incident's close enqueues: replies or Sentinel calls. */
export function checkFollowUps(messages: readonly IncidentFollowUp[]): void {
  for (const message of messages) {
    if (message.kind !== 'reply' && message.kind !== 'sentinel') throw new StoreError('invalid', 'a close enqueues replies and Sentinel calls only');
  }
}
