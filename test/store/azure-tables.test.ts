/**
 * The store contract on Azure Table Storage, against Azurite started for this file (fresh tables,
 * under a random prefix, per test).
 */
import { randomBytes } from 'node:crypto';
import { openStore } from '../../src/store/open-store';
import { startAzurite, type Azurite } from '../support/azurite';
import { describeStoreContract, type ContractHarness, type StoreLocation } from './store-contract';
import { describeIncidentContract } from './incident-contract';
import { describeWatchContract } from './watch-contract';

let azurite: Azurite;

beforeAll(async () => {
  azurite = await startAzurite();
}, 60_000);

afterAll(async () => {
  await azurite?.stop();
});

const harness = (): ContractHarness => ({
  async fresh(): Promise<StoreLocation> {
    const spec = `azuretables:${azurite.connectionString}`;
    const tablePrefix = `t${randomBytes(6).toString('hex')}`;
    return { spec, openOptions: { tablePrefix }, open: (options = {}) => openStore(spec, { ...options, tablePrefix }) };
  },
});

describeStoreContract('azuretables', harness);
describeWatchContract('azuretables', harness);
describeIncidentContract('azuretables', harness);
