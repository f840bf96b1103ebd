/**
 * Queries the engine answers, each with the rows worked out by hand from the Kusto documentation
 * over the small tables below. The semantics test runs them on the engine; the agreement test
 * checks that Kusto accepts each one and computes the same result columns (names and types).
 */
import { tablesFrom, type TableProvider } from '../../src/kql';
import { JOIN_CASES } from './kql-join-cases';
import { certificateTable, networkTable } from './kql-tables';

/** `now()` of every case. */
export const CASES_NOW = new Date('2024-06-10T12:00:00.000Z');

/**
 * Six certificate events (row numbers in comments), and three network events. Times relative to
 * {@link CASES_NOW}.
 */
export function caseTables(): TableProvider {
  return tablesFrom([
    certificateTable([
      // 1
      { DeviceId: 'd1', DeviceName: 'ws-fin-014.corp.example', Signer: 'Kaseya Holdings Inc.', Timestamp: '2024-06-09T12:00:00Z', ReportId: 1, IsTrusted: true, SHA1: 'aa' },
      // 2
      { DeviceId: 'd2', DeviceName: 'WS-HR-002', Signer: 'DWSNET OÜ', Timestamp: '2024-06-10T10:00:00Z', ReportId: 2, IsTrusted: false, SHA1: 'bb' },
      // 3
      { DeviceId: 'd3', DeviceName: 'lt-sal-305', Signer: 'Krämer IT Solutions GmbH', Timestamp: '2024-06-07T12:00:00Z', ReportId: 3, IsTrusted: null, SHA1: 'cc' },
      // 4
      { DeviceId: 'd1', DeviceName: 'ws-fin-014.corp.example', Signer: 'AnyDesk Software GmbH', Timestamp: '2024-06-04T12:00:00Z', ReportId: 4, IsTrusted: true, SHA1: 'dd' },
      // 5
      { DeviceId: 'd4', DeviceName: 'srv-mgmt-01', Signer: '', Timestamp: null, ReportId: null, IsTrusted: null, SHA1: '' },
      // 6
      { DeviceId: 'd2', DeviceName: 'WS-HR-002', Signer: 'Kaseya Limited', Timestamp: '2024-06-09T06:00:00Z', ReportId: 6, IsTrusted: true, SHA1: 'aa' },
    ]),
    networkTable([
      { DeviceId: 'n1', RemoteUrl: 'https://Server.Action1.com:443/agent', RemotePort: 443, Timestamp: '2024-06-10T11:00:00Z' },
      { DeviceId: 'n2', RemoteUrl: 'vsa.kaseya.net', RemotePort: 80, Timestamp: '2024-06-10T11:00:00Z' },
      { DeviceId: 'n3', RemoteUrl: 'http://example.org/x', RemotePort: null, Timestamp: '2024-06-10T11:00:00Z' },
    ]),
  ]);
}

/** A supported query and its rows. */
export interface SemanticsCase {
  /** What it shows, for the test name. */
  readonly about: string;
  readonly query: string;
  readonly rows: ReadonlyArray<Record<string, unknown>>;
}

const C = 'DeviceFileCertificateInfo';
const N = 'DeviceNetworkEvents';
const ids = (...values: string[]): Array<Record<string, unknown>> => values.map((DeviceId) => ({ DeviceId }));

/** The cases, grouped by what they exercise. */
export const SEMANTICS_CASES: readonly SemanticsCase[] = [
  // has and its relatives: whole terms, case, non-ASCII (only A-Z a-z 0-9 make terms)
  { about: 'has a phrase with a non-ASCII letter', query: `${C} | where Signer has 'dwsnet oü' | project DeviceId`, rows: ids('d2') },
  { about: 'ä separates terms, so Kr is a term', query: `${C} | where Signer has 'Kr' | project DeviceId`, rows: ids('d3') },
  { about: '!has keeps the rows without the term, the empty signer too', query: `${C} | where Signer !has 'kaseya' | project DeviceId`, rows: ids('d2', 'd3', 'd1', 'd4') },
  { about: 'has_cs needs the case', query: `${C} | where Signer has_cs 'kaseya' | project DeviceId`, rows: [] },
  { about: 'has_cs with the case', query: `${C} | where Signer has_cs 'Kaseya' | project DeviceId`, rows: ids('d1', 'd2') },
  { about: 'has_all needs every term', query: `${C} | where Signer has_all ('kaseya', 'inc') | project DeviceId`, rows: ids('d1') },
  { about: 'hasprefix: a term starts with it', query: `${C} | where Signer hasprefix 'Hold' | project DeviceId`, rows: ids('d1') },
  { about: 'hasprefix: not inside a term', query: `${C} | where Signer hasprefix 'oldings' | project DeviceId`, rows: [] },
  { about: 'hassuffix: a term ends with it', query: `${C} | where Signer hassuffix 'ings' | project DeviceId`, rows: ids('d1') },
  // substrings
  { about: 'contains is a case-insensitive substring', query: `${C} | where Signer contains 'ASEY' | project DeviceId`, rows: ids('d1', 'd2') },
  { about: 'contains_cs needs the case', query: `${C} | where Signer contains_cs 'ASEY' | project DeviceId`, rows: [] },
  { about: 'startswith ignores case', query: `${C} | where Signer startswith 'kas' | project DeviceId`, rows: ids('d1', 'd2') },
  { about: '!startswith', query: `${C} | where Signer !startswith 'k' | project DeviceId`, rows: ids('d2', 'd1', 'd4') },
  { about: 'endswith ignores case', query: `${C} | where Signer endswith 'gmbh' | project DeviceId`, rows: ids('d3', 'd1') },
  // equality and sets
  { about: '=~ ignores case', query: `${C} | where DeviceName =~ 'ws-hr-002' | project DeviceId`, rows: ids('d2', 'd2') },
  { about: '!~', query: `${C} | where DeviceName !~ 'ws-hr-002' | project DeviceId`, rows: ids('d1', 'd3', 'd1', 'd4') },
  { about: 'in is exact', query: `${C} | where DeviceName in ('ws-hr-002') | project DeviceId`, rows: [] },
  { about: 'in~ ignores case', query: `${C} | where DeviceName in~ ('ws-hr-002') | project DeviceId`, rows: ids('d2', 'd2') },
  { about: 'in on strings', query: `${C} | where DeviceId in ('d1', 'd4') | project DeviceId`, rows: ids('d1', 'd1', 'd4') },
  { about: 'in on numbers', query: `${C} | where ReportId in (1, 3) | project DeviceId`, rows: ids('d1', 'd3') },
  { about: '!in keeps nulls', query: `${C} | where ReportId !in (1, 3) | project DeviceId`, rows: ids('d2', 'd1', 'd4', 'd2') },
  { about: 'a let list (dynamic array) in in', query: `let wanted = dynamic(['d3', 'd4']);\n${C} | where DeviceId in (wanted) | project DeviceId`, rows: ids('d3', 'd4') },
  { about: 'a let list in has_any', query: `let vendors = dynamic(['anydesk', 'dwsnet']);\n${C} | where Signer has_any (vendors) | project DeviceId`, rows: ids('d2', 'd1') },
  {
    about: 'in a tabular let (the DWService rule, as meant)',
    query: `let kaseyaFiles = ${C}\n| where Signer has 'Kaseya'\n| distinct SHA1;\n${C} | where SHA1 in (kaseyaFiles) | project DeviceId, ReportId`,
    rows: [
      { DeviceId: 'd1', ReportId: 1 },
      { DeviceId: 'd2', ReportId: 6 },
    ],
  },
  {
    about: 'has_any of a datatable column (the all-tools rule shape)',
    query: `let names = datatable(Name:string, Tool:string)['Kaseya','kaseya', 'AnyDesk','anydesk'];\n${C} | where Signer has_any ((names | distinct Name)) | project DeviceId`,
    rows: ids('d1', 'd1', 'd2'),
  },
  // comparisons, nulls, three-valued logic
  { about: '> on longs drops nulls', query: `${C} | where ReportId > 3 | project DeviceId`, rows: ids('d1', 'd2') },
  { about: '<= on longs', query: `${C} | where ReportId <= 2 | project DeviceId`, rows: ids('d1', 'd2') },
  { about: '>= ago(1d) includes the boundary', query: `${C} | where Timestamp >= ago(1d) | project DeviceId`, rows: ids('d1', 'd2') },
  { about: '!= is true against null', query: `${C} | where ReportId != 1 | project DeviceId`, rows: ids('d2', 'd3', 'd1', 'd4', 'd2') },
  { about: 'isnull', query: `${C} | where isnull(ReportId) | project DeviceId`, rows: ids('d4') },
  { about: 'strings are never null', query: `${C} | where isnull(Signer) | project DeviceId`, rows: [] },
  { about: 'isempty of an empty string', query: `${C} | where isempty(Signer) | project DeviceId`, rows: ids('d4') },
  { about: 'isnotempty', query: `${C} | where isnotempty(SHA1) and DeviceId == 'd4' | project DeviceId`, rows: [] },
  { about: 'a null bool is not false', query: `${C} | where IsTrusted == false | project DeviceId`, rows: ids('d2') },
  { about: 'not(null) is null', query: `${C} | where not(IsTrusted) | project DeviceId`, rows: ids('d2') },
  { about: 'iff: a null condition takes the else value', query: `${C} | project x = iff(IsTrusted, 'yes', 'no')`, rows: ['yes', 'no', 'no', 'yes', 'no', 'yes'].map((x) => ({ x })) },
  { about: '!between leaves nulls out', query: `${C} | where Timestamp !between (ago(2d) .. now()) | project DeviceId`, rows: ids('d3', 'd1') },
  { about: 'between datetime literals, inclusive', query: `${C} | where Timestamp between (datetime(2024-06-04T12:00:00Z) .. datetime(2024-06-07)) | project DeviceId`, rows: ids('d1') },
  { about: '> a datetime literal with a space', query: `${C} | where Timestamp > datetime(2024-06-09 12:00) | project DeviceId`, rows: ids('d2') },
  { about: 'now() is one instant per query', query: `${C} | extend a = now(), b = now() | where a == b | count`, rows: [{ Count: 6 }] },
  // arithmetic
  { about: 'datetime - datetime is a timespan', query: `${C} | where DeviceId == 'd2' | project Age = now() - Timestamp`, rows: [{ Age: '02:00:00' }, { Age: '1.06:00:00' }] },
  { about: 'datetime + timespan', query: `${C} | where ReportId == 2 | project Later = Timestamp + 1h`, rows: [{ Later: '2024-06-10T11:00:00.000Z' }] },
  {
    about: 'timespan arithmetic',
    query: `${C} | take 1 | project a = datetime(2024-06-10) - datetime(2024-06-09 12:00), b = 1d / 1h, c = 2h * 3, d = -30m`,
    rows: [{ a: '12:00:00', b: 24, c: '06:00:00', d: '-00:30:00' }],
  },
  { about: 'long arithmetic truncates division', query: `${C} | where DeviceId == 'd1' | project x = ReportId * 2 + 1, y = ReportId / 2, z = ReportId % 3`, rows: [{ x: 3, y: 0, z: 1 }, { x: 9, y: 2, z: 1 }] },
  { about: 'unary minus on a column', query: `${C} | where -ReportId < -4 | project ReportId`, rows: [{ ReportId: 6 }] },
  // bin
  {
    about: 'summarize by bin(Timestamp, 1d): groups in order of appearance, null its own group',
    query: `${C} | summarize n = count() by bin(Timestamp, 1d)`,
    rows: [
      { Timestamp: '2024-06-09T00:00:00.000Z', n: 2 },
      { Timestamp: '2024-06-10T00:00:00.000Z', n: 1 },
      { Timestamp: '2024-06-07T00:00:00.000Z', n: 1 },
      { Timestamp: '2024-06-04T00:00:00.000Z', n: 1 },
      { Timestamp: null, n: 1 },
    ],
  },
  { about: 'bin(t, 7d) counts weeks from 0001-01-01 (a Monday), not from 1970', query: `${C} | take 1 | project b = bin(datetime(2024-06-12 15:00), 7d)`, rows: [{ b: '2024-06-10T00:00:00.000Z' }] },
  { about: 'bin of a number', query: `${C} | where ReportId > 2 | project b = bin(ReportId, 4)`, rows: [{ b: 0 }, { b: 4 }, { b: 4 }] },
  // aggregations
  { about: 'dcount is exact', query: `${C} | summarize Devices = dcount(DeviceId)`, rows: [{ Devices: 4 }] },
  {
    about: 'countif, make_list, make_set',
    query: `${C} | summarize c = countif(IsTrusted), l = make_list(ReportId), s = make_set(SHA1) by DeviceId`,
    rows: [
      { DeviceId: 'd1', c: 2, l: [1, 4], s: ['aa', 'dd'] },
      { DeviceId: 'd2', c: 1, l: [2, 6], s: ['bb', 'aa'] },
      { DeviceId: 'd3', c: 0, l: [3], s: ['cc'] },
      { DeviceId: 'd4', c: 0, l: [], s: [''] },
    ],
  },
  {
    about: 'arg_max: the columns of the latest row of each device',
    query: `${C} | where isnotnull(Timestamp) | summarize arg_max(Timestamp, Signer, ReportId) by DeviceId`,
    rows: [
      { DeviceId: 'd1', Timestamp: '2024-06-09T12:00:00.000Z', Signer: 'Kaseya Holdings Inc.', ReportId: 1 },
      { DeviceId: 'd2', Timestamp: '2024-06-10T10:00:00.000Z', Signer: 'DWSNET OÜ', ReportId: 2 },
      { DeviceId: 'd3', Timestamp: '2024-06-07T12:00:00.000Z', Signer: 'Krämer IT Solutions GmbH', ReportId: 3 },
    ],
  },
  { about: 'arg_max ties: the first row in input order', query: `${C} | where SHA1 == 'aa' | summarize arg_max(SHA1, ReportId)`, rows: [{ SHA1: 'aa', ReportId: 1 }] },
  { about: 'arg_min', query: `${C} | where isnotnull(ReportId) | summarize arg_min(ReportId, DeviceId)`, rows: [{ ReportId: 1, DeviceId: 'd1' }] },
  { about: 'take_any takes a value', query: `${C} | where DeviceId == 'd3' | summarize take_any(Signer)`, rows: [{ Signer: 'Krämer IT Solutions GmbH' }] },
  // tabular operators
  { about: 'project computes and renames', query: `${C} | project DeviceId, Name = tolower(DeviceName) | where DeviceId == 'd2'`, rows: [{ DeviceId: 'd2', Name: 'ws-hr-002' }, { DeviceId: 'd2', Name: 'ws-hr-002' }] },
  { about: 'extend replaces a column in place', query: `${C} | extend DeviceName = toupper(DeviceName) | project DeviceName | take 1`, rows: [{ DeviceName: 'WS-FIN-014.CORP.EXAMPLE' }] },
  { about: 'a later extend sees an earlier one', query: `${C} | take 1 | extend a = ReportId + 1 | extend b = a * 10 | project a, b`, rows: [{ a: 2, b: 20 }] },
  { about: 'extend computes every column from its input', query: `${C} | take 1 | extend ReportId = ReportId + 1, b = ReportId * 10 | project ReportId, b`, rows: [{ ReportId: 2, b: 10 }] },
  { about: 'project-rename and project-away', query: `${C} | project DeviceId, DeviceName | project-rename Device = DeviceId | project-away DeviceName | take 1`, rows: [{ Device: 'd1' }] },
  { about: 'distinct, order by asc', query: `${C} | distinct DeviceId | order by DeviceId asc`, rows: ids('d1', 'd2', 'd3', 'd4') },
  { about: 'top: desc by default, nulls last', query: `${C} | top 2 by ReportId | project ReportId`, rows: [{ ReportId: 6 }, { ReportId: 4 }] },
  { about: 'order by asc puts nulls first', query: `${C} | order by Timestamp asc | project ReportId`, rows: [null, 4, 3, 6, 1, 2].map((ReportId) => ({ ReportId })) },
  { about: 'order by desc nulls first', query: `${C} | sort by Timestamp desc nulls first | project ReportId`, rows: [null, 2, 1, 6, 3, 4].map((ReportId) => ({ ReportId })) },
  { about: 'strings sort ordinally', query: `${C} | order by Signer asc | take 2 | project Signer`, rows: [{ Signer: '' }, { Signer: 'AnyDesk Software GmbH' }] },
  { about: 'count', query: `${C} | count`, rows: [{ Count: 6 }] },
  { about: 'take then count', query: `${C} | take 2 | count`, rows: [{ Count: 2 }] },
  { about: 'limit', query: `${C} | limit 1 | project DeviceId`, rows: ids('d1') },
  // functions
  {
    about: 'string functions and element access',
    query: `${C} | where ReportId == 1 | project a = strcat(DeviceId, '-', ReportId), b = strlen(Signer), c = split(DeviceName, '.')[0], d = tostring(split(DeviceName, '.')[1]), e = trim_start(@'ws-', DeviceName), f = isempty(SHA1)`,
    rows: [{ a: 'd1-1', b: 20, c: 'ws-fin-014', d: 'corp', e: 'fin-014.corp.example', f: false }],
  },
  { about: 'tostring of a datetime', query: `${C} | where DeviceId == 'd3' | project s = tostring(Timestamp)`, rows: [{ s: '2024-06-07T12:00:00Z' }] },
  {
    about: 'case attributes the first matching tool',
    query: `${C} | project Tool = case(Signer has 'kaseya', 'kaseya', Signer has 'anydesk', 'anydesk', '')`,
    rows: ['kaseya', '', '', 'anydesk', '', 'kaseya'].map((Tool) => ({ Tool })),
  },
  {
    about: 'the all-tools rule’s URL clean-up: trim_start with a regex, split, tostring, extend re-assigning the column',
    query: `${N}\n| extend RemoteUrl = trim_start(@'http[s]?://', RemoteUrl)\n| extend RemoteUrl = tostring(split(RemoteUrl, '/')[0])\n| extend RemoteUrl = tostring(split(RemoteUrl, ':')[0])\n| project DeviceId, RemoteUrl`,
    rows: [
      { DeviceId: 'n1', RemoteUrl: 'Server.Action1.com' },
      { DeviceId: 'n2', RemoteUrl: 'vsa.kaseya.net' },
      { DeviceId: 'n3', RemoteUrl: 'example.org' },
    ],
  },
  // regular expressions: RE2's syntax and answers (on a linear-time engine)
  { about: 'matches regex finds a match anywhere, case-sensitively', query: String.raw`${C} | where Signer matches regex @'K\w+ (Holdings|Limited)' | project DeviceId`, rows: ids('d1', 'd2') },
  { about: 'matches regex with (?i)', query: `${C} | where Signer matches regex @'(?i)gmbh$' | project DeviceId`, rows: ids('d3', 'd1') },
  { about: 'matches regex: \\pL is any letter (ü too), \\w only ASCII', query: String.raw`${C} | where Signer matches regex @'^\pL+ \pL+$' or DeviceName matches regex @'^\w+$' | project DeviceId`, rows: ids('d2', 'd2') },
  {
    about: 'extract: a group of the first match; "" when nothing matches or the group takes no part',
    query: String.raw`${C} | where ReportId in (1, 3, 6) | project a = extract(@'(\w+) (\w+)', 2, Signer), b = extract(@'\d+', 0, DeviceName), c = extract(@'(Inc)?\.', 1, Signer), d = extract('(Q)|(K)', 1, Signer)`,
    rows: [
      { a: 'Holdings', b: '014', c: 'Inc', d: '' },
      { a: 'IT', b: '305', c: '', d: '' },
      { a: 'Limited', b: '002', c: '', d: '' },
    ],
  },
  {
    about: 'replace_regex: non-overlapping matches, \\1 and \\2 for groups',
    query: String.raw`${C} | where ReportId in (1, 3, 6) | project r = replace_regex(DeviceName, @'(\w+)-(\w+)', @'\2_\1')`,
    rows: [{ r: 'fin_ws-014.corp.example' }, { r: 'sal_lt-305' }, { r: 'HR_WS-002' }],
  },
  {
    about: "replace_regex: RE2's rewrite (\\0 the match, \\\\ a backslash, $1 literal) and no empty match where a match ended",
    query: String.raw`${C} | take 1 | project s = replace_regex('baaac', @'a*', '-'), t = replace_regex('ab', '(a)', '$1'), u = replace_regex('a b', ' ', @'\\'), v = replace_regex('kaseya', 'as', @'[\0]')`,
    rows: [{ s: '-b-c-', t: '$1b', u: 'a\\b', v: 'k[as]eya' }],
  },
  {
    about: 'trim_end and trim with a regex, the pattern of the probe that froze the bot among them',
    query: String.raw`${C} | take 1 | project e = trim_end(@'(\w+\s?)*', 'ab cd!'), f = trim_end(@'(\w+\s?)*', 'x ab cd'), g = trim_end(@'[a-z.]+', DeviceName), h = trim(@'[a-z]+', 'abc123def')`,
    rows: [{ e: 'ab cd!', f: '', g: 'ws-fin-014', h: '123' }],
  },
  { about: 'an int column against a long literal', query: `${N} | where RemotePort == 443 or RemotePort < 100 | project DeviceId`, rows: ids('n1', 'n2') },
  { about: 'tolong of text', query: `${N} | take 1 | project a = tolong('42'), b = tolong('x'), c = toint(2.9)`, rows: [{ a: 42, b: null, c: 2 }] },
  {
    about: 'union of parenthesised pipelines over a materialized let, with constant columns (the hunt-all shape)',
    query: `let signed = materialize(${C} | where Signer has_any ('kaseya', 'anydesk'));\nunion\n  (signed | where Signer has 'kaseya' | project DeviceId, Tool = 'kaseya'),\n  (signed | where Signer has 'anydesk' | project DeviceId, Tool = 'anydesk')\n| summarize n = count() by Tool, DeviceId`,
    rows: [
      { Tool: 'kaseya', DeviceId: 'd1', n: 1 },
      { Tool: 'kaseya', DeviceId: 'd2', n: 1 },
      { Tool: 'anydesk', DeviceId: 'd1', n: 1 },
    ],
  },
  {
    about: 'union fills a column an input lacks with null',
    query: `union (${C} | where ReportId == 3 | project DeviceId, ReportId), (${N} | where DeviceId == 'n2' | project DeviceId, RemotePort)`,
    rows: [
      { DeviceId: 'd3', ReportId: 3, RemotePort: null },
      { DeviceId: 'n2', ReportId: null, RemotePort: 80 },
    ],
  },
  {
    about: 'toscalar of a tabular let: the capped hunt shape',
    query: `let Found = ${C} | summarize LastSeen = max(Timestamp) by DeviceId;\nFound\n| top 2 by LastSeen desc\n| extend Total = toscalar(Found | count)`,
    rows: [
      { DeviceId: 'd2', LastSeen: '2024-06-10T10:00:00.000Z', Total: 4 },
      { DeviceId: 'd1', LastSeen: '2024-06-09T12:00:00.000Z', Total: 4 },
    ],
  },
  { about: 'a bracketed name', query: `${C} | where ['DeviceId'] == 'd3' | project ['ReportId']`, rows: [{ ReportId: 3 }] },
  ...JOIN_CASES,
];
