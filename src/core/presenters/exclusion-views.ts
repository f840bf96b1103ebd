/**
 * Exclusions as views: the active ones page by page (each with Remove), the inline Exclude form,
 * and the sentences that say what an exclusion covers and until when. Every list and note says
 * what an exclusion binds: a device (by its id, with the name it was shown under) or a typed
 * name pattern, labelled as one.
 */
import type { Catalog } from '../../hunt/catalog';
import { exclusionKind } from '../../store/exclusion-match';
import type { Exclusion, ExclusionScope } from '../../store/store';
import type { FindingRef } from '../hunt-service';
import type { Page } from '../paging';
import { toolRefName } from '../tool-ref';
import type { ExcludeFormView, ExclusionEntry, ExclusionsView, FormSubject, Note } from '../views';
import { isoSeconds } from './format';

/** The finding a triage form is about; a form opened from an evidence card submits (and cancels) to that card. */
export function formSubject(ref: FindingRef, catalog: Catalog): FormSubject {
  const named = ref.via ?? { huntId: ref.hunt.id, row: ref.finding.rowKey };
  return { huntId: named.huntId, row: named.row, deviceName: ref.finding.deviceName, toolName: toolRefName(ref.finding.toolId, catalog), page: ref.via ? 1 : ref.page };
}

/** "every RMM hunt", "Kaseya hunts". */
export function scopeText(scope: ExclusionScope, catalog: Catalog): string {
  return scope.kind === 'all' ? 'every RMM hunt' : `${toolRefName(scope.toolId, catalog)} hunts`;
}

/** "until 2025-06-01", "with no expiry". */
export function expiryText(expiresAt: Date | null): string {
  return expiresAt ? `until ${isoSeconds(expiresAt).slice(0, 10)}` : 'with no expiry';
}

/** A device id as cards show it: its first 8 characters. */
export function shortDeviceId(deviceId: string): string {
  return deviceId.length > 8 ? `${deviceId.slice(0, 8)}…` : deviceId;
}

/**
 * The warning for a device shown although its name is the name an exclusion of another device
 * recorded ("ws-1 (id 3f9a0c1d…) is shown: …"): the name is the attacker's to choose, the id is not.
 */
export function namesakeNote(what: string, device: { readonly deviceId: string }, exclusion: Pick<Exclusion, 'deviceId' | 'createdBy'>): Note {
  return {
    text: `${what} (id ${shortDeviceId(device.deviceId)}) is shown: its name matches an exclusion for another device (id ${shortDeviceId(exclusion.deviceId ?? '')}, by ${exclusion.createdBy.name}).`,
    tone: 'warning',
  };
}

/** What an exclusion binds, as a list shows it: "Pattern IT-ADM-*", "Device ws-1 (id 3f9a0c1d…)". */
export function exclusionLabel(exclusion: Pick<Exclusion, 'pattern' | 'deviceId' | 'source'>): string {
  switch (exclusionKind(exclusion)) {
    case 'pattern':
      return `Pattern ${exclusion.pattern}`;
    case 'device':
      return `Device ${exclusion.pattern} (id ${shortDeviceId(exclusion.deviceId!)})`;
    case 'name':
      return `Device named ${exclusion.pattern}`;
  }
}

/** What an exclusion binds, within a sentence: "pattern IT-ADM-*", "ws-1". */
export function exclusionSubject(exclusion: Pick<Exclusion, 'pattern' | 'deviceId' | 'source'>): string {
  return exclusionKind(exclusion) === 'pattern' ? `pattern ${exclusion.pattern}` : exclusion.pattern;
}

/** The inline Exclude form; `error` says why the last submission was refused. */
export function excludeFormView(subject: FormSubject, error?: string): ExcludeFormView {
  return { name: 'excludeForm', subject, ...(error ? { error } : {}) };
}

/** A page of the active exclusions; `note` first (the outcome of a change), then the page's own (`mirror`: the Sentinel watchlist's state). */
export function exclusionsView(page: Page<Exclusion> & { readonly mirror?: Note | undefined }, catalog: Catalog, note?: Note): ExclusionsView {
  const exclusions = page.items.map(
    (e): ExclusionEntry => ({
      id: e.id,
      kind: exclusionKind(e) === 'pattern' ? 'pattern' : 'device',
      label: exclusionLabel(e),
      pattern: e.pattern,
      scope: e.scope.kind === 'all' ? 'every RMM tool' : `${toolRefName(e.scope.toolId, catalog)} hunts`,
      reason: e.reason,
      by: e.createdBy.name,
      createdAt: isoSeconds(e.createdAt),
      ...(e.expiresAt ? { expiresAt: isoSeconds(e.expiresAt) } : {}),
    }),
  );
  const notes = [note, page.mirror].filter((n): n is Note => n !== undefined);
  return { name: 'exclusions', exclusions, page: page.page, pageCount: page.pageCount, total: page.total, notes };
}
