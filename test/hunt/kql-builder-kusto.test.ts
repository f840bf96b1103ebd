/**
 * Kusto's own parser and semantic analysis (`@kusto/language-service-next`) accepts every query the
 * hunt builders can emit, for every catalog tool and kind, in both dialects, with and without a
 * device: against the Defender tables as documented (`Timestamp`), and against the same tables as
 * Log Analytics has them for the `loganalytics` dialect (`TimeGenerated`; `Timestamp` removed so
 * that a query using it fails).
 */
import type { Dialect } from '../../src/backends/backend';
import { loadCatalog, type RmmTool } from '../../src/hunt/catalog';
import { buildAllToolsQuery } from '../../src/hunt/hunt-queries-all-tools';
import { buildDeviceCheckQuery } from '../../src/hunt/hunt-queries-device-check';
import { buildHuntQuery, type HuntKind } from '../../src/hunt/kql-builder';
import { parseWindow } from '../../src/hunt/window';
import { DEFENDER_SCHEMAS } from '../../src/kql/schemas';
import type { TableSchema } from '../../src/kql/table';
import { KustoReferee } from '../support/kql-language-service';

const catalog = loadCatalog();
const HOSTILE_DEVICE = "ws-01' or 1==1 | take 10 //\\\" \n";
const DEVICES: ReadonlyArray<string | undefined> = [undefined, HOSTILE_DEVICE];
const WINDOWS = ['5d', '90m', 'P1DT12H'].map((w) => parseWindow(w)!);

function logAnalyticsSchemas(): Record<string, TableSchema> {
  return Object.fromEntries(
    Object.entries(DEFENDER_SCHEMAS).map(([table, columns]) => [
      table,
      [{ name: 'TimeGenerated', type: 'datetime' }, ...columns.filter((c) => c.name !== 'Timestamp')],
    ]),
  );
}

function hasKind(tool: RmmTool, kind: HuntKind): boolean {
  return Boolean(kind === 'file-signature' ? tool.fileSignature : kind === 'process' ? tool.process : tool.network);
}

describe("Kusto's parser accepts every query the builders emit", () => {
  let referees: Record<Dialect, KustoReferee>;
  beforeAll(() => {
    referees = { defender: new KustoReferee(), loganalytics: new KustoReferee(logAnalyticsSchemas()) };
  }, 30_000);

  test('the referees are strict: a misspelt column, or Timestamp in Log Analytics, is an error', () => {
    const kaseya = catalog.get('kaseya')!;
    const defenderQuery = buildHuntQuery({ tool: kaseya, window: WINDOWS[0]! }, { dialect: 'defender' });
    expect(referees.defender.errors(defenderQuery)).toEqual([]);
    expect(referees.loganalytics.errors(defenderQuery).map((e) => e.message).join('\n')).toMatch(/'Timestamp'/);
    expect(referees.defender.errors(defenderQuery.replace('Signer has', 'Signr has')).length).toBeGreaterThan(0);
  });

  const kinds: HuntKind[] = ['file-signature', 'process', 'network'];
  const hunts = catalog.tools.flatMap((tool) => kinds.filter((kind) => hasKind(tool, kind)).map((kind) => [tool.id, kind, tool] as const));

  test('there are 437 tool hunts to check', () => {
    expect(hunts).toHaveLength(79 + 189 + 169);
  });

  test.each(['defender', 'loganalytics'] as const)('every tool hunt of every kind, %s dialect', (dialect) => {
    for (const [id, kind, tool] of hunts) {
      for (const device of DEVICES) {
        const query = buildHuntQuery({ tool, window: WINDOWS[0]!, kind, ...(device !== undefined ? { device } : {}) }, { dialect });
        expect({ id, kind, device, errors: referees[dialect].errors(query) }).toEqual({ id, kind, device, errors: [] });
      }
    }
  }, 120_000);

  test.each(['defender', 'loganalytics'] as const)('windows in every unit, %s dialect', (dialect) => {
    for (const window of WINDOWS) {
      for (const kind of kinds) {
        const query = buildHuntQuery({ tool: catalog.get('dwservice')!, window, kind }, { dialect });
        expect({ window, kind, errors: referees[dialect].errors(query) }).toEqual({ window, kind, errors: [] });
      }
    }
  });

  test.each(['defender', 'loganalytics'] as const)('the all-tools hunt, %s dialect', (dialect) => {
    for (const device of DEVICES) {
      const query = buildAllToolsQuery({ tools: catalog.tools, window: WINDOWS[0]!, ...(device !== undefined ? { device } : {}) }, { dialect });
      expect({ device, errors: referees[dialect].errors(query) }).toEqual({ device, errors: [] });
    }
    const one = buildAllToolsQuery({ tools: [catalog.get('kaseya')!], window: WINDOWS[1]! }, { dialect });
    expect(referees[dialect].errors(one)).toEqual([]);
  }, 30_000);

  test.each(['defender', 'loganalytics'] as const)('the device check, %s dialect', (dialect) => {
    for (const device of DEVICES.filter((d): d is string => d !== undefined)) {
      const query = buildDeviceCheckQuery({ tools: catalog.tools, window: WINDOWS[2]!, device }, { dialect });
      expect({ device, errors: referees[dialect].errors(query) }).toEqual({ device, errors: [] });
    }
    const dwservice = buildDeviceCheckQuery({ tools: [catalog.get('dwservice')!], window: WINDOWS[0]!, device: 'ws-1' }, { dialect });
    expect(referees[dialect].errors(dwservice)).toEqual([]);
  }, 30_000);
});
