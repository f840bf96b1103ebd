/**
 * Microsoft Sentinel incidents of one workspace: create with an id the caller chose, update by
 * read-modify-write with the incident's etag, close, comment.
 *
 * Every write is safe to repeat:
 * - {@link SentinelIncidents.createIfAbsent} names the incident by the caller's id, so a retried
 *   create (the pipeline's own retry after a lost answer, an outbox's next attempt, another bot
 *   instance) finds the incident instead of making a second one. A `PUT` without an etag on an
 *   incident that exists answers 409 "Newer version of resource exists": it is read, not overwritten.
 * - {@link SentinelIncidents.update} sends back the etag it read; on 409/412 (someone changed the
 *   incident meanwhile, or an earlier attempt of this very update succeeded) it reads again and
 *   re-applies the change to what it finds, a bounded number of times.
 * - {@link SentinelIncidents.addComment} names the comment by the caller's id; a repeat rewrites the
 *   same comment (or finds it on 409).
 */
import type { ArmCall, ArmClient } from './arm-client';
import {
  readComment,
  readIncident,
  sameProperties,
  writableProperties,
  type IncidentClassification,
  type IncidentClassificationReason,
  type IncidentProperties,
  type SentinelComment,
  type SentinelIncident,
} from './incident-model';
import { SentinelError } from './sentinel-error';
import { isWorkspaceMissing, type SentinelOperation } from './sentinel-failure';
import { sentinelPath, type SentinelWorkspace } from './workspace';

/** How to reach the incidents. */
export interface SentinelIncidentsOptions {
  readonly client: ArmClient;
  readonly workspace: SentinelWorkspace;
  /** Times an update reads again after an etag conflict before it gives up. Default 4. */
  readonly maxConflictRetries?: number;
}

/** How an incident is closed. */
export interface IncidentClosing {
  readonly classification: IncidentClassification;
  readonly classificationReason?: IncidentClassificationReason;
  readonly classificationComment: string;
}

/** The incidents of one Sentinel workspace. */
export class SentinelIncidents {
  readonly workspace: SentinelWorkspace;
  private readonly client: ArmClient;
  private readonly maxConflictRetries: number;

  constructor(options: SentinelIncidentsOptions) {
    this.client = options.client;
    this.workspace = options.workspace;
    this.maxConflictRetries = options.maxConflictRetries ?? 4;
  }

  /** The incident, or `undefined` when there is none with this id. */
  get(incidentId: string, signal?: AbortSignal): Promise<SentinelIncident | undefined> {
    return this.client.run(this.operation(`reading incident ${incidentId}`), (call) => this.read(call, incidentId), signal);
  }

  /**
   * Creates the incident unless one with this id exists. `created` is true when this call's create
   * made it, false when it was there already (made by an earlier attempt, or by anyone).
   */
  createIfAbsent(incidentId: string, properties: IncidentProperties, signal?: AbortSignal): Promise<{ incident: SentinelIncident; created: boolean }> {
    return this.client.run(
      this.operation(`creating incident ${incidentId}`),
      async (call) => {
        const existing = await this.read(call, incidentId);
        if (existing) return { incident: existing, created: false };
        const answer = await call.send('PUT', this.path(incidentId), { properties: writableProperties(properties) });
        if (answer.status === 200 || answer.status === 201) return { incident: call.read(answer, readIncident), created: true };
        if (answer.status !== 409 && answer.status !== 412) throw call.failure(answer);
        const found = await this.read(call, incidentId);
        if (!found) throw call.failure(answer);
        return { incident: found, created: false };
      },
      signal,
    );
  }

  /**
   * Applies `change` to the incident's current properties and writes the result with the etag it
   * read, reading again after a 409/412. `change` returns `undefined` (or the same properties) when
   * there is nothing to do; it may run more than once, so keep it pure. Rejects `not-found` when the
   * incident does not exist, `conflict` when it kept changing.
   */
  update(
    incidentId: string,
    change: (current: IncidentProperties) => IncidentProperties | undefined,
    signal?: AbortSignal,
  ): Promise<{ incident: SentinelIncident; changed: boolean }> {
    const operation = this.operation(`updating incident ${incidentId}`);
    return this.client.run(
      operation,
      async (call) => {
        for (let attempt = 0; attempt <= this.maxConflictRetries; attempt++) {
          const current = await this.read(call, incidentId);
          if (!current) throw new SentinelError('not-found', `Incident ${incidentId} does not exist in Microsoft Sentinel workspace ${this.workspace.name}.`, { area: 'incidents', status: 404 });
          const next = change(current.properties);
          if (!next || sameProperties(next, current.properties)) return { incident: current, changed: false };
          const answer = await call.send('PUT', this.path(incidentId), { ...(current.etag ? { etag: current.etag } : {}), properties: writableProperties(next) });
          if (answer.status === 200 || answer.status === 201) return { incident: call.read(answer, readIncident), changed: true };
          if (answer.status !== 409 && answer.status !== 412) throw call.failure(answer);
        }
        throw new SentinelError(
          'conflict',
          `Incident ${incidentId} kept changing in Microsoft Sentinel while the bot was updating it (${this.maxConflictRetries + 1} attempts); try again later.`,
          { area: 'incidents', status: 409 },
        );
      },
      signal,
    );
  }

  /** Closes the incident; `closed` is false when it was closed already (its classification is then left as it is). */
  async close(incidentId: string, closing: IncidentClosing, signal?: AbortSignal): Promise<{ incident: SentinelIncident; closed: boolean }> {
    const { incident, changed } = await this.update(
      incidentId,
      (current) =>
        current.status === 'Closed'
          ? undefined
          : {
              ...current,
              status: 'Closed',
              classification: closing.classification,
              ...(closing.classificationReason ? { classificationReason: closing.classificationReason } : {}),
              classificationComment: closing.classificationComment,
            },
      signal,
    );
    return { incident, closed: changed };
  }

  /** Adds (or, repeated, rewrites) the comment `commentId`. Rejects `not-found` when the incident does not exist. */
  addComment(incidentId: string, commentId: string, message: string, signal?: AbortSignal): Promise<SentinelComment> {
    return this.client.run(
      this.operation(`commenting on incident ${incidentId}`),
      async (call) => {
        const path = this.path(incidentId, 'comments', commentId);
        const answer = await call.send('PUT', path, { properties: { message } });
        if (answer.status === 200 || answer.status === 201) return call.read(answer, readComment);
        if (answer.status === 404) throw call.missing(answer, `Incident ${incidentId}`);
        if (answer.status !== 409) throw call.failure(answer);
        const found = await call.send('GET', path);
        if (found.status !== 200) throw call.failure(answer);
        return call.read(found, readComment);
      },
      signal,
    );
  }

  private async read(call: ArmCall, incidentId: string): Promise<SentinelIncident | undefined> {
    const answer = await call.send('GET', this.path(incidentId));
    if (answer.status === 404) {
      if (isWorkspaceMissing(answer.text)) throw call.failure(answer);
      return undefined;
    }
    if (answer.status !== 200) throw call.failure(answer);
    return call.read(answer, readIncident);
  }

  private path(incidentId: string, ...more: string[]): string {
    return sentinelPath(this.workspace, 'incidents', incidentId, ...more);
  }

  private operation(doing: string): SentinelOperation {
    return { area: 'incidents', doing, workspace: this.workspace };
  }
}

