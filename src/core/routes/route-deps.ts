/**
 * What the routes are built from: the domain operations and the vocabulary their grammars read.
 */
import type { Catalog } from '../../hunt/catalog';
import type { RuleBook } from '../../hunt/rule-book';
import type { Store } from '../../store/store';
import type { DeviceCheckService } from '../device-check';
import type { EscalationService } from '../escalations';
import type { ExclusionSync } from '../exclusion-sync';
import type { ExclusionService } from '../exclusions';
import type { HuntService } from '../hunt-service';
import type { IncidentService } from '../incidents';

/** The routes' dependencies. */
export interface RouteDeps {
  readonly catalog: Catalog;
  readonly rules: RuleBook;
  readonly hunts: HuntService;
  readonly checks: DeviceCheckService;
  readonly exclusions: ExclusionService;
  readonly escalations: EscalationService;
  readonly incidents: IncidentService;
  /** The exclusions' Sentinel watchlist, when Sentinel is configured. */
  readonly mirror?: ExclusionSync;
  /** The audit trail, for `audit`. */
  readonly store: Store;
  readonly now: () => Date;
}
