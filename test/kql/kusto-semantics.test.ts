/**
 * The engine's answers to the supported constructs, each against rows worked out by hand from the
 * Kusto documentation (see `test/support/kql-semantics-cases.ts`; the agreement test checks the
 * same queries with Kusto's own analyser).
 */
import { executeKql } from '../../src/kql';
import { caseTables, CASES_NOW, SEMANTICS_CASES } from '../support/kql-semantics-cases';

describe('Kusto semantics', () => {
  const tables = caseTables();

  test.each(SEMANTICS_CASES.map((c) => [c.about, c] as const))('%s', (_about, c) => {
    expect(executeKql(c.query, { tables, now: CASES_NOW }).rows).toEqual(c.rows);
  });

  // Scans in slices (how the engine's threads run them, giving way between slices) answer the same.
  test.each(SEMANTICS_CASES.map((c) => [c.about, c] as const))('in slices of one and of two rows: %s', (_about, c) => {
    for (const rows of [1, 2]) {
      let between = 0;
      expect(executeKql(c.query, { tables, now: CASES_NOW, slices: { rows, between: () => void between++ } }).rows).toEqual(c.rows);
      if (/\bwhere\b/.test(c.query)) expect(between).toBeGreaterThan(0);
    }
  });
});
