import { KqlError, parseKql } from '../../src/kql';
import type { Expression, NamedExpression, QueryOperator } from '../../src/kql/ast';
import { PARSE_REFUSALS } from '../support/kql-cases';

/** A compact, unambiguous rendering of an expression tree. */
function show(e: Expression): string {
  switch (e.kind) {
    case 'literal':
      return e.type === 'string' ? JSON.stringify(e.value) : `${e.type}:${String(e.value)}`;
    case 'name':
      return e.name;
    case 'call':
      return `${e.name}(${e.args.map(show).join(', ')})`;
    case 'binary':
      return `(${e.operator} ${show(e.left)} ${show(e.right)})`;
    case 'unary':
      return `(${e.operator} ${show(e.operand)})`;
    case 'between':
      return `(${e.negated ? '!' : ''}between ${show(e.operand)} ${show(e.low)} ${show(e.high)})`;
    case 'list-operator':
      return `(${e.operator} ${show(e.operand)} [${e.items.map(show).join(', ')}])`;
  }
}

const named = (n: NamedExpression): string => (n.name ? `${n.name.text}=${show(n.expression)}` : show(n.expression));

function showOperator(op: QueryOperator): string {
  return op.kind === 'where'
    ? `where ${show(op.predicate)}`
    : `summarize [${op.aggregates.map(named).join(', ')}] by [${op.by.map(named).join(', ')}]`;
}

const predicate = (text: string): string => {
  const op = parseKql(`T | where ${text}`).body.operators[0]!;
  return op.kind === 'where' ? show(op.predicate) : '';
};

const parseError = (text: string): KqlError => {
  try {
    parseKql(text);
  } catch (e) {
    if (e instanceof KqlError) return e;
    throw e;
  }
  throw new Error(`no error for ${JSON.stringify(text)}`);
};

describe('parser: expressions', () => {
  test.each<[string, string]>([
    ['a or b and c', '(or a (and b c))'],
    ['a and b or c', '(or (and a b) c)'],
    ['a and b and c', '(and (and a b) c)'],
    ["Signer has 'x' and DeviceName =~ 'y' or not(Signer has 'z')", '(or (and (has Signer "x") (=~ DeviceName "y")) not((has Signer "z")))'],
    ["(a or b) and c", '(and (or a b) c)'],
    ['Timestamp between (Time_start..Time_end)', '(between Timestamp Time_start Time_end)'],
    ['Timestamp between(now(-5d) .. now())', '(between Timestamp now((- timespan:432000000)) now())'],
    ['x !between (1 .. 2)', '(!between x long:1 long:2)'],
    ["Signer has_any ('a', 'b', 'c')", '(has_any Signer ["a", "b", "c"])'],
    ["Signer has_any ('a')", '(has_any Signer ["a"])'],
    ["Signer has ('a')", '(has Signer "a")'],
    ["Signer has 'a' 'b'", '(has Signer "ab")'],
    ["Signer has @'C:\\x' 'y'", '(has Signer "C:\\\\xy")'],
    ['a == b + c * d', '(== a (+ b (* c d)))'],
    ['a - -b == 1', '(== (- a (- b)) long:1)'],
    ["FileName contains 'x'", '(contains FileName "x")'],
    ["FileName matches regex 'x'", '(matches regex FileName "x")'],
    ["Sha1 in ('a', 'b')", '(in Sha1 ["a", "b"])'],
    ["Sha1 !in~ ('a')", '(!in~ Sha1 ["a"])'],
    ["DeviceName =~ 'ws' or DeviceName startswith 'ws.'", '(or (=~ DeviceName "ws") (startswith DeviceName "ws."))'],
    ['IsTrusted == true', '(== IsTrusted bool:true)'],
  ])('%s', (text, expected) => {
    expect(predicate(text)).toBe(expected);
  });
});

describe('parser: queries', () => {
  test('the seed hunt', () => {
    const query = parseKql(
      [
        'let Time_start = now(-5d);',
        'let Time_end = now();',
        '//',
        'DeviceFileCertificateInfo',
        '| where Timestamp between (Time_start..Time_end)',
        "| where Signer has 'Kaseya'",
        '| summarize FirstSeen=min(Timestamp), LastSeen=max(Timestamp), ',
        '    Report=make_set(ReportId), Count=count() by DeviceId, DeviceName',
      ].join('\r\n'),
    );
    expect(query.lets.map((l) => `${l.name.text}=${show(l.value)}`)).toEqual(['Time_start=now((- timespan:432000000))', 'Time_end=now()']);
    expect(query.body.source.text).toBe('DeviceFileCertificateInfo');
    expect(query.body.operators.map(showOperator)).toEqual([
      'where (between Timestamp Time_start Time_end)',
      'where (has Signer "Kaseya")',
      'summarize [FirstSeen=min(Timestamp), LastSeen=max(Timestamp), Report=make_set(ReportId), Count=count()] by [DeviceId, DeviceName]',
    ]);
  });

  test.each<[string, string[]]>([
    ['T', []],
    ['T;', []],
    ['T | summarize count()', ['summarize [count()] by []']],
    ['T | summarize by A', ['summarize [] by [A]']],
    ['T | summarize n = count() by Key = A, B', ['summarize [n=count()] by [Key=A, B]']],
    ["T | where a has 'x' | where b == 1", ['where (has a "x")', 'where (== b long:1)']],
  ])('%s', (text, operators) => {
    expect(parseKql(text).body.operators.map(showOperator)).toEqual(operators);
  });

  test.each(PARSE_REFUSALS.map((c) => [c.query, c.kind, c] as const))('%j → %s', (text, kind, c) => {
    const error = parseError(text);
    expect(error.kind).toBe(kind);
    expect(error.detail).toContain(c.message);
    expect(error.position).toEqual({ line: c.line, column: c.column });
  });

  test('an empty query has no tabular expression', () => {
    const error = parseError('  // nothing\n');
    expect(error.kind).toBe('syntax');
    expect(error.detail).toBe('the query has no tabular expression (a table name to query)');
    expect(error.position).toEqual({ line: 2, column: 1 });
  });
});
