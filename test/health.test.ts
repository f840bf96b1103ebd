/**
 * `/healthz`'s body: readiness per component, with the details that locate or explain a problem
 * (folders, workspace ids, error text) in the log only — logged when a component's state changes.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AccessToken, TokenCredential } from '@azure/core-auth';
import { createTargets } from '../src/app/create-targets';
import { HealthCheck } from '../src/health';
import { parseWindow } from '../src/hunt/window';
import { SqliteStore } from '../src/store/sqlite/sqlite-store';
import { recordingLog } from './support/recording-log';

const WORKSPACE = '8d3f0a4e-1c2b-4d5e-9f60-7a8b9c0d1e2f';
const IDENTITY_FAILURE = 'ManagedIdentityCredential: connect ECONNREFUSED 169.254.169.254:80 (token endpoint x-identity-header=abc)';

/** The identity of an Azure backend, failing until told otherwise (stands in for Microsoft Entra). */
class SwitchableCredential implements TokenCredential {
  failing = true;
  async getToken(): Promise<AccessToken> {
    if (this.failing) throw new Error(IDENTITY_FAILURE);
    return { token: 'token', expiresOnTimestamp: Date.now() + 3_600_000 };
  }
}

describe('HealthCheck', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'huntops-health-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  test('readiness per component, without paths, workspace ids, store details or error text; those go to the log', async () => {
    const dataDir = path.join(root, 'telemetry', 'not-there-yet');
    const store = SqliteStore.open(path.join(root, 'store', 'huntops.db'));
    const credential = new SwitchableCredential();
    const local = createTargets({ kind: 'local', dataDir, maxWindow: parseWindow('30d')!, engine: { threads: 1, timeoutSeconds: 60, workerMemoryMb: 256, loadWaitSeconds: 0 } });
    const sentinel = createTargets(
      { kind: 'loganalytics', endpoint: 'https://api.loganalytics.io/v1', workspaces: [{ workspaceId: WORKSPACE, alias: 'emea' }], queryTimeoutSeconds: 60 },
      { credential },
    );
    const log = recordingLog();
    const health = new HealthCheck({ store, targets: [...local.all, ...sentinel.all], log });

    const first = await health.report();
    expect(first).toEqual({
      ok: false,
      store: { kind: 'sqlite', ok: true },
      backends: [
        { kind: 'local', ok: false },
        { kind: 'loganalytics', alias: 'emea', ok: false },
      ],
    });
    const body = JSON.stringify(first);
    for (const leak of [root, 'not-there-yet', WORKSPACE, 'ECONNREFUSED', '169.254', 'schema', 'token']) expect(body).not.toContain(leak);

    expect(log.lines.map((l) => [l.level, l.fields.component])).toEqual([
      ['warn', 'backend'],
      ['warn', 'backend emea'],
    ]);
    expect(log.lines[0]!.fields.detail).toContain(dataDir);
    expect(log.lines[1]!.fields.detail).toContain('ECONNREFUSED');

    await health.report();
    expect(log.lines).toHaveLength(2);

    mkdirSync(dataDir, { recursive: true });
    writeFileSync(path.join(dataDir, 'DeviceInfo.jsonl'), '');
    credential.failing = false;
    expect(await health.report()).toEqual({
      ok: true,
      store: { kind: 'sqlite', ok: true },
      backends: [
        { kind: 'local', ok: true },
        { kind: 'loganalytics', alias: 'emea', ok: true },
      ],
    });
    expect(log.lines.slice(2).map((l) => [l.level, l.fields.component, l.message])).toEqual([
      ['info', 'backend', 'health: a component is ready again'],
      ['info', 'backend emea', 'health: a component is ready again'],
    ]);

    await store.close();
    const closed = await health.report();
    expect(closed).toMatchObject({ ok: false, store: { kind: 'sqlite', ok: false } });
    expect(JSON.stringify(closed)).not.toMatch(/database|connection|open/i);
    expect(log.lines.at(-1)).toMatchObject({ level: 'warn', fields: { component: 'store', kind: 'sqlite', detail: expect.stringMatching(/not open|sqlite unavailable/) } });
  });

  test('a check that throws is not ready, and its message is logged, not shown', async () => {
    const log = recordingLog();
    const failing = { kind: 'azuretables', health: () => Promise.reject(new Error('getaddrinfo ENOTFOUND huntops.table.core.windows.net')) };
    const health = new HealthCheck({ store: failing, targets: [], log });
    const report = await health.report();
    expect(report).toEqual({ ok: false, store: { kind: 'azuretables', ok: false }, backends: [] });
    expect(log.lines).toEqual([
      { level: 'warn', fields: { component: 'store', kind: 'azuretables', detail: 'getaddrinfo ENOTFOUND huntops.table.core.windows.net' }, message: 'health: a component is not ready' },
    ]);
  });
});
