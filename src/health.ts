/**
 * What `GET /healthz` answers: readiness per component — the store and each place hunts run — and
 * nothing else. Anyone who can reach the port can ask, so the answer names each component by kind
 * (and a backend by the alias analysts use) and says ready or not: no folder paths, workspace ids,
 * store host or error text. Those go to the log, once each time a component's state changes, so a
 * probe every few seconds does not flood it.
 */
import type { Log } from './core/log';
import type { HuntTarget, Readiness } from './core/hunt-targets';
import type { StoreHealth } from './store/store';

/** One place hunts run, as `/healthz` shows it. */
export type BackendHealth = { readonly kind: string; readonly alias?: string; readonly ok: boolean };

/** The body of `/healthz`; `ok` is false when any component is not ready. */
export type HealthReport = {
  readonly ok: boolean;
  readonly store: { readonly kind: string; readonly ok: boolean };
  readonly backends: readonly BackendHealth[];
};

/** What {@link HealthCheck} checks. */
export interface HealthCheckOptions {
  readonly store: { readonly kind: string; health(): Promise<StoreHealth> };
  /** The places hunts run, the default first. */
  readonly targets: readonly HuntTarget[];
  /** Where the details go. */
  readonly log: Log;
}

/** Checks every component and reports readiness without details. */
export class HealthCheck {
  /** Per component: the detail last logged for it (`undefined` while ready). */
  private readonly lastProblem = new Map<string, string | undefined>();

  constructor(private readonly options: HealthCheckOptions) {}

  /** Checks every component now. Never rejects. */
  async report(): Promise<HealthReport> {
    const { store, targets } = this.options;
    const [storeReadiness, backendReadiness] = await Promise.all([
      settle(() => store.health()),
      Promise.all(targets.map((target) => settle(target.ready ?? (async () => ({ ok: true, detail: 'no check' }))))),
    ]);
    this.note('store', store.kind, storeReadiness);
    const backends = targets.map((target, i): BackendHealth => {
      const readiness = backendReadiness[i]!;
      this.note(target.alias ? `backend ${target.alias}` : 'backend', target.backend.kind, readiness);
      return { kind: target.backend.kind, ...(target.alias ? { alias: target.alias } : {}), ok: readiness.ok };
    });
    return {
      ok: storeReadiness.ok && backends.every((b) => b.ok),
      store: { kind: store.kind, ok: storeReadiness.ok },
      backends,
    };
  }

  /** Logs a component's detail when it stops being ready, when its problem changes, and when it is ready again. */
  private note(component: string, kind: string, readiness: Readiness): void {
    const before = this.lastProblem.get(component);
    if (!readiness.ok && readiness.detail !== before) this.options.log.warn({ component, kind, detail: readiness.detail }, 'health: a component is not ready');
    if (readiness.ok && before !== undefined) this.options.log.info({ component, kind }, 'health: a component is ready again');
    this.lastProblem.set(component, readiness.ok ? undefined : readiness.detail);
  }
}

/** A readiness check's answer; a check that throws is not ready, with the error as its detail. */
async function settle(check: () => Promise<Readiness>): Promise<Readiness> {
  try {
    return await check();
  } catch (error) {
    return { ok: false, detail: error instanceof Error ? error.message : String(error) };
  }
}
