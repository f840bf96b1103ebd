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
import type { SanctionService } from '../sanctions';
import type { WatchService } from '../watches';
import type { IncidentService } from '../incidents';

/** The routes' dependencies. */
export interface RouteDeps {
  readonly catalog: Catalog;
  readonly rules: RuleBook;
  readonly hunts: HuntService;
  readonly checks: DeviceCheckService;
  readonly exclusions: ExclusionService;
  readonly escalations: EscalationService;
  readonly watches: WatchService;
  readonly sanctions: SanctionService;
  /** The shortest interval a watch may have (`HUNT_WATCH_MIN_INTERVAL`). */
  readonly watchMinIntervalMs: number;
  readonly incidents: IncidentService;
  /** The exclusions' Sentinel watchlist, when Sentinel is configured. */
  readonly mirror?: ExclusionSync;
  /** The audit trail, for `audit`. */
  readonly store: Store;
  readonly now: () => Date;
}
