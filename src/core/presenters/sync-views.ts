/**
 * `exclusions sync` as a view: what the reconciliation of the exclusions with the Sentinel
 * watchlist found and did, counted, with bounded lists of the drift someone should look at.
 */
import type { Catalog } from '../../hunt/catalog';
import type { SyncReport } from '../../sentinel/exclusion-mirror';
import type { Exclusion } from '../../store/store';
import type { ExclusionsSyncView, Note } from '../views';
import { scopeText } from './exclusion-views';

/** Lines listed per section; the rest are counted. */
export const SYNC_LINES = 10;

function bounded(lines: readonly string[]): string[] {
  const shown = lines.slice(0, SYNC_LINES);
  return lines.length > shown.length ? [...shown, `and ${lines.length - shown.length} more`] : shown;
}

/** The view of a sync report; `exclusions` names the exclusions the report counts by id. */
export function exclusionsSyncView(report: SyncReport, exclusions: ReadonlyMap<string, Exclusion>, options: { readonly catalog: Catalog; readonly workspace: string }): ExclusionsSyncView {
  const describe = (id: string): string => {
    const exclusion = exclusions.get(id);
    return exclusion ? `${exclusion.pattern} (${scopeText(exclusion.scope, options.catalog)}), excluded by ${exclusion.createdBy.name}: ${exclusion.reason}` : id;
  };
  const counts = [
    { title: 'Added (never written)', value: report.added.length },
    { title: 'Deleted (exclusion removed or expired)', value: report.removed.length },
    { title: 'Rewritten (edited in Sentinel)', value: report.rewritten.length },
    { title: 'Deleted in Sentinel (reported)', value: report.deletedInSentinel.length },
    { title: 'Added again', value: report.restored.length },
    { title: 'Not HuntOps items (left alone)', value: report.unknown.length },
    { title: 'Could not be reconciled', value: report.failures.length },
  ].map((c) => ({ title: c.title, value: String(c.value) }));
  const notRestored = report.deletedInSentinel.filter((id) => !report.restored.includes(id));
  const sections = [
    { title: 'Deleted in Sentinel, still excluded in HuntOps', lines: bounded(notRestored.map(describe)) },
    { title: 'Added again', lines: bounded(report.restored.map(describe)) },
    { title: 'Items that are no HuntOps exclusion', lines: bounded(report.unknown.map((item) => `${item.values.DevicePattern || item.values.DeviceName || '(no device)'} (item ${item.itemId})`)) },
    { title: 'Could not be reconciled', lines: bounded(report.failures.map((f) => `${describe(f.exclusionId)} — ${f.error.message}`)) },
  ].filter((section) => section.lines.length > 0);
  const notes: Note[] = [];
  if (report.createdWatchlist) notes.push({ text: `Created the watchlist ${report.watchlist}.`, tone: 'good' });
  if (notRestored.length > 0) {
    notes.push({
      text: `${notRestored.length === 1 ? 'One exclusion\'s item was' : `${notRestored.length} exclusions' items were`} deleted in Sentinel. HuntOps still hides ${notRestored.length === 1 ? 'that device' : 'those devices'} from its own hunts and reports the deletion instead of undoing it: add the items again, or remove the exclusions.`,
      tone: 'warning',
    });
  }
  const drift = report.added.length + report.removed.length + report.rewritten.length + notRestored.length + report.unknown.length + report.failures.length;
  if (drift === 0) notes.push({ text: `The watchlist ${report.watchlist} matches the active exclusions.`, tone: 'good' });
  return { name: 'exclusionsSync', watchlist: report.watchlist, workspace: options.workspace, counts, sections, canRestore: notRestored.length > 0, notes };
}
