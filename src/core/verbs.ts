/**
 * `Action.Execute` verbs: the one list shared by the card templates (through the renderer) and the
 * action handlers.
 */
export const VERBS = {
  exclude: 'exclude',
  excludeSubmit: 'excludeSubmit',
  escalate: 'escalate',
  escalateSubmit: 'escalateSubmit',
  unexclude: 'unexclude',
  huntPage: 'huntPage',
  toolsPage: 'toolsPage',
  exclusionsPage: 'exclusionsPage',
  rulesPage: 'rulesPage',
  unwatch: 'unwatch',
  watchesPage: 'watchesPage',
  sanctionsPage: 'sanctionsPage',
  incidentsPage: 'incidentsPage',
  closeIncident: 'closeIncident',
  closeIncidentSubmit: 'closeIncidentSubmit',
  incidentCard: 'incidentCard',
  retrySentinel: 'retrySentinel',
  syncExclusions: 'syncExclusions',
} as const;

/** A verb HuntOps understands. */
export type Verb = (typeof VERBS)[keyof typeof VERBS];

/** True when `value` is one of {@link VERBS}. */
export function isVerb(value: unknown): value is Verb {
  return typeof value === 'string' && (Object.values(VERBS) as string[]).includes(value);
}
