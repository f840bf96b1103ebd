/**
 * What the routes are built from: the domain operations and the vocabulary their grammars read.
 */
import type { Catalog } from '../../hunt/catalog';
import type { RuleBook } from '../../hunt/rule-book';
import type { Store } from '../../store/store';
import type { DeviceCheckService } from '../device-check';
import type { EscalationService } from '../escalations';
import type { EvidenceService } from '../evidence-service';
import type { ExclusionService } from '../exclusions';
import type { HuntService } from '../hunt-service';

/** The routes' dependencies. */
export interface RouteDeps {
  readonly catalog: Catalog;
  readonly rules: RuleBook;
  readonly hunts: HuntService;
  readonly checks: DeviceCheckService;
  /** Details: evidence cards, and the evidence escalations carry. */
  readonly evidence: EvidenceService;
  readonly exclusions: ExclusionService;
  readonly escalations: EscalationService;
  /** The audit trail, for `audit`. */
  readonly store: Store;
  readonly now: () => Date;
}
