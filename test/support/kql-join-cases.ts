/**
 * `join`, `lookup` and the aggregations evidence queries use, each with its rows worked out by hand
 * from the Kusto documentation (join flavors: learn.microsoft.com/kusto/query/join-operator and
 * its flavor pages; lookup-operator; null-values: `==` of null and anything is not true). Part of
 * {@link SEMANTICS_CASES}: the semantics test runs them on the engine, the agreement test checks
 * that Kusto accepts them and computes the same result columns.
 */
import type { SemanticsCase } from './kql-semantics-cases';

/**
 * The documentation's example tables, with an empty key on both sides (strings are never null:
 * "" is a value like any other) and a left key without a match (`a`) and a right one (`d`).
 */
const XY = [
  "let X = datatable(Key:string, V:long)['a',1, 'b',2, 'b',3, 'c',4, '',5];",
  "let Y = datatable(Key:string, W:long)['b',10, 'c',20, 'c',30, 'd',40, '',50];",
].join('\n');

type Row = Record<string, unknown>;
const joined = (Key: string, V: number | null, Key1: string, W: number | null): Row => ({ Key, V, Key1, W });
const left = (Key: string, V: number): Row => ({ Key, V });
const right = (Key: string, W: number): Row => ({ Key, W });

/** Numeric keys with a null on both sides: the nulls match nothing, not even each other. */
const NULL_KEYS = "let L = datatable(K:long, s:string)[1,'one', long(null),'left null'];\nlet R = datatable(K:long, t:string)[1,'uno', long(null),'right null'];";

const C = 'DeviceFileCertificateInfo';
const N = 'DeviceNetworkEvents';

/** The cases. */
export const JOIN_CASES: readonly SemanticsCase[] = [
  {
    about: 'join (innerunique, the default): the first left row of each key, with every right match',
    query: `${XY}\nX | join Y on Key`,
    rows: [joined('b', 2, 'b', 10), joined('c', 4, 'c', 20), joined('c', 4, 'c', 30), joined('', 5, '', 50)],
  },
  {
    about: 'join kind=innerunique is the default spelled out',
    query: `${XY}\nX | join kind=innerunique Y on Key | count`,
    rows: [{ Count: 4 }],
  },
  {
    about: 'join kind=inner: every pairing of matching rows',
    query: `${XY}\nX | join kind=inner Y on Key`,
    rows: [joined('b', 2, 'b', 10), joined('b', 3, 'b', 10), joined('c', 4, 'c', 20), joined('c', 4, 'c', 30), joined('', 5, '', 50)],
  },
  {
    about: 'join kind=leftouter: unmatched left rows keep nulls ("" for strings) on the right',
    query: `${XY}\nX | join kind=leftouter Y on Key`,
    rows: [joined('a', 1, '', null), joined('b', 2, 'b', 10), joined('b', 3, 'b', 10), joined('c', 4, 'c', 20), joined('c', 4, 'c', 30), joined('', 5, '', 50)],
  },
  {
    about: 'join kind=rightouter: the unmatched right rows after the matches',
    query: `${XY}\nX | join kind=rightouter Y on Key`,
    rows: [joined('b', 2, 'b', 10), joined('b', 3, 'b', 10), joined('c', 4, 'c', 20), joined('c', 4, 'c', 30), joined('', 5, '', 50), joined('', null, 'd', 40)],
  },
  {
    about: 'join kind=fullouter: unmatched rows of both sides',
    query: `${XY}\nX | join kind=fullouter Y on Key`,
    rows: [
      joined('a', 1, '', null),
      joined('b', 2, 'b', 10),
      joined('b', 3, 'b', 10),
      joined('c', 4, 'c', 20),
      joined('c', 4, 'c', 30),
      joined('', 5, '', 50),
      joined('', null, 'd', 40),
    ],
  },
  { about: 'join kind=leftsemi: left rows with a match, left columns only', query: `${XY}\nX | join kind=leftsemi Y on Key`, rows: [left('b', 2), left('b', 3), left('c', 4), left('', 5)] },
  { about: 'join kind=leftanti: left rows without a match', query: `${XY}\nX | join kind=leftanti Y on Key`, rows: [left('a', 1)] },
  { about: 'kind=anti is leftanti', query: `${XY}\nX | join kind=anti Y on Key`, rows: [left('a', 1)] },
  { about: 'join kind=rightsemi: right rows with a match, right columns only', query: `${XY}\nX | join kind=rightsemi Y on Key`, rows: [right('b', 10), right('c', 20), right('c', 30), right('', 50)] },
  { about: 'join kind=rightanti: right rows without a match', query: `${XY}\nX | join kind=rightanti Y on Key`, rows: [right('d', 40)] },
  {
    about: 'lookup (leftouter): every left row, the key once',
    query: `${XY}\nX | lookup Y on Key`,
    rows: [
      { Key: 'a', V: 1, W: null },
      { Key: 'b', V: 2, W: 10 },
      { Key: 'b', V: 3, W: 10 },
      { Key: 'c', V: 4, W: 20 },
      { Key: 'c', V: 4, W: 30 },
      { Key: '', V: 5, W: 50 },
    ],
  },
  {
    about: 'lookup kind=inner: matched left rows only',
    query: `${XY}\nX | lookup kind=inner (Y | where W < 30) on Key`,
    rows: [
      { Key: 'b', V: 2, W: 10 },
      { Key: 'b', V: 3, W: 10 },
      { Key: 'c', V: 4, W: 20 },
    ],
  },
  {
    about: 'several keys, $left.A == $right.B with a common column: both keys must match',
    query: "let A = datatable(A:string, N:long)['a',1, 'a',2, 'b',1];\nlet B = datatable(B:string, N:long, Z:string)['a',1,'x', 'a',2,'y', 'b',2,'z'];\nA | join kind=inner B on $left.A == $right.B, N",
    rows: [
      { A: 'a', N: 1, B: 'a', N1: 1, Z: 'x' },
      { A: 'a', N: 2, B: 'a', N1: 2, Z: 'y' },
    ],
  },
  {
    about: 'lookup on $left.A == $right.B and a common column drops both right keys',
    query: "let A = datatable(A:string, N:long)['a',1, 'b',1];\nlet B = datatable(B:string, N:long, Z:string)['a',1,'x', 'b',2,'z'];\nA | lookup B on $left.A == $right.B and N",
    rows: [
      { A: 'a', N: 1, Z: 'x' },
      { A: 'b', N: 1, Z: '' },
    ],
  },
  {
    about: '$left.A == $right.B may match an int with a long',
    query: "let A = datatable(A:long)[1, 2];\nlet B = datatable(B:int, Z:string)[int(2),'two', int(3),'three'];\nA | join kind=inner B on $left.A == $right.B",
    rows: [{ A: 2, B: 2, Z: 'two' }],
  },
  { about: 'null keys match nothing (inner)', query: `${NULL_KEYS}\nL | join kind=inner R on K`, rows: [{ K: 1, s: 'one', K1: 1, t: 'uno' }] },
  {
    about: 'null keys match nothing (leftouter keeps the left null row, unmatched)',
    query: `${NULL_KEYS}\nL | join kind=leftouter R on K`,
    rows: [
      { K: 1, s: 'one', K1: 1, t: 'uno' },
      { K: null, s: 'left null', K1: null, t: '' },
    ],
  },
  { about: 'null keys match nothing (leftanti keeps the left null row)', query: `${NULL_KEYS}\nL | join kind=leftanti R on K`, rows: [{ K: null, s: 'left null' }] },
  { about: 'null keys match nothing (rightanti keeps the right null row)', query: `${NULL_KEYS}\nL | join kind=rightanti R on K`, rows: [{ K: null, t: 'right null' }] },
  {
    about: 'names the left has get the first free number: Key2 when Key1 is taken, W1 then W2 across joins',
    query: `${XY}\nX | where Key == 'b' | extend Key1 = 'k' | join kind=inner Y on Key | join kind=inner (Y | project Key, W) on Key | take 1`,
    rows: [{ Key: 'b', V: 2, Key1: 'k', Key2: 'b', W: 10, Key3: 'b', W1: 10 }],
  },
  {
    about: 'a right column named like a renamed one is renamed past it (Key1 → Key11)',
    query: `${XY}\nX | where Key == 'c' | extend Key1 = 'k' | join kind=inner (Y | where W == 20 | extend Key1 = 'r') on Key`,
    rows: [{ Key: 'c', V: 4, Key1: 'k', Key2: 'c', W: 20, Key11: 'r' }],
  },
  {
    about: 'lookup of a per-SHA1 summary: prevalence of each binary (the evidence shape)',
    query: `${C}\n| where Signer has 'kaseya'\n| project DeviceId, SHA1\n| lookup (${C} | summarize Devices = dcount(DeviceId) by SHA1) on SHA1`,
    rows: [
      { DeviceId: 'd1', SHA1: 'aa', Devices: 2 },
      { DeviceId: 'd2', SHA1: 'aa', Devices: 2 },
    ],
  },
  {
    about: 'leftanti between tables: no certificate device has network events, so every one stays',
    query: `${C} | join kind=leftanti (${N} | project DeviceId) on DeviceId | distinct DeviceId`,
    rows: [{ DeviceId: 'd1' }, { DeviceId: 'd2' }, { DeviceId: 'd3' }, { DeviceId: 'd4' }],
  },
  {
    about: 'a join against a tabular let used twice',
    query: `let Seen = ${C} | summarize Last = max(Timestamp) by DeviceId;\nSeen | join kind=inner (Seen | project DeviceId, Again = Last) on DeviceId | where Last == Again | count`,
    rows: [{ Count: 3 }],
  },
  {
    about: 'arg_max(Timestamp, *): the latest row of each device, every other column',
    query: `${C} | where isnotnull(Timestamp) | summarize arg_max(Timestamp, *) by DeviceId | project DeviceId, Timestamp, ReportId, Signer`,
    rows: [
      { DeviceId: 'd1', Timestamp: '2024-06-09T12:00:00.000Z', ReportId: 1, Signer: 'Kaseya Holdings Inc.' },
      { DeviceId: 'd2', Timestamp: '2024-06-10T10:00:00.000Z', ReportId: 2, Signer: 'DWSNET OÜ' },
      { DeviceId: 'd3', Timestamp: '2024-06-07T12:00:00.000Z', ReportId: 3, Signer: 'Krämer IT Solutions GmbH' },
    ],
  },
  {
    about: 'make_set_if and dcountif: only rows whose predicate is true (null is not)',
    query: `${C} | summarize s = make_set_if(SHA1, IsTrusted), one = make_set_if(SHA1, IsTrusted, 1), d = dcountif(DeviceId, isnotnull(ReportId)), e = dcountif(SHA1, isnotempty(SHA1))`,
    rows: [{ s: ['aa', 'dd'], one: ['aa'], d: 3, e: 4 }],
  },
  {
    about: 'make_set_if and dcountif by group, unnamed',
    query: `${C} | where isnotnull(ReportId) | summarize make_set_if(Signer, IsTrusted), dcountif(SHA1, IsTrusted) by DeviceId`,
    rows: [
      { DeviceId: 'd1', set_Signer: ['Kaseya Holdings Inc.', 'AnyDesk Software GmbH'], dcountif_SHA1: 2 },
      { DeviceId: 'd2', set_Signer: ['Kaseya Limited'], dcountif_SHA1: 1 },
      { DeviceId: 'd3', set_Signer: [], dcountif_SHA1: 0 },
    ],
  },
];
