import { KqlError, parseKql } from '../../src/kql';
import type { Expression, NamedExpression, PipelineExpression, Query, QueryOperator } from '../../src/kql/ast';
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
    case 'star':
      return '*';
    case 'element':
      return `${show(e.target)}[${show(e.index)}]`;
    case 'parenthesized':
      return e.inner.kind === 'pipeline' ? `(${show(e.inner)})` : show(e.inner);
    case 'datatable':
      return `datatable(${e.columns.map((c) => `${c.name.text}:${c.type}`).join(', ')})[${e.values.map(show).join(', ')}]`;
    case 'pipeline':
      return `${show(e.source)} | ${e.operators.map(showOperator).join(' | ')}`;
    case 'union':
      return `union ${e.items.map(show).join(', ')}`;
  }
}

/** The pipeline a query's body is. */
const pipeline = (query: Query): PipelineExpression => {
  if (query.body.kind !== 'pipeline') throw new Error(`the body is a ${query.body.kind}, not a pipeline`);
  return query.body;
};
const operators = (text: string): string[] => {
  const body = parseKql(text).body;
  return body.kind === 'pipeline' ? body.operators.map(showOperator) : [];
};

const named = (n: NamedExpression): string => (n.name ? `${n.name.text}=${show(n.expression)}` : show(n.expression));

const sortKey = (k: { expression: Expression; descending: boolean; nullsFirst: boolean }): string =>
  `${show(k.expression)} ${k.descending ? 'desc' : 'asc'} nulls ${k.nullsFirst ? 'first' : 'last'}`;

function showOperator(op: QueryOperator): string {
  switch (op.kind) {
    case 'where':
      return `where ${show(op.predicate)}`;
    case 'summarize':
      return `summarize [${op.aggregates.map(named).join(', ')}] by [${op.by.map(named).join(', ')}]`;
    case 'extend':
    case 'project':
      return `${op.kind} [${op.items.map(named).join(', ')}]`;
    case 'distinct':
      return `distinct ${op.star ? '*' : `[${op.items.map(named).join(', ')}]`}`;
    case 'project-away':
      return `project-away [${op.columns.map((c) => c.text).join(', ')}]`;
    case 'project-rename':
      return `project-rename [${op.renames.map((r) => `${r.name.text}=${r.from.text}`).join(', ')}]`;
    case 'sort':
      return `sort [${op.keys.map(sortKey).join(', ')}]`;
    case 'top':
      return `top ${show(op.count)} [${op.keys.map(sortKey).join(', ')}]`;
    case 'take':
      return `take ${show(op.count)}`;
    case 'count':
      return 'count';
    case 'join':
    case 'lookup':
      return `${op.kind} ${op.flavor} ${show(op.right)} on [${op.conditions.map((c) => (c.right ? `$left.${c.left.text}==$right.${c.right.text}` : c.left.text)).join(', ')}]`;
  }
}

const predicate = (text: string): string => {
  const op = pipeline(parseKql(`T | where ${text}`)).operators[0]!;
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
    expect(show(pipeline(query).source)).toBe('DeviceFileCertificateInfo');
    expect(pipeline(query).operators.map(showOperator)).toEqual([
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
    ["T | filter a has 'x'", ['where (has a "x")']],
    ['T | extend x = a, tolower(b) | project x, y = 1', ['extend [x=a, tolower(b)]', 'project [x, y=long:1]']],
    ['T | project-away a, b | project-rename c = d', ['project-away [a, b]', 'project-rename [c=d]']],
    ['T | order by a, b asc | sort by c desc nulls first', ['sort [a desc nulls last, b asc nulls first]', 'sort [c desc nulls first]']],
    ['T | top 5 by a asc nulls last | take 3 | limit 2', ['top long:5 [a asc nulls last]', 'take long:3', 'take long:2']],
    ['T | distinct a, b | distinct * | count', ['distinct [a, b]', 'distinct *', 'count']],
    ['T | summarize arg_max(t, *) by a', ['summarize [arg_max(t, *)] by [a]']],
    ["T | where x in ((U | distinct b))", ['where (in x [(U | distinct [b])])']],
    ['T | where x in (V)', ['where (in x [V])']],
    ["T | extend h = tostring(split(u, '/')[0]), m = d.k.m", ['extend [h=tostring(split(u, "/")[long:0]), m=d["k"]["m"]]']],
    ['T | join U on b', ['join innerunique U on [b]']],
    ['T | join kind=leftouter (U | where b) on b, $left.a == $right.b and c', ['join leftouter (U | where b) on [b, $left.a==$right.b, c]']],
    ['T | join kind = anti U on b | join kind=leftantisemi U on b | join kind=rightantisemi U on b', ['join leftanti U on [b]', 'join leftanti U on [b]', 'join rightanti U on [b]']],
    ['T | lookup U on b | lookup kind=inner (U) on $left.a == $right.b', ['lookup leftouter U on [b]', 'lookup inner U on [$left.a==$right.b]']],
  ])('%s', (text, expected) => {
    expect(operators(text)).toEqual(expected);
  });

  test.each<[string, string]>([
    ['datetime(2024-06-01)', 'datetime:1717200000000'],
    ['datetime(2024-06-01 10:30)', 'datetime:1717237800000'],
    ['datetime(2024-06-01T10:30:00.5Z)', 'datetime:1717237800500'],
    ['datetime(null)', 'datetime:NaN'],
    ['timespan(1.5h)', 'timespan:5400000'],
    ['time(1.02:00:00)', 'timespan:93600000'],
    ['long(-3)', 'long:-3'],
    ['int(7)', 'int:7'],
    ['real(2.5)', 'real:2.5'],
    ['bool(True)', 'bool:true'],
    ["dynamic(['a', 1, true, null, {\"k\": [2]}])", 'dynamic:["a",1,true,null,{"k":[2]}]'],
    ['dynamic(null)', 'dynamic:null'],
  ])('the literal %s', (text, expected) => {
    const op = pipeline(parseKql(`T | where x == ${text}`)).operators[0]!;
    const right = op.kind === 'where' && op.predicate.kind === 'binary' ? op.predicate.right : undefined;
    expect(right?.kind === 'literal' ? `${right.type}:${right.type === 'dynamic' ? JSON.stringify(right.value) : String(right.value)}` : show(right!)).toBe(expected);
  });

  test('a tabular let, a datatable and a parenthesised pipeline', () => {
    const query = parseKql("let s = datatable(URI:string, Tool:string)['a.com', 'a'];\nlet t = T | where x;\n(t | count)");
    expect(query.lets.map((l) => `${l.name.text}=${show(l.value)}`)).toEqual([
      's=datatable(URI:string, Tool:string)["a.com", "a"]',
      't=T | where x',
    ]);
    expect(show(query.body)).toBe('(t | count)');
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
