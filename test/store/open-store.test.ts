/**
 * `HUNT_STORE` parsing and opening: clear errors that never contain the connection string, and the
 * SQLite file's setup (folder creation, WAL, schema version).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { describeStoreSpec, openStore, parseStoreSpec } from '../../src/store/open-store';
import { MIGRATIONS } from '../../src/store/sqlite/schema';
import { StoreError } from '../../src/store/store-error';

const SECRET = 'c2VjcmV0LWtleS1kby1ub3QtbG9nLW1lLXNlY3JldC1rZXk=';

function failure(run: () => unknown): StoreError {
  try {
    run();
  } catch (error) {
    if (error instanceof StoreError) return error;
    throw error;
  }
  throw new Error('expected a StoreError');
}

describe('parseStoreSpec', () => {
  it('parses sqlite paths, resolving relative ones', () => {
    expect(parseStoreSpec('sqlite:/var/lib/huntops/store.db')).toEqual({ kind: 'sqlite', path: '/var/lib/huntops/store.db' });
    expect(parseStoreSpec('sqlite:.huntops/store.db')).toEqual({ kind: 'sqlite', path: resolve('.huntops/store.db') });
    expect(parseStoreSpec('SQLite::memory:')).toEqual({ kind: 'sqlite', path: ':memory:' });
  });

  it('parses Azure connection strings and allows http only to loopback', () => {
    const cloud = `DefaultEndpointsProtocol=https;AccountName=huntops;AccountKey=${SECRET};EndpointSuffix=core.windows.net`;
    expect(parseStoreSpec(`azuretables:${cloud}`)).toMatchObject({ kind: 'azuretables', host: 'huntops.table.core.windows.net', insecure: false });
    const azurite = `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${SECRET};TableEndpoint=http://127.0.0.1:10002/devstoreaccount1;`;
    expect(parseStoreSpec(`azuretables:${azurite}`)).toMatchObject({ host: '127.0.0.1:10002', insecure: true });
    expect(parseStoreSpec('azuretables:UseDevelopmentStorage=true')).toMatchObject({ insecure: true });
    expect(parseStoreSpec(`azuretables:TableEndpoint=https://x.table.core.windows.net;SharedAccessSignature=sv=2024&sig=${SECRET}`)).toMatchObject({
      host: 'x.table.core.windows.net',
    });
  });

  it.each([
    ['', /sqlite:<path> or azuretables:<connection string>/],
    ['sqlite:', /path is empty/],
    ['sqlite://tmp/x.db', /not a URL/],
    ['postgres://u:p@h/db', /not 'postgres:'/],
    ['azuretables:', /connection string is empty/],
    [`azuretables:AccountName=huntops;AccountKey=${SECRET};garbage`, /Name=value/],
    ['azuretables:AccountName=huntops', /lacks AccountKey or SharedAccessSignature/],
    [`azuretables:AccountKey=${SECRET}`, /lacks AccountName or TableEndpoint/],
    [`azuretables:AccountName=a;AccountKey=${SECRET};TableEndpoint=http://10.0.0.5:10002/a`, /plain http is allowed only to a loopback/],
    [`azuretables:DefaultEndpointsProtocol=http;AccountName=a;AccountKey=${SECRET}`, /plain http is allowed only to a loopback/],
    [`azuretables:AccountName=a;AccountKey=${SECRET};TableEndpoint=ftp://x/`, /must be https/],
    [`azuretables:AccountName=a;AccountKey=${SECRET};TableEndpoint=not a url`, /not a URL/],
  ])('refuses %j clearly, without the secret', (spec, message) => {
    const error = failure(() => parseStoreSpec(spec));
    expect(error.code).toBe('invalid');
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain(SECRET);
    expect(error.message).not.toContain('u:p');
  });

  it('describes a spec for logs without the secret', () => {
    const spec = parseStoreSpec(`azuretables:DefaultEndpointsProtocol=https;AccountName=huntops;AccountKey=${SECRET}`);
    expect(describeStoreSpec(spec)).toBe('azuretables huntops.table.core.windows.net');
  });
});

describe('openStore', () => {
  const root = mkdtempSync(join(tmpdir(), 'huntops-open-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('creates the sqlite file and its folders, in WAL mode, at the latest schema', async () => {
    const path = join(root, 'a', 'b', 'store.db');
    const store = await openStore(`sqlite:${path}`);
    expect(store.kind).toBe('sqlite');
    expect(await store.health()).toEqual({ ok: true, kind: 'sqlite', detail: `sqlite schema ${MIGRATIONS.length}` });
    await store.close();
    expect(existsSync(path)).toBe(true);
    const db = new Database(path, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    db.close();
    const again = await openStore(`sqlite:${path}`);
    expect((await again.health()).ok).toBe(true);
    await again.close();
  });

  describe('file permissions: only the bot\'s user can read the store', () => {
    const mode = (file: string): number => statSync(file).mode & 0o777;
    let umask: number;
    beforeAll(() => {
      umask = process.umask(0o022);
    });
    afterAll(() => {
      process.umask(umask);
    });

    it('creates the folder 0700 and the database, WAL and shared-memory files 0600 (under the common umask 022)', async () => {
      const folder = join(root, 'private', 'nested');
      const path = join(folder, 'store.db');
      const store = await openStore(`sqlite:${path}`);
      await store.appendAudit({ actor: { aadObjectId: 'a', name: 'A' }, conversationId: 'c', action: 'hunt', details: {}, outcome: 'ok' });
      expect(existsSync(`${path}-wal`) && existsSync(`${path}-shm`)).toBe(true);
      expect({ folder: mode(folder), parent: mode(join(root, 'private')), db: mode(path), wal: mode(`${path}-wal`), shm: mode(`${path}-shm`) }).toEqual({
        folder: 0o700,
        parent: 0o700,
        db: 0o600,
        wal: 0o600,
        shm: 0o600,
      });
      await store.close();
    });

    it('tightens the files of a store created readable by others, and leaves an existing folder as it was', async () => {
      const folder = join(root, 'shared-folder');
      mkdirSync(folder, { mode: 0o755 });
      const path = join(folder, 'store.db');
      new Database(path).close();
      writeFileSync(`${path}-wal`, '', { mode: 0o644 });
      expect({ db: mode(path), wal: mode(`${path}-wal`) }).toEqual({ db: 0o644, wal: 0o644 });
      const store = await openStore(`sqlite:${path}`);
      expect({ folder: mode(folder), db: mode(path), wal: mode(`${path}-wal`) }).toEqual({ folder: 0o755, db: 0o600, wal: 0o600 });
      await store.close();
    });
  });

  it('refuses a sqlite file written by a newer HuntOps', async () => {
    const path = join(root, 'newer.db');
    const db = new Database(path);
    db.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    db.close();
    await expect(openStore(`sqlite:${path}`)).rejects.toThrow(/newer than this HuntOps/);
  });

  it('reports an unreachable Azure endpoint as unavailable, naming the host but not the key', async () => {
    const spec = `azuretables:DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${SECRET};TableEndpoint=http://127.0.0.1:9/devstoreaccount1`;
    const error = await openStore(spec).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).code).toBe('unavailable');
    expect((error as StoreError).message).toContain('127.0.0.1:9');
    expect((error as StoreError).message).not.toContain(SECRET);
  }, 30_000);
});
