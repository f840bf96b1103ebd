/**
 * Why an incident is closed from Teams, and how Sentinel records it: each close reason maps to one
 * of Sentinel's classifications and the classification reason that goes with it (Sentinel accepts
 * only these pairs: TruePositive with SuspiciousActivity, BenignPositive with SuspiciousButExpected,
 * FalsePositive with IncorrectAlertLogic or InaccurateData, Undetermined with none).
 */
import type { IncidentClassification, IncidentClassificationReason } from './incident-model';
import type { IncidentClosing } from './sentinel-incidents';
import { oneLine } from './incident-text';

/** The close reasons offered in Teams. */
export type CloseReason = 'malicious' | 'expected' | 'false-positive' | 'bad-data' | 'undetermined';

/** A close reason: its name, how a card shows it, and what Sentinel records. */
export interface CloseReasonInfo {
  readonly reason: CloseReason;
  /** The choice's title on a card. */
  readonly title: string;
  /** One line explaining when to choose it. */
  readonly description: string;
  readonly classification: IncidentClassification;
  readonly classificationReason?: IncidentClassificationReason;
}

/** Every close reason, in the order a card offers them (the RMM hunts' usual outcome first). */
export const CLOSE_REASONS: readonly CloseReasonInfo[] = Object.freeze([
  {
    reason: 'expected',
    title: 'Expected IT activity',
    description: 'The tool is used by IT as intended (patching, deployment, monitoring): benign positive.',
    classification: 'BenignPositive',
    classificationReason: 'SuspiciousButExpected',
  },
  {
    reason: 'malicious',
    title: 'Malicious or unauthorised',
    description: 'The tool was used by someone who should not have: true positive.',
    classification: 'TruePositive',
    classificationReason: 'SuspiciousActivity',
  },
  {
    reason: 'false-positive',
    title: 'Wrong detection',
    description: 'The hunt matched something that is not the tool: false positive, incorrect logic.',
    classification: 'FalsePositive',
    classificationReason: 'IncorrectAlertLogic',
  },
  {
    reason: 'bad-data',
    title: 'Inaccurate data',
    description: 'The telemetry behind the finding was wrong: false positive, inaccurate data.',
    classification: 'FalsePositive',
    classificationReason: 'InaccurateData',
  },
  {
    reason: 'undetermined',
    title: 'Undetermined',
    description: 'No conclusion could be reached.',
    classification: 'Undetermined',
  },
] satisfies CloseReasonInfo[]);

/** Other words analysts type for the reasons. */
const SYNONYMS: Readonly<Record<string, CloseReason>> = {
  benign: 'expected',
  'benign-positive': 'expected',
  tp: 'malicious',
  'true-positive': 'malicious',
  fp: 'false-positive',
  'inaccurate-data': 'bad-data',
};

/** The close reason named by `text` (case-insensitive; `benign`, `tp`, `fp` too), or `undefined`. */
export function parseCloseReason(text: string): CloseReasonInfo | undefined {
  const word = text.trim().toLowerCase();
  const reason = SYNONYMS[word] ?? word;
  return CLOSE_REASONS.find((info) => info.reason === reason);
}

/** The longest classification comment written. */
const MAX_COMMENT = 1000;

/** How Sentinel records a close from Teams: the reason's classification, and who closed it why. */
export function incidentClosing(reason: CloseReason, closedBy: { readonly name: string }, comment = ''): IncidentClosing {
  const info = CLOSE_REASONS.find((item) => item.reason === reason);
  if (!info) throw new RangeError(`not a close reason: ${reason}`);
  const said = oneLine(comment, MAX_COMMENT);
  return {
    classification: info.classification,
    ...(info.classificationReason ? { classificationReason: info.classificationReason } : {}),
    classificationComment: oneLine(`Closed from HuntOps in Teams by ${closedBy.name} (${info.title})${said ? `: ${said}` : '.'}`, MAX_COMMENT + 200),
  };
}
