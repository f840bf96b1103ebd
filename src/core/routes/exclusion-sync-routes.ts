/**
 * `exclusions sync` and the sync card's "Add them again": the exclusions reconciled with the
 * Microsoft Sentinel watchlist, both ways, with the drift reported. Responders only, audited as
 * `sync-exclusions`. Acknowledged at once; the card is updated in place when Sentinel has answered.
 */
import { z } from 'zod';
import type { SyncReport } from '../../sentinel/exclusion-mirror';
import { SentinelError } from '../../sentinel/sentinel-error';
import type { Exclusion } from '../../store/store';
import type { ExclusionSync } from '../exclusion-sync';
import { button, command, type ButtonEntry, type CommandEntry } from '../pipeline';
import { exclusionsSyncView } from '../presenters/sync-views';
import type { AuditRecord } from '../route';
import { Deferred } from '../route';
import { UserError } from '../user-error';
import { VERBS } from '../verbs';
import { notice } from '../views';
import type { RouteDeps } from './route-deps';

const USAGE = ['exclusions sync'];

/** What a sync came to: the report (and the exclusions it names), or Sentinel's refusal. */
type Synced = { readonly kind: 'synced'; readonly report: SyncReport; readonly exclusions: ReadonlyMap<string, Exclusion> } | { readonly kind: 'failed'; readonly error: SentinelError };

function syncAudit(synced: Synced, restore: boolean): AuditRecord {
  if (synced.kind === 'failed') return { outcome: 'failed', details: { restore, failure: synced.error.failure, error: synced.error.message } };
  const { report } = synced;
  return {
    outcome: 'ok',
    details: {
      restore,
      watchlist: report.watchlist,
      createdWatchlist: report.createdWatchlist,
      added: report.added.length,
      removed: report.removed.length,
      rewritten: report.rewritten.length,
      deletedInSentinel: report.deletedInSentinel.join(' '),
      restored: report.restored.length,
      unknown: report.unknown.length,
      failures: report.failures.length,
    },
  };
}

/** The sync routes; none without Sentinel's exclusion mirror. */
export function exclusionSyncRoutes(deps: RouteDeps): { commands: CommandEntry[]; buttons: ButtonEntry[] } {
  const { mirror } = deps;
  const required = (): ExclusionSync => {
    if (!mirror) throw new UserError('Microsoft Sentinel is not configured', 'Exclusions are mirrored to a Sentinel watchlist once SENTINEL_WORKSPACE_RESOURCE_ID names the workspace.');
    return mirror;
  };
  const start = async ({ restore }: { readonly restore: boolean }) => {
    const sync = required();
    return new Deferred({ watchlist: sync.watchlist }, async (): Promise<Synced> => {
      try {
        const report = await sync.sync({ restoreDeleted: restore });
        return { kind: 'synced', report, exclusions: new Map((await deps.store.listExclusions()).map((e) => [e.id, e])) };
      } catch (error) {
        if (error instanceof SentinelError) return { kind: 'failed', error };
        throw error;
      }
    });
  };
  const progress = ({ watchlist }: { readonly watchlist: string }) =>
    notice('Syncing exclusions with Microsoft Sentinel…', `Comparing the exclusions with the watchlist ${watchlist}. This card is updated when Sentinel has answered.`);
  const present = (synced: Synced) =>
    synced.kind === 'failed'
      ? notice('Microsoft Sentinel refused the sync', `${synced.error.message} HuntOps keeps applying its exclusions to its own hunts.`, { tone: 'warning' })
      : exclusionsSyncView(synced.report, synced.exclusions, { catalog: deps.catalog, workspace: mirror?.workspace ?? '' });
  return {
    commands: [
      command({
        command: 'exclusions sync',
        usage: USAGE,
        summary: 'Reconcile the exclusions with the Microsoft Sentinel watchlist both ways, and report the drift. Responders only.',
        example: 'exclusions sync',
        parse: (words) => {
          if (words.length > 0) throw new UserError('exclusions sync takes nothing more', 'Type exclusions sync.', USAGE);
          return { restore: false };
        },
        access: 'responder',
        start,
        progress,
        present,
        audit: { action: 'sync-exclusions', request: ({ restore }) => ({ restore }), result: ({ restore }, synced) => syncAudit(synced, restore) },
      }),
    ],
    buttons: [
      button({
        verb: VERBS.syncExclusions,
        data: z.object({ restore: z.literal(true) }).strict(),
        access: 'responder',
        start,
        progress,
        present,
        audit: { action: 'sync-exclusions', request: ({ restore }) => ({ restore }), result: ({ restore }, synced) => syncAudit(synced, restore) },
      }),
    ],
  };
}
