/**
 * Queries the local KQL engine refuses, with the kind of refusal, a part of its message and the
 * position it must name. The engine tests run them; the agreement test checks each verdict
 * against Kusto's own parser and analyser (a syntax or semantic refusal must be one Kusto makes
 * too; an `unsupported` one must be valid KQL that the engine merely does not evaluate yet).
 */
import type { KqlErrorKind, TableSchema } from '../../src/kql';

/** A query the engine refuses. */
export interface RefusedQuery {
  readonly query: string;
  readonly kind: KqlErrorKind;
  /** A part of the error's detail. */
  readonly message: string;
  readonly line: number;
  readonly column: number;
  /**
   * Set when the engine refuses, as a syntax or semantic error, a query Kusto's static analysis lets
   * through: why refusing is the safe answer.
   */
  readonly stricterThanKusto?: string;
}

/** Tables the parser cases name, for Kusto's analysis (the engine never runs them). */
export const PARSER_CASE_TABLES: Readonly<Record<string, TableSchema>> = {
  T: [
    { name: 'a', type: 'string' },
    { name: 'b', type: 'string' },
    { name: 'c', type: 'string' },
    { name: 't', type: 'datetime' },
    { name: 'x', type: 'long' },
    { name: 'd', type: 'dynamic' },
    { name: 'IsTrusted', type: 'bool' },
    { name: 'a b', type: 'string' },
  ],
  U: [{ name: 'b', type: 'string' }],
};

const REGEX_TEXT = "Kusto's analyser does not check the text of a regular expression; RE2 refuses the pattern when the query runs";
const LITERAL_TEXT = "Kusto's analyser does not check the text inside a typed literal; the engine refuses text it cannot read rather than guess a value";

/** Refused while parsing (no table needed). */
export const PARSE_REFUSALS: readonly RefusedQuery[] = [
  { query: 'T\n| where IsTrusted\n| mv-expand d', kind: 'unsupported', message: "the 'mv-expand' operator", line: 3, column: 3 },
  { query: 'T | join hint.strategy=broadcast (U) on b', kind: 'unsupported', message: 'join hints', line: 1, column: 10 },
  { query: 'T | join kind=outer (U) on b', kind: 'syntax', message: 'expected one of innerunique, inner, leftouter', line: 1, column: 15 },
  { query: 'T | lookup kind=leftanti (U) on b', kind: 'syntax', message: 'expected one of leftouter, inner', line: 1, column: 17 },
  { query: 'T | join (U)', kind: 'syntax', message: "expected 'on' and the join conditions, found the end of the query", line: 1, column: 13 },
  { query: 'T | join (U) on $right.b == $left.b', kind: 'syntax', message: 'expected $left.<column> first', line: 1, column: 17 },
  { query: 'T | join (U) on $left.b = $right.b', kind: 'syntax', message: "expected '=='", line: 1, column: 25 },
  { query: 'T | join (U) on b,', kind: 'syntax', message: 'expected a column name', line: 1, column: 19 },
  { query: 'T | project-away a*', kind: 'unsupported', message: 'a column name pattern with *', line: 1, column: 18 },
  { query: 'T | foo', kind: 'syntax', message: "unknown query operator 'foo'", line: 1, column: 5 },
  { query: 'T | WHERE IsTrusted', kind: 'syntax', message: "unknown query operator 'WHERE'", line: 1, column: 5 },
  { query: 'T | where a == b == c', kind: 'syntax', message: "'==' cannot follow '=='", line: 1, column: 18 },
  { query: "T | where a has 'x' and", kind: 'syntax', message: 'expected an expression, found the end of the query', line: 1, column: 24 },
  { query: 'T | where and', kind: 'syntax', message: "expected an expression, found 'and'", line: 1, column: 10 },
  { query: "T | where a has_any 'x'", kind: 'syntax', message: "expected '(', found ''x''", line: 1, column: 21 },
  { query: 'T | where a has_any ()', kind: 'syntax', message: "expected an expression, found ')'", line: 1, column: 22 },
  { query: "T | where a has_any ('x',\n  )", kind: 'syntax', message: "expected an expression, found ')'", line: 1, column: 26 },
  { query: "T | where a has_all has_any ('x')", kind: 'syntax', message: "expected '(', found 'has_any'", line: 1, column: 21 },
  { query: 'T | where t between (1, 2)', kind: 'syntax', message: "expected '..', found ','", line: 1, column: 23 },
  { query: 'let x = 1\nT', kind: 'syntax', message: "expected ';' after the let statement, found 'T'", line: 1, column: 10 },
  { query: 'T | summarize', kind: 'unsupported', message: 'summarize with neither an aggregation nor by', line: 1, column: 14 },
  { query: '| where a', kind: 'syntax', message: "expected a table name, found '|'", line: 1, column: 1 },
  { query: "T | where a == 'x' b", kind: 'syntax', message: "expected '|' or the end of the query, found 'b'", line: 1, column: 20 },
  { query: 'T | where t > datetime(2024-13-01)', kind: 'syntax', message: "invalid datetime literal '2024-13-01'", line: 1, column: 24, stricterThanKusto: LITERAL_TEXT },
  { query: 'T | where t > ago(timespan(5 parsecs))', kind: 'syntax', message: "invalid timespan literal '5 parsecs'", line: 1, column: 28, stricterThanKusto: LITERAL_TEXT },
  { query: 'T | where x == long(1.5)', kind: 'syntax', message: "invalid long literal '1.5'", line: 1, column: 21, stricterThanKusto: LITERAL_TEXT },
  { query: 'T | where a == guid(74be27de-1e4e-49d9-b579-fe0b331d3642)', kind: 'unsupported', message: 'the guid(...) literal', line: 1, column: 16 },
  { query: 'print x = 1', kind: 'unsupported', message: "the 'print' operator", line: 1, column: 1 },
  { query: 'T; T', kind: 'unsupported', message: 'more than one tabular statement', line: 1, column: 4 },
  { query: 'T | summarize hint.strategy=shuffle count() by a', kind: 'unsupported', message: 'summarize hints', line: 1, column: 15 },
  { query: 'T | summarize (a, b) = arg_max(x, c)', kind: 'unsupported', message: 'naming several columns at once', line: 1, column: 15 },
  { query: 'let f = (x: long) { x }; T', kind: 'unsupported', message: 'a let statement defining a function', line: 1, column: 9 },
  { query: 'declare query_parameters(x: long); T', kind: 'unsupported', message: "the 'declare' statement", line: 1, column: 1 },
  { query: 'let a = 2w;\nT', kind: 'syntax', message: "invalid literal '2w': weeks are not a Kusto timespan unit", line: 1, column: 9 },
];

const D = 'DeviceFileCertificateInfo';

/** Refused while compiling (or, for a division by zero, running) against a `DeviceFileCertificateInfo` table. */
export const COMPILE_REFUSALS: readonly RefusedQuery[] = [
  { query: `${D}\n| where signer has 'Kaseya'`, kind: 'semantic', message: "unknown column or variable 'signer' in table DeviceFileCertificateInfo; did you mean 'Signer'?", line: 2, column: 9 },
  { query: `${D}\n| where Signer has 'Kaseya' and devicename == 'x'`, kind: 'semantic', message: "unknown column or variable 'devicename'", line: 2, column: 33 },
  { query: "devicefilecertificateinfo\n| where Signer has 'Kaseya'", kind: 'semantic', message: "unknown table 'devicefilecertificateinfo'; did you mean 'DeviceFileCertificateInfo'?", line: 1, column: 1 },
  { query: 'DeviceEvents | where ActionType has "x"', kind: 'semantic', message: "unknown table 'DeviceEvents'", line: 1, column: 1 },
  { query: `let Time_start = now(-5d);\n${D}\n| where Timestamp between (time_start .. now())`, kind: 'semantic', message: "unknown column or variable 'time_start' in table DeviceFileCertificateInfo; did you mean 'Time_start'?", line: 3, column: 28 },
  { query: `${D}\n| where Signer`, kind: 'semantic', message: 'the where predicate must be a bool, not string', line: 2, column: 9 },
  { query: `${D}\n| where Signer has 5`, kind: 'semantic', message: "the operator 'has' needs string operands, not string and long", line: 2, column: 16 },
  { query: `${D}\n| where ReportId has '5'`, kind: 'semantic', message: "the operator 'has' needs string operands, not long and string", line: 2, column: 18 },
  { query: `${D}\n| where Signer =~ 5`, kind: 'semantic', message: "the operator '=~' needs string operands", line: 2, column: 16 },
  { query: `${D}\n| where Signer < 'b'`, kind: 'semantic', message: "the operator '<' needs two numbers, two datetimes or two timespans, not string and string", line: 2, column: 16 },
  { query: `${D}\n| where Timestamp > 5`, kind: 'semantic', message: "the operator '>' needs two numbers, two datetimes or two timespans, not datetime and long", line: 2, column: 19 },
  { query: `${D}\n| where Timestamp between ('a' .. 'b')`, kind: 'semantic', message: "the lower bound of 'between' must be a datetime, not string", line: 2, column: 28 },
  { query: `${D}\n| where Timestamp between (now(1) .. now())`, kind: 'semantic', message: 'the argument of now() must be a timespan, not long', line: 2, column: 32 },
  { query: `${D}\n| where Timestamp between (ago(Timestamp) .. now())`, kind: 'semantic', message: 'the argument of ago() must be a timespan, not datetime', line: 2, column: 32 },
  { query: `${D}\n| where now(-5d, 1d) == now()`, kind: 'semantic', message: 'now() takes 0 to 1 argument, not 2', line: 2, column: 9 },
  { query: `${D}\n| where not(Signer)`, kind: 'semantic', message: 'not() needs a bool argument, not string', line: 2, column: 13 },
  { query: `${D}\n| where tolowr(Signer) == 'x'`, kind: 'semantic', message: "unknown function 'tolowr'; did you mean 'tolower'?", line: 2, column: 9 },
  { query: `${D}\n| where count() == 1`, kind: 'semantic', message: 'the aggregation function count() can only be used in summarize', line: 2, column: 9 },
  { query: `${D}\n| summarize DeviceId`, kind: 'semantic', message: 'summarize needs an aggregation function here', line: 2, column: 13 },
  { query: `${D}\n| summarize min()`, kind: 'semantic', message: 'min() takes 1 argument, not 0', line: 2, column: 13 },
  { query: `${D}\n| summarize make_set(ReportId, 'a')`, kind: 'semantic', message: 'the maxSize of make_set() must be an integer constant', line: 2, column: 32 },
  { query: `${D}\n| summarize count() by DeviceId, DeviceId`, kind: 'semantic', message: "a column named 'DeviceId' is already declared", line: 2, column: 34 },
  { query: `${D}\n| summarize x = count(), x = min(Timestamp)`, kind: 'semantic', message: "a column named 'x' is already declared", line: 2, column: 26 },
  { query: `${D}\n| project Signer, Signer`, kind: 'semantic', message: "a column named 'Signer' is already declared", line: 2, column: 19 },
  { query: `${D}\n| extend x = 1, x = 2`, kind: 'semantic', message: "a column named 'x' is already declared", line: 2, column: 17 },
  { query: `${D}\n| extend x = 1, y = x + 1`, kind: 'semantic', message: "unknown column or variable 'x' in table DeviceFileCertificateInfo", line: 2, column: 21 },
  { query: `${D}\n| project-away Signr`, kind: 'semantic', message: "unknown column 'Signr' in table DeviceFileCertificateInfo", line: 2, column: 16 },
  {
    query: `${D}\n| where Signer == Timestamp`,
    kind: 'semantic',
    message: "the operator '==' needs operands of the same type, not string and datetime",
    line: 2,
    column: 16,
    stricterThanKusto: 'Kusto documents no comparison of a string with a datetime; refusing avoids guessing an answer',
  },
  {
    query: 'datatable(a: string)[\'x\', 3]',
    kind: 'semantic',
    message: "column 'a' is string; the value is long",
    line: 1,
    column: 27,
    stricterThanKusto: 'Kusto documents no conversion of datatable values; refusing avoids guessing one',
  },
  {
    query: `${D}\n| where Timestamp == ReportId`,
    kind: 'semantic',
    message: "the operator '==' needs operands of the same type, not datetime and long",
    line: 2,
    column: 19,
    stricterThanKusto: 'Kusto documents no comparison of a datetime with a number; refusing avoids guessing an answer',
  },
  {
    query: `${D}\n| where IsTrusted == 'true'`,
    kind: 'semantic',
    message: "the operator '==' needs operands of the same type, not bool and string",
    line: 2,
    column: 19,
    stricterThanKusto: 'Kusto documents no comparison of a bool with a string; refusing avoids guessing an answer',
  },
  { query: `${D}\n| join (${D} | project DeviceId) on Signer`, kind: 'semantic', message: "the column 'Signer' must exist on both sides of the join", line: 2, column: 58 },
  { query: `${D}\n| lookup (${D} | project Url = Signer) on $left.Signr == $right.Url`, kind: 'semantic', message: "unknown column 'Signr' in table DeviceFileCertificateInfo; did you mean 'Signer'?", line: 2, column: 70 },
  { query: `${D}\n| join kind=inner (${D} | project Url = Signer) on $left.DeviceId == $right.Uri`, kind: 'semantic', message: "unknown column 'Uri' in the output of project; did you mean 'Url'?", line: 2, column: 98 },
  { query: `${D}\n| join kind=inner (${D} | project Since = CertificateCreationTime) on $left.Timestamp == $right.Since and ReportId`, kind: 'semantic', message: "the column 'ReportId' must exist on both sides of the join", line: 2, column: 128 },
  { query: `${D}\n| join kind=inner (${D} | project Seen = Timestamp) on $left.ReportId == $right.Seen`, kind: 'semantic', message: "join keys must have one type: 'ReportId' is long, 'Seen' is datetime", line: 2, column: 83 },
  { query: `${D}\n| extend d = parse_json(CrlDistributionPointUrls)\n| join (${D}) on $left.d == $right.CrlDistributionPointUrls`, kind: 'semantic', message: 'join keys cannot be dynamic', line: 3, column: 45 },
  { query: `${D}\n| join kind=inner (${D} | project ReportId = tostring(ReportId)) on ReportId`, kind: 'semantic', message: "the column 'ReportId' must have one type on both sides of the join, not long and string", line: 2, column: 90 },
  { query: `${D}\n| extend d = parse_json(CrlDistributionPointUrls)\n| join (${D} | extend d = parse_json(CrlDistributionPointUrls)) on d`, kind: 'unsupported', message: 'a join on a dynamic column', line: 3, column: 89 },
  { query: `${D}\n| where Signer matches regex Signer`, kind: 'unsupported', message: "a regular expression computed from the row in 'matches regex'", line: 2, column: 30 },
  { query: `${D}\n| where Signer matches regex '(K)\\\\1'`, kind: 'semantic', message: 'is not valid RE2: invalid escape sequence: `\\1`', line: 2, column: 30, stricterThanKusto: REGEX_TEXT },
  { query: `${D}\n| where Signer matches regex @'(\\w{100}){11}'`, kind: 'semantic', message: 'is not valid RE2: invalid repeat count', line: 2, column: 30, stricterThanKusto: REGEX_TEXT },
  { query: `${D}\n| where Signer matches regex @'${Array.from({ length: 11 }, (_, i) => `${i}\\w{999}`).join('|')}'`, kind: 'unsupported', message: 'is too large: 11013 instructions, at most 10000', line: 2, column: 30 },
  { query: `${D}\n| extend x = extract('K(a)', 2, Signer)`, kind: 'unsupported', message: 'extract() of group 2 of a pattern with 1 groups', line: 2, column: 30 },
  { query: `${D}\n| extend x = extract('K', ReportId, Signer)`, kind: 'unsupported', message: 'a capture group computed from the row in extract()', line: 2, column: 27 },
  { query: `${D}\n| extend x = replace_regex(Signer, 'K', @'\\x')`, kind: 'unsupported', message: 'has the escape \\x', line: 2, column: 41 },
  { query: `${D}\n| extend x = replace_regex(Signer, 'K', @'\\1')`, kind: 'unsupported', message: 'refers to group 1, but the pattern has 0', line: 2, column: 41 },
  { query: `${D}\n| where isnotempty(url_decode(Signer))`, kind: 'unsupported', message: 'the function url_decode()', line: 2, column: 20 },
  { query: `${D}\n| summarize sum(ReportId)`, kind: 'unsupported', message: 'the aggregation function sum()', line: 2, column: 13 },
  { query: `${D}\n| where Signer has_any (Signer)`, kind: 'unsupported', message: "a value computed from the row in the list of 'has_any'", line: 2, column: 25 },
  { query: `${D}\n| where DeviceId in (${D})`, kind: 'unsupported', message: "a tabular expression of 18 columns in 'in'", line: 2, column: 22 },
  { query: `${D}\n| where Signer has ''`, kind: 'unsupported', message: "'has' needs a needle with a letter or digit (a term)", line: 2, column: 16 },
  { query: `${D}\n| summarize n = count() * 2`, kind: 'unsupported', message: 'an expression around an aggregation function', line: 2, column: 17 },
  { query: `${D}\n| summarize min(1)`, kind: 'unsupported', message: 'min() of a constant', line: 2, column: 17 },
  { query: `${D}\n| extend x = trim_start('(?=K)', Signer)`, kind: 'semantic', message: 'is not valid RE2: invalid or unsupported Perl syntax: `(?=`', line: 2, column: 25, stricterThanKusto: REGEX_TEXT },
  { query: `${D}\n| extend x = split(Signer, '')`, kind: 'unsupported', message: 'split() by an empty delimiter', line: 2, column: 28 },
  { query: `${D}\n| where ReportId / 0 == 1`, kind: 'unsupported', message: "division by zero ('/')", line: 2, column: 18 },
  { query: `${D}\n| sort by IsTrusted`, kind: 'unsupported', message: 'sorting by a bool value', line: 2, column: 11 },
  { query: `${D}\n| where parse_json(CrlDistributionPointUrls)[0] == 'x'`, kind: 'unsupported', message: "'==' on dynamic values", line: 2, column: 49 },
  { query: `${D}\n| where parse_json(CrlDistributionPointUrls)[0] has 'crl'`, kind: 'unsupported', message: "the operator 'has' on a dynamic value", line: 2, column: 49 },
  { query: `${D}\n| extend x = tolower(parse_json(CrlDistributionPointUrls)[0])`, kind: 'unsupported', message: 'a dynamic argument of tolower()', line: 2, column: 22 },
  { query: 'let T = 5; T', kind: 'unsupported', message: "'T' is a scalar let value", line: 1, column: 12 },
];
