/**
 * Sanctions as views: the tenant's sanctioned tools page by page, with their instances.
 */
import type { Catalog } from '../../hunt/catalog';
import type { Sanction } from '../../store/store';
import type { Page } from '../paging';
import type { Note, SanctionEntry, SanctionsView } from '../views';
import { isoSeconds } from './format';

/** Instances a list entry names at most; the rest are counted. */
const SHOWN_INSTANCES = 5;

/** "vsa.contoso.com, managedsupport.kaseya.net", "a, b, c, d, e and 3 more", or "any instance". */
export function instancesText(instances: readonly string[]): string {
  if (instances.length === 0) return 'any instance';
  const more = instances.length - SHOWN_INSTANCES;
  return `${instances.slice(0, SHOWN_INSTANCES).join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
}

/** A page of the sanctions; `note` first (the outcome of a change). */
export function sanctionsView(page: Page<Sanction>, catalog: Catalog, note?: Note): SanctionsView {
  return {
    name: 'sanctions',
    sanctions: page.items.map(
      (s): SanctionEntry => ({
        toolName: catalog.get(s.toolId)?.name ?? s.toolId,
        instances: instancesText(s.instances),
        reason: s.reason,
        by: s.by.name,
        at: isoSeconds(s.at),
      }),
    ),
    page: page.page,
    pageCount: page.pageCount,
    total: page.total,
    notes: note ? [note] : [],
  };
}
