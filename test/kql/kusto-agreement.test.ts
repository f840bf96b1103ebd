/**
 * The engine's verdicts against Kusto's own parser and analyser (`@kusto/language-service-next`):
 * what the engine runs, Kusto accepts; what the engine refuses as a syntax or semantic error, Kusto
 * refuses too (a few type checks where the engine is deliberately stricter are listed with their
 * reason); what it refuses as unsupported is valid KQL.
 */
import { loadCatalog } from '../../src/hunt/catalog';
import { buildHuntQuery } from '../../src/hunt/kql-builder';
import { parseWindow } from '../../src/hunt/window';
import { KustoReferee } from '../support/kql-language-service';
import { COMPILE_REFUSALS, PARSER_CASE_TABLES, PARSE_REFUSALS } from '../support/kql-cases';
import { ruleQuery } from '../support/kql-rule-query';
import { readShared } from '../support/shared';

jest.setTimeout(30_000);

describe('agreement with Kusto', () => {
  let kusto: KustoReferee;
  beforeAll(() => {
    kusto = new KustoReferee(PARSER_CASE_TABLES);
  });

  test.each([...PARSE_REFUSALS, ...COMPILE_REFUSALS].map((c) => [c.query, c.kind, c] as const))('%j (%s)', (query, kind, c) => {
    const errors = kusto.errors(query);
    if (kind === 'unsupported' || c.stricterThanKusto) expect(errors).toEqual([]);
    else expect(errors.length).toBeGreaterThan(0);
  });

  test('the seed rule, and every query the builder emits for the catalog, are valid KQL', () => {
    const queries = [ruleQuery(readShared('rmm-hunts', 'rmm_Kaseya_filesig.yaml'))];
    for (const tool of loadCatalog().tools.filter((t) => t.fileSignature)) {
      queries.push(buildHuntQuery({ tool, window: parseWindow('5d')! }, { dialect: 'defender' }));
      queries.push(buildHuntQuery({ tool, window: parseWindow('12h')!, device: "ws-o'brien" }, { dialect: 'defender' }));
    }
    const rejected = queries.map((q) => ({ q, errors: kusto.errors(q) })).filter((r) => r.errors.length > 0);
    expect(rejected).toEqual([]);
  });
});
