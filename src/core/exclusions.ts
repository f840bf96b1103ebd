/**
 * Exclusions: the Exclude button's inline form and its submission, the `exclude`, `exclusions` and
 * `unexclude` commands, and Remove on the exclusions card. Only responders change exclusions;
 * every change is audited and shown in place to everyone in the conversation.
 */
import { z } from 'zod';
import type { Catalog } from '../hunt/catalog';
import { looksLikeWindow, parseWindow } from '../hunt/window';
import { isActive, patternMatches, patternProblem } from '../store/exclusion-match';
import type { Exclusion, ExclusionScope, Store } from '../store/store';
import { actorOf, type AccessPolicy } from './access';
import type { Auditor } from './audit';
import type { RequestContext } from './context';
import { isoSeconds, type HuntService } from './hunt-service';
import { pageArgument } from './page-argument';
import { reply, type Reply } from './reply';
import { FINDING, PAGE, parseActionData } from './action-data';
import { UserError } from './user-error';
import type { ExclusionEntry, ExclusionsView, FormSubject, Tone } from './views';

const DAY_MS = 86_400_000;

/** Expiry choices of the form, in days (`never` has none). */
export const EXPIRY_CHOICES = ['7', '30', '90', 'never'] as const;

/** The expiry of an exclusion made by command without `for`. */
export const DEFAULT_COMMAND_EXPIRY_DAYS = 30;

/** Active exclusions per page of the exclusions card. */
export const EXCLUSIONS_PAGE_SIZE = 8;

/** The longest reason kept. */
export const MAX_REASON = 500;

/** Usage of the exclusion commands. */
export const EXCLUDE_USAGE = ['exclude device <name or pattern> reason "<why>" [for <window>|never] [tool <tool>]'] as const;

const submitData = z.object({
  ...FINDING,
  reason: z.string().max(10_000).optional(),
  scope: z.string().max(20).optional(),
  expiry: z.string().max(20).optional(),
});
const removeData = z.object({ exclusionId: z.string().min(1).max(128), page: PAGE.optional() });

/** What exclusions need. */
export interface ExclusionDeps {
  readonly store: Store;
  readonly hunts: HuntService;
  readonly catalog: Catalog;
  readonly access: AccessPolicy;
  readonly auditor: Auditor;
  readonly now: () => Date;
}

function describeExpiry(expiresAt: Date | null): string {
  return expiresAt ? `until ${isoSeconds(expiresAt).slice(0, 10)}` : 'with no expiry';
}

/** Exclusion handlers. */
export class ExclusionService {
  constructor(private readonly deps: ExclusionDeps) {}

  /** Exclude clicked: the inline form, for whoever clicked. */
  async form(data: unknown, context: RequestContext): Promise<Reply> {
    const { huntId, row } = parseActionData(z.object(FINDING), data);
    const { finding, page } = await this.deps.hunts.finding(huntId, row);
    this.deps.access.checkResponder(context, 'exclude devices');
    return reply({ name: 'excludeForm', subject: { huntId, row, deviceName: finding.deviceName, toolName: this.deps.hunts.toolName(finding.toolId), page } });
  }

  /** The form submitted: store the exclusion, update the card for everyone. */
  async submit(data: unknown, context: RequestContext): Promise<Reply> {
    const input = parseActionData(submitData, data);
    const { finding, page } = await this.deps.hunts.finding(input.huntId, input.row);
    this.deps.access.checkResponder(context, 'exclude devices');
    const subject: FormSubject = { huntId: input.huntId, row: input.row, deviceName: finding.deviceName, toolName: this.deps.hunts.toolName(finding.toolId), page };
    const reason = (input.reason ?? '').trim();
    const problem =
      reason === ''
        ? 'Give a reason: it is what the next analyst reads.'
        : reason.length > MAX_REASON
          ? `Keep the reason under ${MAX_REASON} characters.`
          : input.scope !== 'tool' && input.scope !== 'all'
            ? 'Choose whether the exclusion covers this tool or every RMM tool.'
            : !(EXPIRY_CHOICES as readonly string[]).includes(input.expiry ?? '')
              ? 'Choose when the exclusion expires.'
              : undefined;
    if (problem) return reply({ name: 'excludeForm', subject, error: problem });
    const scope: ExclusionScope = input.scope === 'all' ? { kind: 'all' } : { kind: 'tool', toolId: finding.toolId };
    const expiresAt = input.expiry === 'never' ? null : new Date(this.deps.now().getTime() + Number(input.expiry) * DAY_MS);
    const exclusion = await this.addForRow(input.huntId, input.row, { pattern: finding.deviceName, scope, reason, expiresAt, context });
    const banner = exclusion.created
      ? { text: `Excluded ${finding.deviceName} from ${this.scopeText(scope)} ${describeExpiry(expiresAt)}.`, tone: 'good' as Tone }
      : { text: `${finding.deviceName} was already excluded by ${exclusion.record.createdBy.name}: ${exclusion.record.reason}`, tone: 'default' as Tone };
    return reply(await this.deps.hunts.page(input.huntId, page, banner), () => this.deps.hunts.page(input.huntId, page, banner));
  }

  /** `exclude device <pattern> reason "<why>" [for <window>|never] [tool <tool>]`. */
  async command(words: readonly string[], context: RequestContext): Promise<Reply> {
    const usage = (title: string, hint: string) => new UserError(title, hint, EXCLUDE_USAGE);
    let pattern: string | undefined;
    let reason: string | undefined;
    let expiry: Date | null | undefined;
    let scope: ExclusionScope = { kind: 'all' };
    for (let i = 0; i < words.length; i += 2) {
      const keyword = words[i]!.toLowerCase();
      const value = words[i + 1];
      if (!['device', 'reason', 'for', 'tool'].includes(keyword)) throw usage(`I didn't understand '${words[i]}'`, 'An exclusion takes device, reason, for and tool.');
      if (value === undefined) throw usage(`What comes after ${keyword}?`, 'Each of device, reason, for and tool takes a value.');
      if (keyword === 'device') {
        const problem = patternProblem(value);
        if (problem) throw usage(`'${value}' can't be excluded`, `${problem[0]!.toUpperCase()}${problem.slice(1)}.`);
        pattern = value;
      } else if (keyword === 'reason') {
        reason = value.trim();
      } else if (keyword === 'for') {
        if (value.toLowerCase() === 'never') expiry = null;
        else {
          const window = looksLikeWindow(value) ? parseWindow(value) : undefined;
          if (!window) throw usage(`'${value}' is not a duration`, 'Write for 90d, for 2w, for PT12H or for never.');
          expiry = new Date(this.deps.now().getTime() + window.ms);
        }
      } else {
        const tool = value.toLowerCase() === 'all' ? undefined : this.deps.catalog.find(value);
        if (value.toLowerCase() !== 'all' && !tool) throw usage(`I don't know the tool '${value}'`, 'Type tools for the list, or write tool all.');
        scope = tool ? { kind: 'tool', toolId: tool.id } : { kind: 'all' };
      }
    }
    if (!pattern) throw usage('Which device?', 'Name it, or a pattern such as IT-ADM-*.');
    if (!reason) throw usage('Why?', 'Give a reason in quotes: reason "IT admin workstations".');
    if (reason.length > MAX_REASON) throw usage('That reason is too long', `Keep it under ${MAX_REASON} characters.`);
    this.deps.access.checkResponder(context, 'exclude devices');
    const expiresAt = expiry === undefined ? new Date(this.deps.now().getTime() + DEFAULT_COMMAND_EXPIRY_DAYS * DAY_MS) : expiry;
    const key = `command:${context.requestId ?? `${context.conversation.id}:${this.deps.now().getTime()}`}`;
    const { record, created } = await this.deps.store.addExclusion({ key, pattern, scope, reason, createdBy: actorOf(context), expiresAt });
    await this.deps.auditor.record(context, 'exclude', this.auditDetails(record, created));
    return reply(
      await this.listView(1, { text: `Excluded ${pattern} from ${this.scopeText(scope)} ${describeExpiry(expiresAt)}: ${reason}`, tone: 'good' }),
    );
  }

  /** `exclusions [page]`. */
  async list(words: readonly string[]): Promise<Reply> {
    return reply(await this.listView(pageArgument('exclusions', words)));
  }

  /** Remove clicked on the exclusions card. */
  async remove(data: unknown, context: RequestContext): Promise<Reply> {
    const { exclusionId, page } = parseActionData(removeData, data);
    this.deps.access.checkResponder(context, 'remove exclusions');
    const removed = await this.deps.store.removeExclusion(exclusionId, actorOf(context));
    if (!removed) throw new UserError('That exclusion does not exist', 'Type exclusions for the current list.');
    await this.deps.auditor.record(context, 'unexclude', { exclusionId, pattern: removed.record.pattern, removed: removed.removed });
    const banner = removed.removed
      ? { text: `Removed the exclusion of ${removed.record.pattern}.`, tone: 'good' as Tone }
      : { text: `The exclusion of ${removed.record.pattern} was already removed by ${removed.record.removedBy?.name ?? 'someone'}.`, tone: 'default' as Tone };
    return reply(await this.listView(page ?? 1, banner), () => this.listView(page ?? 1, banner));
  }

  /** `unexclude <device or pattern>`: removes the active exclusions with exactly that pattern. */
  async unexclude(words: readonly string[], context: RequestContext): Promise<Reply> {
    if (words.length !== 1) throw new UserError('Which exclusion?', 'Name the device or pattern exactly as listed by exclusions.', ['unexclude <device or pattern>']);
    const target = words[0]!;
    this.deps.access.checkResponder(context, 'remove exclusions');
    const now = this.deps.now();
    const active = (await this.deps.store.listExclusions({ activeAt: now })).filter((e) => isActive(e, now));
    const exact = active.filter((e) => e.pattern.toLowerCase() === target.toLowerCase());
    if (exact.length === 0) {
      const covering = active.filter((e) => patternMatches(e.pattern, target)).map((e) => e.pattern);
      const hint = covering.length
        ? `${target} is covered by ${covering.join(', ')}; remove ${covering.length === 1 ? 'that' : 'one of those'} with unexclude <pattern>.`
        : 'Type exclusions for the active ones.';
      throw new UserError(`No exclusion of '${target}'`, hint, ['unexclude <device or pattern>']);
    }
    for (const exclusion of exact) {
      const removed = await this.deps.store.removeExclusion(exclusion.id, actorOf(context));
      await this.deps.auditor.record(context, 'unexclude', { exclusionId: exclusion.id, pattern: exclusion.pattern, removed: removed?.removed ?? false });
    }
    return reply(await this.listView(1, { text: `Removed ${exact.length === 1 ? 'the exclusion' : `${exact.length} exclusions`} of ${target}.`, tone: 'good' }));
  }

  private scopeText(scope: ExclusionScope): string {
    return scope.kind === 'all' ? 'every RMM hunt' : `${this.deps.hunts.toolName(scope.toolId)} hunts`;
  }

  private auditDetails(record: Exclusion, created: boolean): Record<string, unknown> {
    return {
      exclusionId: record.id,
      pattern: record.pattern,
      scope: record.scope,
      reason: record.reason,
      expiresAt: record.expiresAt?.toISOString() ?? null,
      source: record.source,
      created,
    };
  }

  /**
   * One exclusion per card row, however many click at once: the key names the row, and once that
   * exclusion is removed the next one's key names the removed record.
   */
  private async addForRow(
    huntId: string,
    rowKey: string,
    exclusion: { pattern: string; scope: ExclusionScope; reason: string; expiresAt: Date | null; context: RequestContext },
  ): Promise<{ record: Exclusion; created: boolean }> {
    let key = `exclude:${huntId}:${rowKey}`;
    for (;;) {
      const { record, created } = await this.deps.store.addExclusion({
        key,
        pattern: exclusion.pattern,
        scope: exclusion.scope,
        reason: exclusion.reason,
        createdBy: actorOf(exclusion.context),
        expiresAt: exclusion.expiresAt,
        source: { huntId, rowKey },
      });
      if (created || isActive(record, this.deps.now())) {
        await this.deps.auditor.record(exclusion.context, 'exclude', this.auditDetails(record, created));
        return { record, created };
      }
      key = `exclude:${huntId}:${rowKey}:after:${record.id}`;
    }
  }

  private async listView(page: number, banner?: { text: string; tone: Tone }): Promise<ExclusionsView> {
    const now = this.deps.now();
    const active = (await this.deps.store.listExclusions({ activeAt: now })).filter((e) => isActive(e, now));
    const pageCount = Math.max(1, Math.ceil(active.length / EXCLUSIONS_PAGE_SIZE));
    const current = Math.min(Math.max(1, Math.trunc(page)), pageCount);
    const exclusions: ExclusionEntry[] = active.slice((current - 1) * EXCLUSIONS_PAGE_SIZE, current * EXCLUSIONS_PAGE_SIZE).map((e) => ({
      id: e.id,
      pattern: e.pattern,
      scope: e.scope.kind === 'all' ? 'every RMM tool' : `${this.deps.hunts.toolName(e.scope.toolId)} hunts`,
      reason: e.reason,
      by: e.createdBy.name,
      createdAt: isoSeconds(e.createdAt),
      ...(e.expiresAt ? { expiresAt: isoSeconds(e.expiresAt) } : {}),
    }));
    return { name: 'exclusions', exclusions, page: current, pageCount, total: active.length, notes: banner ? [banner] : [] };
  }

}
