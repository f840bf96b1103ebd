/**
 * Watches as views: the tenant's active watches page by page (each with Stop), and the posts a
 * watch makes — the baseline summary, and the devices new to it as a result card with the usual
 * row buttons (made from the same rows as a hunt's page, `hunt-views.ts`).
 */
import { describeWindow } from '../../hunt/window';
import type { Watch } from '../../store/store';
import { describeInterval } from '../../watch/interval';
import { headlineOf, lastRunSummary, type WatchRunSummary } from '../../watch/watch-summary';
import type { WatchPostPayload } from '../payloads/outbox-payload';
import { readWatchHunt, watchHuntText, watchSubject, type WatchHunt } from '../payloads/watch-spec';
import type { HuntVocabulary } from '../parse-hunt';
import type { Page } from '../paging';
import type { Note, NoticeView, Tone, View, WatchEntry, WatchesView } from '../views';
import { isoSeconds, plural } from './format';
import { findingRow, groupRows } from './hunt-views';

const WHERE: Readonly<Record<WatchHunt['where']['kind'], string>> = { personal: 'a personal chat', groupChat: 'a group chat', channel: 'a channel' };

/** The conversation without its thread (`19:…@thread.tacv2;messageid=1` → `19:…@thread.tacv2`). */
function conversationBase(id: string): string {
  return id.split(';')[0]!;
}

/** Where a watch posts, as seen from the conversation `here`. */
function whereText(hunt: WatchHunt | undefined, here: string): string {
  if (!hunt) return 'unknown';
  if (conversationBase(hunt.where.conversationId) === conversationBase(here)) return 'here';
  return WHERE[hunt.where.kind];
}

/** What a run found, in a few words. */
export function runResultText(summary: WatchRunSummary): { readonly text: string; readonly tone: Tone } {
  const aside = [
    `${summary.found.toLocaleString('en-US')} found`,
    ...(summary.excluded > 0 ? [`${summary.excluded.toLocaleString('en-US')} excluded`] : []),
    ...(summary.sanctioned > 0 ? [`${summary.sanctioned.toLocaleString('en-US')} sanctioned`] : []),
  ].join(', ');
  const partial = summary.partial ? ` Partial: ${summary.partial}` : '';
  switch (summary.kind) {
    case 'baseline':
      return { text: `Baseline: ${plural(summary.reported, 'device', 'devices')} (${aside}).${partial}`, tone: 'default' };
    case 'new-devices':
      return { text: `${plural(summary.reported, 'new device', 'new devices')} (${aside}).${partial}`, tone: 'warning' };
    case 'nothing-new':
      return { text: `Nothing new (${aside}).${partial}`, tone: 'default' };
    case 'failed':
      return { text: `Failed: ${summary.error ?? 'unknown error'}`, tone: 'attention' };
  }
}

/** One watch as the list shows it. */
function watchEntry(watch: Watch, vocabulary: Pick<HuntVocabulary, 'catalog'>, here: string): WatchEntry {
  const hunt = readWatchHunt(watch.spec);
  const summary = lastRunSummary(watch);
  const result = summary ? runResultText(summary) : undefined;
  return {
    id: watch.id,
    subject: hunt ? watchSubject(hunt, vocabulary) : `a hunt this version cannot read (spec version ${watch.spec.version})`,
    hunt: hunt ? watchHuntText(hunt) : '',
    every: describeInterval(watch.intervalMs),
    where: whereText(hunt, here),
    by: watch.createdBy.name,
    createdAt: isoSeconds(watch.createdAt),
    ...(watch.lastRunAt ? { lastRun: isoSeconds(watch.lastRunAt) } : {}),
    ...(result ? { lastResult: result.text } : {}),
    lastResultTone: result?.tone ?? 'default',
    nextRun: isoSeconds(watch.nextRunAt),
  };
}

/** A page of the active watches, seen from the conversation `here`; `note` first (the outcome of a change). */
export function watchesView(page: Page<Watch>, vocabulary: Pick<HuntVocabulary, 'catalog'>, here: string, note?: Note): WatchesView {
  return {
    name: 'watches',
    watches: page.items.map((watch) => watchEntry(watch, vocabulary, here)),
    page: page.page,
    pageCount: page.pageCount,
    total: page.total,
    notes: note ? [note] : [],
  };
}

/** The sentence a post leads with ("Kaseya: 2 new devices (1 talks to an unsanctioned instance)."). */
export function watchPostHeadline(post: Pick<WatchPostPayload, 'subject' | 'batch' | 'devices' | 'unsanctioned'>): string {
  return headlineOf(post.subject, { kind: post.batch, devices: post.devices, unsanctioned: post.unsanctioned });
}

/** The line under a post's headline: which watch, how often, and how to stop it. */
export function watchPostNote(watch: WatchPostPayload['watch']): Note {
  return { text: `Watch ${watch.id}, every ${describeInterval(watch.intervalMs)}, set by ${watch.createdBy}. Type unwatch ${watch.id} to stop it.`, tone: 'default' };
}

/** The card a watch's post shows: the baseline summary, or its new devices with the row buttons. */
export function watchPostView(post: WatchPostPayload): View {
  if (post.batch === 'baseline' || !post.found) {
    const notice: NoticeView = {
      name: 'notice',
      title: watchPostHeadline(post),
      text: `Watch ${post.watch.id} runs every ${describeInterval(post.watch.intervalMs)} (set by ${post.watch.createdBy}) and posts here only devices it has not reported before. Type watches to list the watches, unwatch ${post.watch.id} to stop this one.`,
      tone: 'accent',
    };
    return notice;
  }
  const { found } = post;
  const rows = found.rows.map((device) => ({
    toolName: device.toolName,
    row: findingRow(
      { rowKey: device.row, deviceId: device.deviceId, deviceName: device.deviceName, firstSeen: new Date(device.firstSeen), lastSeen: new Date(device.lastSeen), count: device.count },
      device.unsanctionedInstances?.length ? { mark: { kind: 'unsanctioned-instance', instances: device.unsanctionedInstances } } : {},
    ),
  }));
  return {
    name: 'huntResult',
    huntId: found.huntId,
    header: { subject: post.subject, windowText: describeWindow({ ms: found.windowMs }), source: found.source },
    title: watchPostHeadline(post),
    deviceCount: post.devices,
    groups: groupRows(rows, found.byTool),
    page: 1,
    pageCount: found.pageCount,
    notes: [watchPostNote(post.watch)],
  };
}
