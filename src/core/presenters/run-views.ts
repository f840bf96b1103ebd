/**
 * What every card of a stored run (a hunt, a device check, a Details run) shares: its header, the
 * time its result was made, and the failure card.
 */
import { describeWindow } from '../../hunt/window';
import type { Hunt } from '../../store/store';
import type { RunFailure } from '../run-failure';
import type { HuntFailedView, HuntHeader, PortalLinkView } from '../views';

/** What every card of a hunt says about it. */
export function huntHeader(hunt: Hunt, subject: string): HuntHeader {
  return {
    subject,
    windowText: describeWindow({ ms: hunt.request.windowMs }),
    source: hunt.source,
    ...(hunt.request.device !== undefined ? { device: hunt.request.device } : {}),
  };
}

/** When a stored run's result was made: what its relative times count from. */
export function resultTime(hunt: Hunt): Date {
  return hunt.finishedAt ?? hunt.createdAt;
}

/** The card a failed run shows (a hunt's, a device check's, a Details run's). */
export function runFailedView(header: HuntHeader, failure: RunFailure, portal?: PortalLinkView): HuntFailedView {
  return { name: 'huntFailed', header, failure: failure.failure, message: failure.message, ...(portal ? { portal } : {}) };
}
