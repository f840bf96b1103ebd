/**
 * How the SQLite store writes and reads a hunt's findings, seen in the file by a second connection:
 * a large result is written in several transactions with turns of the event loop between them, a hunt
 * that does not end `done` keeps no finding rows (also those a crashed writer left), and a page is
 * read through the index on the findings' order.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Store } from '../../src/store/store';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';
import { FINDINGS_IN_ORDER, FINDINGS_PER_WRITE } from '../../src/store/sqlite/sqlite-hunts';
import { findings, newHunt } from './store-contract';

let dir: string;
let file: string;
let store: Store;
let peek: Database.Database;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'huntops-findings-'));
  file = path.join(dir, 'huntops.db');
  store = SqliteStore.open(file);
  peek = new Database(file, { readonly: true });
});

afterEach(async () => {
  peek.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const rowsOf = (huntId: string): number => (peek.prepare('SELECT count(*) AS n FROM findings WHERE hunt_id = ?').get(huntId) as { n: number }).n;
const statusOf = (huntId: string): string => (peek.prepare('SELECT status FROM hunts WHERE id = ?').get(huntId) as { status: string }).status;

test('a large result is written a part at a time, and other work runs between the parts', async () => {
  const hunt = await store.createHunt(newHunt());
  const seen: Array<{ status: string; rows: number }> = [];
  let finished = false;
  const look = (): void => {
    seen.push({ status: statusOf(hunt.id), rows: rowsOf(hunt.id) });
    if (!finished) setImmediate(look);
  };
  setImmediate(look);
  expect(await store.finishHunt(hunt.id, { status: 'done', findings: findings(1000) })).toBe(true);
  finished = true;
  await new Promise((resolve) => setImmediate(resolve));
  const whileWriting = seen.filter((s) => s.status === 'running');
  expect(whileWriting.length).toBeGreaterThanOrEqual(Math.floor(1000 / FINDINGS_PER_WRITE) - 1);
  expect(whileWriting.every((s) => s.rows > 0 && s.rows < 1000 && s.rows % FINDINGS_PER_WRITE === 0)).toBe(true);
  expect(await store.listFindings(hunt.id, { offset: 990, limit: 10 })).toEqual(findings(1000).slice(990));
});

test('a result of one part is written with the end of the hunt, in one transaction', async () => {
  const hunt = await store.createHunt(newHunt());
  const finishing = store.finishHunt(hunt.id, { status: 'done', findings: findings(FINDINGS_PER_WRITE) });
  expect([statusOf(hunt.id), rowsOf(hunt.id)]).toEqual(['done', FINDINGS_PER_WRITE]);
  expect(await finishing).toBe(true);
});

test('a hunt interrupted while its findings are written is left with no finding rows', async () => {
  const hunt = await store.createHunt(newHunt());
  const finishing = store.finishHunt(hunt.id, { status: 'done', findings: findings(500) });
  expect(rowsOf(hunt.id)).toBe(FINDINGS_PER_WRITE);
  await new Promise((resolve) => setImmediate(resolve));
  expect(await store.finishHunt(hunt.id, { status: 'interrupted' })).toBe(true);
  expect(await finishing).toBe(false);
  expect([statusOf(hunt.id), rowsOf(hunt.id)]).toEqual(['interrupted', 0]);
});

test('finding rows a crashed writer left are never read, and go when the hunt is marked interrupted', async () => {
  const hunt = await store.createHunt(newHunt());
  const writer = new Database(file);
  const insert = writer.prepare(
    `INSERT INTO findings (hunt_id, row_key, ordinal, device_id, device_name, first_seen, last_seen, count, report_ids, tool_id) VALUES (?, ?, ?, 'd', 'n', 0, 0, 1, '[]', 'kaseya')`,
  );
  for (let i = 0; i < 3; i++) insert.run(hunt.id, String(i), i);
  writer.close();
  expect(await store.listFindings(hunt.id)).toEqual([]);
  expect(await store.getFinding(hunt.id, '1')).toBeUndefined();
  const exclusion = { key: 'k', scope: { kind: 'all' as const }, pattern: 'n', deviceId: 'd', reason: 'r', createdBy: { aadObjectId: 'a', name: 'A' }, expiresAt: null, source: { huntId: hunt.id, rowKey: '1' } };
  expect(await store.addExclusion(exclusion).catch((e: unknown) => e)).toMatchObject({ code: 'not-found' });
  expect(await store.finishHunt(hunt.id, { status: 'interrupted' })).toBe(true);
  expect(rowsOf(hunt.id)).toBe(0);
});

test('a page is read through the index on the findings\' order, not by reading the hunt', () => {
  const plan = peek.prepare(`EXPLAIN QUERY PLAN ${FINDINGS_IN_ORDER}`).all('h', 0, 10) as Array<{ detail: string }>;
  expect(plan.map((step) => step.detail).join('\n')).toMatch(/findings_by_ordinal \(hunt_id=\? AND ordinal>\? AND ordinal<\?\)/);
});
