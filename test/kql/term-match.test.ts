/**
 * `has` and `has_any`, worked out by hand from Kusto's documentation (see src/kql/term-match.ts):
 * terms are maximal runs of ASCII letters and digits; matching is case-insensitive; a multi-term
 * needle matches as a phrase starting and ending on term boundaries.
 */
import { executeKql, KqlError } from '../../src/kql';
import { NeedleWithoutTermError, prepareHas } from '../../src/kql/term-match';
import { certificateTables } from '../support/kql-tables';

const has = (text: string, needle: string): boolean => prepareHas(needle)(text);

describe('has: term rules', () => {
  test.each<[string, string, boolean, string]>([
    // Kusto's documented examples
    ['North America', 'america', true, 'whole term, other case'],
    ['North America', 'amer', false, 'a prefix of a term is not a term'],
    ['KustoExplorerQueryRun', 'Explorer', false, 'a substring inside a term is not a term'],
    ['Kusto: ad67d136-c1db-4f9f-88ef-d94f3b6b0b5a;KustoExplorerQueryRun', 'c1db', true, 'terms are split at - and ;'],
    ['Kusto: ad67d136-c1db-4f9f-88ef-d94f3b6b0b5a;KustoExplorerQueryRun', 'KustoExplorerQueryRun', true, 'last term'],
    ['Kusto: ad67d136-c1db-4f9f-88ef-d94f3b6b0b5a;KustoExplorerQueryRun', 'Kusto', true, 'first term'],
    // the hunts' signers
    ['Kaseya Holdings Inc.', 'Kaseya', true, 'first term of a signer'],
    ['KASEYA LIMITED', 'kaseya', true, 'case-insensitive'],
    ['Kaseya', 'KASEYA', true, 'whole string'],
    ['KaseyaTools Ltd', 'Kaseya', false, 'look-alike: Kaseya is a prefix of the term KaseyaTools'],
    ['NotKaseya', 'Kaseya', false, 'look-alike: Kaseya is a suffix of the term NotKaseya'],
    ['Kaseya2 Inc', 'Kaseya', false, 'digits are term characters'],
    ['Kaseya_Agent', 'Kaseya', true, 'underscore is not ASCII alphanumeric, so it separates terms'],
    ['NotKaseya, Kaseya Corp', 'Kaseya', true, 'a later occurrence on term boundaries counts'],
    ['', 'Kaseya', false, 'empty text has no terms'],
    ['Kas', 'Kaseya', false, 'needle longer than the text'],
    // phrases
    ['Action1 Corporation', 'Action1 Corporation', true, 'phrase, exact'],
    ['ACTION1 CORPORATION', 'action1 corporation', true, 'phrase, case-insensitive'],
    ['Action1 Corporations', 'Action1 Corporation', false, 'phrase must end on a term boundary'],
    ['XAction1 Corporation', 'Action1 Corporation', false, 'phrase must start on a term boundary'],
    ['Action1  Corporation', 'Action1 Corporation', false, 'separators between the phrase terms must match'],
    ['Level Software, Inc', 'Level Software, Inc', true, 'phrase with punctuation'],
    ['Level Software, Inc.', 'Level Software, Inc', true, 'a separator after the phrase is a boundary'],
    ['Level Software Inc', 'Level Software, Inc', false, 'the comma is part of the phrase'],
    ['ad67d136-c1db-4f9f', 'ad67d136-c1db', true, 'phrase made of hyphenated terms'],
    ['ad67d136-c1db-4f9f', 'd136-c1db', false, 'phrase starting inside a term'],
    ['Servably, Inc.', 'Servably, Inc.', true, 'needle ending with a separator'],
    ['Servably, Inc.Extra', 'Servably, Inc.', true, 'a needle edge that is a separator needs no boundary after it'],
    ['C:\\Program Files\\Level\\agent.exe', '\\Program Files\\Level\\', true, 'needle starting and ending with separators'],
    // non-ASCII: only A-Z a-z 0-9 make terms, so Ü and ä separate terms
    ['DWSNET OÜ', 'DWSNET OÜ', true, 'phrase with a non-ASCII letter'],
    ['dwsnet oü', 'DWSNET OÜ', true, 'non-ASCII letters compare case-insensitively'],
    ['DWSNET OÜ', 'DWSNET', true, 'first term'],
    ['DWSNET OÜ', 'O', true, 'Ü separates, so O is a whole term'],
    ['DWSNET OÜ', 'OÜ', true, 'O is a term and Ü a separator'],
    ['DWSNET OÜ', 'DWSNET O', true, 'phrase ending at the term O'],
    ['Krämer IT Solutions GmbH', 'Krämer IT Solutions GmbH', true, 'whole signer'],
    ['KRÄMER IT SOLUTIONS GMBH', 'Krämer IT Solutions GmbH', true, 'case-insensitive across ä/Ä'],
    ['Krämer IT Solutions GmbH', 'Kr', true, 'ä separates: Kr is a term'],
    ['Krämer IT Solutions GmbH', 'mer', true, 'ä separates: mer is a term'],
    ['Krämer IT Solutions GmbH', 'Kramer', false, 'a is not ä'],
  ])('%j has %j is %s (%s)', (text, needle, expected) => {
    expect(has(text, needle)).toBe(expected);
  });

  test.each(['', ' ', '.', ', ', 'Ü'])('a needle without a term (%j) is refused', (needle) => {
    expect(() => prepareHas(needle)).toThrow(NeedleWithoutTermError);
  });
});

describe('has and has_any in queries', () => {
  const tables = certificateTables([
    { DeviceId: 'd1', Signer: 'AnyDesk Software GmbH' },
    { DeviceId: 'd2', Signer: 'philandro Software GmbH' },
    { DeviceId: 'd3', Signer: 'AnyDeskSoftware GmbH' },
    { DeviceId: 'd4', Signer: 'Software AnyDesk' },
    { DeviceId: 'd5', Signer: '' },
    // Kusto strings are never null: a null signer is the empty string
    { DeviceId: 'd6', Signer: null },
  ]);
  const now = new Date('2024-06-10T12:00:00Z');
  const devices = (predicate: string): string[] =>
    executeKql(`DeviceFileCertificateInfo | where ${predicate}`, { tables, now }).rows.map((r) => r['DeviceId'] as string);
  const refusal = (predicate: string): KqlError => {
    try {
      devices(predicate);
    } catch (e) {
      if (e instanceof KqlError) return e;
      throw e;
    }
    throw new Error('no error');
  };

  test.each<[string, string[]]>([
    ["Signer has_any ('anydesk software', 'philandro software')", ['d1', 'd2']],
    ["Signer has_any ('ANYDESK')", ['d1', 'd4']],
    ["Signer has_any ('nothing', 'here')", []],
    ["Signer has 'software'", ['d1', 'd2', 'd4']],
    ["Signer has 'AnyDesk Software'", ['d1']],
    ["not(Signer has 'GmbH')", ['d4', 'd5', 'd6']],
    ["Signer == ''", ['d5', 'd6']],
    ["Signer has_any ('GmbH') or Signer == ''", ['d1', 'd2', 'd3', 'd5', 'd6']],
  ])('%s', (predicate, expected) => {
    expect(devices(predicate)).toEqual(expected);
  });

  test.each<[string, number]>([
    // the query starts with "DeviceFileCertificateInfo | where " (34 characters)
    ["Signer has ''", 34 + 8],
    ["Signer has_any ('AnyDesk', '.')", 34 + 28],
  ])('%s is refused with its position', (predicate, column) => {
    const error = refusal(predicate);
    expect(error.kind).toBe('unsupported');
    expect(error.detail).toMatch(/needs a needle with a letter or digit/);
    expect(error.position).toEqual({ line: 1, column });
  });
});
