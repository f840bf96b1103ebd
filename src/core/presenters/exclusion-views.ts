/**
 * Exclusions as views: the active ones page by page (each with Remove), the inline Exclude form,
 * and the sentences that say what an exclusion covers and until when.
 */
import type { Catalog } from '../../hunt/catalog';
import type { Exclusion, ExclusionScope } from '../../store/store';
import type { FindingRef } from '../hunt-service';
import type { Page } from '../paging';
import { toolRefName } from '../tool-ref';
import type { ExcludeFormView, ExclusionEntry, ExclusionsView, FormSubject, Note } from '../views';
import { isoSeconds } from './format';

/** The finding a triage form is about. */
export function formSubject(ref: FindingRef, catalog: Catalog): FormSubject {
  return { huntId: ref.hunt.id, row: ref.finding.rowKey, deviceName: ref.finding.deviceName, toolName: toolRefName(ref.finding.toolId, catalog), page: ref.page };
}

/** "every RMM hunt", "Kaseya hunts". */
export function scopeText(scope: ExclusionScope, catalog: Catalog): string {
  return scope.kind === 'all' ? 'every RMM hunt' : `${toolRefName(scope.toolId, catalog)} hunts`;
}

/** "until 2025-06-01", "with no expiry". */
export function expiryText(expiresAt: Date | null): string {
  return expiresAt ? `until ${isoSeconds(expiresAt).slice(0, 10)}` : 'with no expiry';
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
