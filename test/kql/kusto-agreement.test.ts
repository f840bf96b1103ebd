/**
 * The engine's verdicts against Kusto's own parser and analyser (`@kusto/language-service-next`),
 * against the Defender table schemas:
 *
 * - every query the hunt builder emits for the catalog is valid KQL (a misspelt column or operator
 *   would fail this: the mutation test below proves the check can fail);
 * - every query the engine answers in the semantics cases is valid KQL with the same result
 *   columns, names and types, as the engine gives;
 * - what the engine refuses as a syntax or semantic error, Kusto refuses too (a few checks where
 *   the engine is deliberately stricter are listed with their reason); what it refuses as
 *   unsupported is valid KQL.
 *
 * The public rules are judged in `public-rules.test.ts`.
 */
import { loadCatalog, type RmmTool } from '../../src/hunt/catalog';
import { buildAllToolsQuery } from '../../src/hunt/hunt-queries-all-tools';
import { buildDeviceCheckQuery } from '../../src/hunt/hunt-queries-device-check';
import { buildHuntQuery, type HuntKind } from '../../src/hunt/kql-builder';
import { parseWindow } from '../../src/hunt/window';
import { DEFENDER_SCHEMAS, executeKql, Table, tablesFrom } from '../../src/kql';
import { KUSTO_AGGREGATE_NAMES, KUSTO_FUNCTION_NAMES } from '../../src/kql/kusto-function-names';
import { KustoReferee, kustoFunctionNames } from '../support/kql-language-service';
import { COMPILE_REFUSALS, PARSER_CASE_TABLES, PARSE_REFUSALS } from '../support/kql-cases';
import { caseTables, CASES_NOW, SEMANTICS_CASES } from '../support/kql-semantics-cases';
import { ruleQuery } from '../support/kql-rule-query';
import { readShared } from '../support/shared';

jest.setTimeout(60_000);

const KINDS: readonly HuntKind[] = ['file-signature', 'process', 'network'];

function hasHunt(tool: RmmTool, kind: HuntKind): boolean {
  return Boolean(kind === 'file-signature' ? tool.fileSignature : kind === 'process' ? tool.process : tool.network);
}

/**
 * Every query shape the hunt builders can emit for the catalog, in the Defender dialect: each
 * tool's hunt of each kind, with and without a device, capped and not; `hunt all`; `check`.
 */
function builderQueries(): string[] {
  const tools = loadCatalog().tools;
  const five = parseWindow('5d')!;
  const queries: string[] = [];
  for (const tool of tools) {
    for (const kind of KINDS.filter((k) => hasHunt(tool, k))) {
      queries.push(buildHuntQuery({ tool, window: five, kind }, { dialect: 'defender' }));
      queries.push(buildHuntQuery({ tool, window: parseWindow('12h')!, device: "ws-o'brien", kind }, { dialect: 'defender', maxDevices: 50 }));
    }
  }
  queries.push(buildAllToolsQuery({ tools, window: five }, { dialect: 'defender' }));
  queries.push(buildAllToolsQuery({ tools, window: five, device: 'ws-fin-014' }, { dialect: 'defender', maxDevices: 200 }));
  queries.push(buildDeviceCheckQuery({ tools, window: five, device: 'WS-FIN-014' }, { dialect: 'defender' }));
  return queries;
}

describe('agreement with Kusto', () => {
  let kusto: KustoReferee;
  /** Every builder query with Kusto's analysis of it, computed once (the all-tools queries are large). */
  let analysed: Array<{ query: string; errors: string[]; columns: string[] }>;
  beforeAll(() => {
    kusto = new KustoReferee(PARSER_CASE_TABLES);
    const queries = [ruleQuery(readShared('rmm-hunts', 'rmm_Kaseya_filesig.yaml')), ...builderQueries()];
    analysed = queries.map((query) => {
      const { errors, columns } = kusto.analyse(query);
      return { query, errors: errors.map((e) => e.message), columns };
    });
  }, 300_000);

  /** The queries Kusto rejects, with its errors. */
  const rejected = (queries: readonly string[]): Array<{ query: string; errors: string[] }> =>
    queries.map((query) => ({ query, errors: kusto.errors(query).map((e) => e.message) })).filter((r) => r.errors.length > 0);

  test('the seed rule, and every query the builders emit for the catalog, are valid KQL', () => {
    expect(analysed.length).toBeGreaterThan(300);
    expect(analysed.filter((a) => a.errors.length > 0).map(({ query, errors }) => ({ query, errors }))).toEqual([]);
  });

  test('every query the builders emit for the catalog runs on the engine, with the result columns Kusto computes', () => {
    const tables = tablesFrom(Object.entries(DEFENDER_SCHEMAS).map(([name, schema]) => Table.fromRecords(name, schema, [])));
    const mismatched = analysed
      .map(({ query, columns }) => ({ query, engine: executeKql(query, { tables, now: CASES_NOW }).columns.map((c) => `${c.name}:${c.type}`), kusto: columns }))
      .filter((r) => JSON.stringify(r.engine) !== JSON.stringify(r.kusto));
    expect(mismatched).toEqual([]);
  });

  test.each<[string, (query: string) => string, string]>([
    ['a misspelt column', (q) => q.replace('Signer has', 'Signr has'), "The name 'Signr' does not refer to any known column"],
    ['a column in the wrong case', (q) => q.replace('by DeviceId', 'by deviceid'), "The name 'deviceid' does not refer to any known column"],
    ['a misspelt operator', (q) => q.replace('Signer has', 'Signer hsa'), 'Expected'],
    ['a misspelt function', (q) => q.replace('make_set(', 'make_sett('), "The name 'make_sett' does not refer to any known"],
  ])('the check fails for a builder query with %s', (_what, mutate, message) => {
    const query = builderQueries()[0]!;
    const mutated = mutate(query);
    expect(mutated).not.toBe(query);
    const found = rejected([mutated]);
    expect(found).toHaveLength(1);
    expect(found[0]!.errors.join('\n')).toContain(message);
  });

  test.each(SEMANTICS_CASES.map((c) => [c.about, c] as const))('Kusto accepts, with the same result columns: %s', (_about, c) => {
    expect(kusto.errors(c.query)).toEqual([]);
    const engine = executeKql(c.query, { tables: caseTables(), now: CASES_NOW }).columns.map((col) => `${col.name}:${col.type}`);
    expect(engine).toEqual(kusto.resultColumns(c.query));
  });

  test.each([...PARSE_REFUSALS, ...COMPILE_REFUSALS].map((c) => [c.query, c.kind, c] as const))('refused: %j (%s)', (query, kind, c) => {
    const errors = kusto.errors(query);
    if (kind === 'unsupported' || c.stricterThanKusto) expect(errors).toEqual([]);
    else expect(errors.length).toBeGreaterThan(0);
  });

  test("the engine's lists of Kusto's function names are Kusto's", () => {
    const { functions, aggregates } = kustoFunctionNames();
    expect([...KUSTO_FUNCTION_NAMES].sort()).toEqual([...new Set(functions)].sort());
    expect([...KUSTO_AGGREGATE_NAMES].sort()).toEqual([...new Set(aggregates)].sort());
  });
});
