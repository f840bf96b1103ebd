/**
 * A rule's result as one row per device for the result card, or a clear error saying what the
 * rule must return.
 */
import type { QueryResult } from '../../src/backends/backend';
import { findingsFromResult } from '../../src/hunt/finding';
import { DEVICE_RESULT_COLUMNS, deviceRowsOfRuleResult, RuleResultError } from '../../src/hunt/rule-result';

const RULE = { name: 'RMM - Kaseya - Network Connection' };

function result(columns: ReadonlyArray<readonly [string, string]>, rows: QueryResult['rows'], partial?: QueryResult['partial']): QueryResult {
  return { columns: columns.map(([name, type]) => ({ name, type })), rows, ...(partial ? { partial } : {}) };
}

const SUMMARISED: ReadonlyArray<readonly [string, string]> = [
  ['DeviceId', 'string'],
  ['DeviceName', 'string'],
  ['AccountUpn', 'string'],
  ['RemoteUrl', 'string'],
  ['FirstSeen', 'datetime'],
  ['LastSeen', 'datetime'],
  ['Report', 'dynamic'],
  ['Count', 'long'],
];

describe('deviceRowsOfRuleResult', () => {
  test("the public rules' rows (several per device: by account and URL) become one per device", () => {
    const rows = deviceRowsOfRuleResult(
      RULE,
      result(SUMMARISED, [
        { DeviceId: 'd1', DeviceName: 'ws-1', AccountUpn: 'a@x', RemoteUrl: 'kaseya.net', FirstSeen: '2024-06-08T10:00:00.0000000Z', LastSeen: '2024-06-09T10:00:00Z', Report: [1, 2], Count: 2 },
        { DeviceId: 'd2', DeviceName: 'ws-2', AccountUpn: '', RemoteUrl: 'kaseya.com', FirstSeen: '2024-06-05T00:00:00Z', LastSeen: '2024-06-05T00:00:00Z', Report: [7], Count: 1 },
        { DeviceId: 'd1', DeviceName: 'ws-1', AccountUpn: 'b@x', RemoteUrl: 'kaseya.com', FirstSeen: '2024-06-07T10:00:00Z', LastSeen: '2024-06-08T12:00:00Z', Report: [2, 3], Count: 5 },
      ]),
    );
    expect(rows.columns).toBe(DEVICE_RESULT_COLUMNS);
    expect(rows.rows).toEqual([
      { DeviceId: 'd1', DeviceName: 'ws-1', FirstSeen: '2024-06-07T10:00:00Z', LastSeen: '2024-06-09T10:00:00Z', Report: [1, 2, 3], ReportCount: 3, Count: 7 },
      { DeviceId: 'd2', DeviceName: 'ws-2', FirstSeen: '2024-06-05T00:00:00Z', LastSeen: '2024-06-05T00:00:00Z', Report: [7], ReportCount: 1, Count: 1 },
    ]);
  });

  test('raw events (a time column, a report id) are counted per device', () => {
    const rows = deviceRowsOfRuleResult(
      RULE,
      result(
        [
          ['TimeGenerated', 'datetime'],
          ['DeviceId', 'string'],
          ['DeviceName', 'string'],
          ['ReportId', 'long'],
        ],
        [
          { TimeGenerated: '2024-06-09T00:00:00Z', DeviceId: 'd1', DeviceName: 'ws-1', ReportId: 5 },
          { TimeGenerated: '2024-06-07T00:00:00Z', DeviceId: 'd1', DeviceName: 'ws-1', ReportId: 5 },
          { TimeGenerated: '2024-06-08T00:00:00Z', DeviceId: 'd1', DeviceName: 'ws-1', ReportId: 6 },
        ],
      ),
    );
    expect(rows.rows).toEqual([{ DeviceId: 'd1', DeviceName: 'ws-1', FirstSeen: '2024-06-07T00:00:00Z', LastSeen: '2024-06-09T00:00:00Z', Report: [5, 6], ReportCount: 2, Count: 3 }]);
  });

  test('summarised rows without Count or Report count one each, with no reports', () => {
    const rows = deviceRowsOfRuleResult(
      RULE,
      result(
        [
          ['DeviceId', 'string'],
          ['DeviceName', 'string'],
          ['FirstSeen', 'datetime'],
          ['LastSeen', 'datetime'],
        ],
        [
          { DeviceId: 'd1', DeviceName: 'ws-1', FirstSeen: '2024-06-07T00:00:00Z', LastSeen: '2024-06-07T00:00:00Z' },
          { DeviceId: 'd1', DeviceName: 'ws-1', FirstSeen: '2024-06-08T00:00:00Z', LastSeen: '2024-06-08T00:00:00Z' },
        ],
      ),
    );
    expect(rows.rows).toEqual([{ DeviceId: 'd1', DeviceName: 'ws-1', FirstSeen: '2024-06-07T00:00:00Z', LastSeen: '2024-06-08T00:00:00Z', Report: [], ReportCount: 0, Count: 2 }]);
  });

  test('a rule\'s unbounded report sets are bounded: a sample, and how many there were', () => {
    const many = Array.from({ length: 5000 }, (_, i) => `report-${i}`);
    const rows = deviceRowsOfRuleResult(
      RULE,
      result(SUMMARISED, [
        { DeviceId: 'd1', DeviceName: 'ws-1', AccountUpn: 'a', RemoteUrl: '', FirstSeen: '2024-06-07T00:00:00Z', LastSeen: '2024-06-08T00:00:00Z', Report: many.slice(0, 3000), Count: 3000 },
        { DeviceId: 'd1', DeviceName: 'ws-1', AccountUpn: 'b', RemoteUrl: '', FirstSeen: '2024-06-07T00:00:00Z', LastSeen: '2024-06-08T00:00:00Z', Report: many.slice(2000), Count: 3000 },
      ]),
    );
    expect(rows.rows).toEqual([expect.objectContaining({ Report: many.slice(0, 20), ReportCount: 5000, Count: 6000 })]);
    const [finding] = findingsFromResult(rows, { toolId: 'rule:r-1' }).findings;
    expect(finding).toMatchObject({ reportIds: many.slice(0, 20), reportCount: 5000 });
  });

  test('a partial result stays partial; an empty one is empty', () => {
    const partial = { message: 'query exceeded the row limit' };
    expect(deviceRowsOfRuleResult(RULE, result(SUMMARISED, [], partial))).toEqual({ columns: DEVICE_RESULT_COLUMNS, rows: [], partial });
  });

  test("the rows are findings as the hunt's own results are", () => {
    const rows = deviceRowsOfRuleResult(
      RULE,
      result(SUMMARISED, [{ DeviceId: 'd1', DeviceName: 'ws-1', AccountUpn: '', RemoteUrl: '', FirstSeen: '2024-06-07T00:00:00Z', LastSeen: '2024-06-08T00:00:00Z', Report: [9], Count: 4 }]),
    );
    expect(findingsFromResult(rows, { toolId: 'rule:r-1' })).toEqual({
      findings: [
        {
          deviceId: 'd1',
          deviceName: 'ws-1',
          firstSeen: new Date('2024-06-07T00:00:00Z'),
          lastSeen: new Date('2024-06-08T00:00:00Z'),
          count: 4,
          reportIds: ['9'],
          reportCount: 1,
          toolId: 'rule:r-1',
        },
      ],
    });
  });

  test.each([
    [[['DeviceName', 'string'], ['FirstSeen', 'datetime'], ['LastSeen', 'datetime']], /its result has no DeviceId \(its columns: DeviceName, FirstSeen, LastSeen\)/],
    [[['DeviceId', 'string'], ['DeviceName', 'string'], ['Count', 'long']], /its result has no FirstSeen and LastSeen \(or Timestamp\)/],
    [[['Count', 'long']], /its result has no DeviceId, no DeviceName, no FirstSeen and LastSeen \(or Timestamp\) \(its columns: Count\)/],
    [[['DeviceId', 'string'], ['DeviceName', 'string'], ['FirstSeen', 'datetime']], /no FirstSeen and LastSeen/],
  ] as const)('a result the card cannot show is refused, saying what is missing and what is expected: %j', (columns, message) => {
    const error = (() => {
      try {
        deviceRowsOfRuleResult(RULE, result(columns, []));
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(RuleResultError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).toMatch(/^The rule 'RMM - Kaseya - Network Connection' cannot be shown as devices: .*; a rule shown as devices returns DeviceId and DeviceName, and either FirstSeen and LastSeen/);
  });

  test.each([
    [{ DeviceId: 'd1', DeviceName: '', FirstSeen: '2024-06-07T00:00:00Z', LastSeen: '2024-06-07T00:00:00Z', Report: [], Count: 1 }, /row 1 has no DeviceName/],
    [{ DeviceId: 'd1', DeviceName: 'ws', FirstSeen: 'yesterday', LastSeen: '2024-06-07T00:00:00Z', Report: [], Count: 1 }, /row 1: FirstSeen 'yesterday' is not a date and time/],
    [{ DeviceId: 'd1', DeviceName: 'ws', FirstSeen: '2024-06-07T00:00:00Z', LastSeen: '2024-06-07T00:00:00Z', Report: [], Count: 'many' }, /row 1: Count is not a number/],
    [{ DeviceId: null, DeviceName: 'ws', FirstSeen: '2024-06-07T00:00:00Z', LastSeen: '2024-06-07T00:00:00Z', Report: [], Count: 1 }, /row 1 has no DeviceId/],
  ])('a row the card cannot show is refused, naming the row: %j', (row, message) => {
    expect(() => deviceRowsOfRuleResult(RULE, result(SUMMARISED, [row]))).toThrow(message);
  });
});
