/**
 * A watch's hunt as the store keeps it (the store's opaque `WatchSpec`), versioned and read back
 * through a schema: what `hunt` was asked (one tool's hunt of a kind, every tool, or a rule), its
 * window (the baseline's), device and workspace, and where the watch was typed. Version 1.
 *
 * The hunt is kept as ids, not as words: it is looked up again in the catalog and the rules for
 * every run, so a later catalog's strings hunt; a tool or rule that has gone makes the run fail
 * (and say so) rather than run something else.
 */
import { z } from 'zod';
import { windowToKql } from '../../hunt/window';
import type { WatchSpec } from '../../store/store';
import type { ConversationInfo } from '../context';
import { HUNT_KIND_KEYWORD, HUNT_KIND_SUFFIX } from '../hunt-kinds';
import type { HuntArgs, HuntVocabulary } from '../parse-hunt';

const HUNT_V1 = z.object({
  subject: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('tool'), toolId: z.string().min(1).max(128), huntKind: z.enum(['file-signature', 'process', 'network']) }),
    z.object({ kind: z.literal('all') }),
    z.object({ kind: z.literal('rule'), ruleId: z.string().min(1).max(256), name: z.string().max(1000) }),
  ]),
  windowMs: z.number().int().positive(),
  device: z.string().min(1).max(255).optional(),
  workspace: z.string().min(1).max(128).optional(),
  /** The conversation the watch was created in (its posts go there). */
  where: z.object({ kind: z.enum(['personal', 'groupChat', 'channel']), conversationId: z.string().min(1).max(2048) }),
});

const SPEC = z.object({ version: z.literal(1), hunt: HUNT_V1 });

/** A watch's hunt, as stored. */
export type WatchHunt = z.infer<typeof HUNT_V1>;

/** The hunt of a watch cannot be run any more (its tool or rule is gone, or no version wrote it). */
export class WatchSpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WatchSpecError';
  }
}

/** The hunt of `args` as a watch keeps it, without where it was typed. */
function huntOf(args: HuntArgs): Omit<WatchHunt, 'where'> {
  const { subject } = args;
  return {
    subject:
      subject.kind === 'tool'
        ? { kind: 'tool', toolId: subject.tool.id, huntKind: subject.huntKind }
        : subject.kind === 'rule'
          ? { kind: 'rule', ruleId: subject.rule.id, name: subject.rule.name }
          : { kind: 'all' },
    windowMs: args.window.ms,
    ...(args.device !== undefined ? { device: args.device } : {}),
    ...(args.workspace !== undefined ? { workspace: args.workspace } : {}),
  };
}

/** The spec to store for a watch of `args`, typed in `where`. */
export function watchSpecOf(args: HuntArgs, where: Pick<ConversationInfo, 'kind' | 'id'>): WatchSpec {
  const hunt: WatchHunt = { ...huntOf(args), where: { kind: where.kind, conversationId: where.id } };
  return { version: 1, hunt };
}

/** A parsed hunt as it would be typed (see {@link watchHuntText}). */
export function huntArgsText(args: HuntArgs): string {
  return watchHuntText(huntOf(args));
}

/** The stored hunt of a watch, or undefined when no version of HuntOps wrote it. */
export function readWatchHunt(spec: WatchSpec): WatchHunt | undefined {
  const parsed = SPEC.safeParse(spec);
  return parsed.success ? parsed.data.hunt : undefined;
}

/** The stored hunt of a watch; {@link WatchSpecError} when it cannot be read. */
export function requireWatchHunt(spec: WatchSpec): WatchHunt {
  const hunt = readWatchHunt(spec);
  if (!hunt) throw new WatchSpecError(`this version of HuntOps cannot read a watch spec of version ${String(spec.version)}`);
  return hunt;
}

/** The hunt to run, its tool or rule looked up again; {@link WatchSpecError} when it is gone. */
export function watchHuntArgs(hunt: WatchHunt, vocabulary: HuntVocabulary): HuntArgs {
  const rest = {
    window: { ms: hunt.windowMs },
    ...(hunt.device !== undefined ? { device: hunt.device } : {}),
    ...(hunt.workspace !== undefined ? { workspace: hunt.workspace } : {}),
  };
  const { subject } = hunt;
  switch (subject.kind) {
    case 'all':
      return { subject, ...rest };
    case 'tool': {
      const tool = vocabulary.catalog.get(subject.toolId);
      if (!tool) throw new WatchSpecError(`the catalog has no tool '${subject.toolId}' any more`);
      return { subject: { kind: 'tool', tool, huntKind: subject.huntKind }, ...rest };
    }
    case 'rule': {
      const rule = vocabulary.rules.rules.find((r) => r.id === subject.ruleId);
      if (!rule) throw new WatchSpecError(`the rule '${subject.name}' (${subject.ruleId}) is not in the rules folder any more`);
      return { subject: { kind: 'rule', rule }, ...rest };
    }
  }
}

/** What the watch hunts, as cards name it: "Kaseya", "AnyDesk network connections", "All RMM tools", the rule's name. */
export function watchSubject(hunt: WatchHunt, vocabulary: Pick<HuntVocabulary, 'catalog'>): string {
  const { subject } = hunt;
  if (subject.kind === 'all') return 'All RMM tools';
  if (subject.kind === 'rule') return subject.name;
  return `${vocabulary.catalog.get(subject.toolId)?.name ?? subject.toolId}${HUNT_KIND_SUFFIX[subject.huntKind]}`;
}

/** The hunt as it would be typed: `kaseya net 5d device WS-1 in emea`, `all 5d`, `"<rule name>" 5d`. */
export function watchHuntText(hunt: Omit<WatchHunt, 'where'>): string {
  const { subject } = hunt;
  const what =
    subject.kind === 'all' ? 'all' : subject.kind === 'rule' ? `"${subject.name}"` : `${subject.toolId}${HUNT_KIND_KEYWORD[subject.huntKind] ? ` ${HUNT_KIND_KEYWORD[subject.huntKind]}` : ''}`;
  return [what, windowToKql({ ms: hunt.windowMs }), ...(hunt.device !== undefined ? ['device', hunt.device] : []), ...(hunt.workspace !== undefined ? ['in', hunt.workspace] : [])].join(' ');
}
