/**
 * The store contract on SQLite files (a fresh file in a fresh, not yet existing folder per test).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../src/store/open-store';
import { describeStoreContract, type ContractHarness, type StoreLocation } from './store-contract';
import { describeIncidentContract } from './incident-contract';
import { describeWatchContract } from './watch-contract';

const root = mkdtempSync(join(tmpdir(), 'huntops-store-'));
let counter = 0;

afterAll(() => rmSync(root, { recursive: true, force: true }));

const harness = (): ContractHarness => ({
  async fresh(): Promise<StoreLocation> {
    const spec = `sqlite:${join(root, `case-${++counter}`, 'nested', 'huntops.db')}`;
    return { spec, openOptions: {}, open: (options = {}) => openStore(spec, options) };
  },
});

describeStoreContract('sqlite', harness);
describeWatchContract('sqlite', harness);
describeIncidentContract('sqlite', harness);
