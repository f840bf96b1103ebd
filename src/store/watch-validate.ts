/**
 * Input checks for watches, sightings, sanctions and outbox kinds, shared by both implementations so
 * that they refuse exactly the same things.
 */
import type { NewOutboxItem, NewSanction, OutboxKind, NewWatch, NewWatchSighting, WatchBatchKind, WatchRunOutcome } from './store';
import { StoreError } from './store-error';
import { checkKey, isRowKey } from './validate';

/** Most instances a sanction names, and most unsanctioned instances a sighting keeps. */
export const MAX_INSTANCES = 50;

const LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
const HOST_NAME = new RegExp(`^(?=.{1,253}$)${LABEL}(?:\\.${LABEL})*$`);
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** True for a canonical host: a lower-case ASCII host name (IDNs in their `xn--` form) or an IPv4 address. */
export function isHost(text: string): boolean {
  return typeof text === 'string' && (IPV4.test(text) || (HOST_NAME.test(text) && !/^[\d.]+$/.test(text)));
}

/** True when `id` can be a watch number. */
export function isWatchId(id: number): boolean {
  return Number.isSafeInteger(id) && id >= 1;
}

function checkWhole(what: string, value: number, min: number): void {
  if (!Number.isSafeInteger(value) || value < min) throw new StoreError('invalid', `${what} must be a whole number of at least ${min}`);
}

function checkDate(what: string, value: Date): void {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) throw new StoreError('invalid', `${what} is not a valid date`);
}

/** Checks a watch to create. */
export function checkNewWatch(watch: NewWatch): void {
  checkKey('watch key', watch.key);
  checkKey('tenant', watch.tenant);
  checkWhole('the spec version', watch.spec?.version, 1);
  checkWhole('the watch interval (ms)', watch.intervalMs, 1);
  checkWhole('the baseline window (ms)', watch.baselineWindowMs, 1);
  if (watch.firstRunAt !== undefined) checkDate('firstRunAt', watch.firstRunAt);
}

/** Checks how a run ends: valid times. */
export function checkRunOutcome(outcome: WatchRunOutcome): void {
  if (outcome.status !== 'done' && outcome.status !== 'failed') throw new StoreError('invalid', 'unknown watch run status');
  checkDate('nextRunAt', outcome.nextRunAt);
  if (outcome.status === 'done') checkDate('windowEnd', outcome.windowEnd);
}

/** Checks a run key and batch kind. */
export function checkBatch(batch: { readonly runKey: string; readonly kind: WatchBatchKind }): void {
  if (!isRowKey(batch.runKey)) throw new StoreError('invalid', 'a run key is 1-128 characters of A-Z a-z 0-9 . _ : -');
  if (batch.kind !== 'baseline' && batch.kind !== 'new-devices') throw new StoreError('invalid', 'unknown watch batch kind');
}

function checkInstances(what: string, instances: readonly string[]): void {
  if (!Array.isArray(instances) || instances.length > MAX_INSTANCES) throw new StoreError('invalid', `${what}: at most ${MAX_INSTANCES} instances`);
  for (const instance of instances) {
    if (!isHost(instance)) throw new StoreError('invalid', `${what}: '${String(instance).slice(0, 60)}' is not a lower-case host name or IPv4 address`);
  }
  if (new Set(instances).size !== instances.length) throw new StoreError('invalid', `${what}: an instance is named twice`);
}

/** Checks the devices of a run: each device once per tool, sane values. */
export function checkSightings(sightings: readonly NewWatchSighting[]): void {
  const seen = new Set<string>();
  for (const s of sightings) {
    checkKey('device id', s.deviceId);
    checkKey('tool id', s.toolId);
    if (typeof s.deviceName !== 'string') throw new StoreError('invalid', 'a device name is not a string');
    checkDate('firstSeen', s.firstSeen);
    checkDate('lastSeen', s.lastSeen);
    checkWhole('a sighting count', s.count, 0);
    if (s.unsanctionedInstances !== undefined) checkInstances('unsanctioned instances', s.unsanctionedInstances);
    const key = `${s.toolId}\0${s.deviceId}`;
    if (seen.has(key)) throw new StoreError('invalid', `device '${s.deviceId.slice(0, 60)}' is given twice for tool '${s.toolId}'`);
    seen.add(key);
  }
}

/** Checks a sanction to set. */
export function checkNewSanction(sanction: NewSanction): void {
  checkKey('tenant', sanction.tenant);
  checkKey('tool id', sanction.toolId);
  checkKey('sanction reason', sanction.reason);
  checkInstances('sanction', sanction.instances);
}

/** Checks an outbox item's kind: a `post` belongs to no incident. */
export function checkOutboxKind(item: NewOutboxItem): void {
  if (!OUTBOX_KINDS.includes(item.kind)) throw new StoreError('invalid', 'unknown outbox kind');
  if (item.kind === 'post' && item.incidentNumber !== undefined) throw new StoreError('invalid', 'a post belongs to no incident');
}

/** The outbox kinds. */
export const OUTBOX_KINDS: readonly OutboxKind[] = ['new-thread', 'reply', 'post', 'sentinel'];

/** The outbox key of a watch's post for one run. */
export function watchPostKey(id: number, runKey: string): string {
  return `watch:${id}:${runKey}`;
}
