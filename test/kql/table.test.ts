import { ColumnValueError, DEFENDER_SCHEMAS, executeKql, Table, TableBuilder, tablesFrom, type TableSchema } from '../../src/kql';

const SCHEMA: TableSchema = [
  { name: 'When', type: 'datetime' },
  { name: 'Name', type: 'string' },
  { name: 'Count', type: 'long' },
  { name: 'Port', type: 'int' },
  { name: 'Score', type: 'real' },
  { name: 'Flag', type: 'bool' },
  { name: 'Extra', type: 'dynamic' },
  { name: 'Took', type: 'timespan' },
];

const NOW = new Date('2024-06-10T12:00:00Z');
const rows = (table: Table) => executeKql('T', { tables: tablesFrom([table]), now: NOW }).rows;

describe('Table.fromRecords', () => {
  test('converts JSON values to the schema types', () => {
    const table = Table.fromRecords('T', SCHEMA, [
      { When: '2024-06-01T10:00:00.1234567Z', Name: 'a', Count: 3, Port: 443, Score: 0.5, Flag: true, Extra: { k: [1, 2] }, Took: '1.02:03:04.5' },
      { When: '2024-06-01 10:00', Name: { json: 'text' }, Count: null, Port: null, Score: null, Flag: null, Extra: null, Took: null },
      { When: '2024-06-01T12:00:00+02:00' },
      { When: '' },
    ]);
    expect(table.rowCount).toBe(4);
    expect(rows(table)).toEqual([
      { When: '2024-06-01T10:00:00.123Z', Name: 'a', Count: 3, Port: 443, Score: 0.5, Flag: true, Extra: { k: [1, 2] }, Took: '1.02:03:04.5000000' },
      // no zone is UTC; an object in a string column is its JSON text; null string is ""
      { When: '2024-06-01T10:00:00.000Z', Name: '{"json":"text"}', Count: null, Port: null, Score: null, Flag: null, Extra: null, Took: null },
      { When: '2024-06-01T10:00:00.000Z', Name: '', Count: null, Port: null, Score: null, Flag: null, Extra: null, Took: null },
      { When: null, Name: '', Count: null, Port: null, Score: null, Flag: null, Extra: null, Took: null },
    ]);
  });

  test.each<[Record<string, unknown>, string, string]>([
    [{ When: 1717236000000 }, 'When', 'expected an ISO 8601 datetime string, got 1717236000000'],
    [{ When: '2024-02-30T00:00:00Z' }, 'When', 'expected an ISO 8601 datetime string, got "2024-02-30T00:00:00Z"'],
    [{ When: 'yesterday' }, 'When', 'expected an ISO 8601 datetime string'],
    [{ Name: 42 }, 'Name', 'expected a string, got 42'],
    [{ Name: true }, 'Name', 'expected a string, got true'],
    [{ Count: '3' }, 'Count', 'expected an integer (long), got "3"'],
    [{ Count: 1.5 }, 'Count', 'expected an integer (long), got 1.5'],
    [{ Port: 2147483648 }, 'Port', 'expected a 32-bit integer (int), got 2147483648'],
    [{ Score: '0.5' }, 'Score', 'expected a number (real), got "0.5"'],
    [{ Flag: 'true' }, 'Flag', 'expected true or false, got "true"'],
    [{ Flag: 1 }, 'Flag', 'expected true or false, got 1'],
    [{ Took: 5 }, 'Took', 'expected a timespan like "1.02:03:04", got 5'],
    [{ name: 'lower case' }, 'name', 'not a column of T'],
  ])('%j is refused', (record, column, detail) => {
    const builder = new TableBuilder('T', SCHEMA);
    builder.append({ Name: 'kept' });
    let error: unknown;
    try {
      builder.append(record);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ColumnValueError);
    expect((error as ColumnValueError).column).toBe(column);
    expect((error as ColumnValueError).detail).toContain(detail);
    // the bad record left nothing behind
    expect(builder.rowCount).toBe(1);
    expect(rows(builder.build())).toEqual([{ When: null, Name: 'kept', Count: null, Port: null, Score: null, Flag: null, Extra: null, Took: null }]);
  });

  test('schemas must have known types and unique names', () => {
    expect(() => new TableBuilder('T', [{ name: 'a', type: 'guid' as never }])).toThrow('table T: column a has unknown type guid');
    expect(() =>
      Table.fromRecords('T', [
        { name: 'a', type: 'string' },
        { name: 'a', type: 'long' },
      ], []),
    ).toThrow('table T: column a is declared twice');
  });
});

describe('Table.withShiftedDatetimes', () => {
  test('moves datetime columns only, and leaves the original alone', () => {
    const table = Table.fromRecords('T', SCHEMA, [{ When: '2024-06-01T00:00:00Z', Name: 'a', Count: 7, Took: '01:00:00' }]);
    const shifted = table.withShiftedDatetimes(36 * 3_600_000);
    expect(rows(shifted)[0]).toMatchObject({ When: '2024-06-02T12:00:00.000Z', Name: 'a', Count: 7, Took: '01:00:00' });
    expect(rows(table)[0]).toMatchObject({ When: '2024-06-01T00:00:00.000Z' });
    expect(table.withShiftedDatetimes(0)).toBe(table);
  });
});

describe('DEFENDER_SCHEMAS', () => {
  test.each(Object.entries(DEFENDER_SCHEMAS))('%s has the columns the hunts use', (name, schema) => {
    const types = Object.fromEntries(schema.map((c) => [c.name, c.type]));
    expect(schema[0]).toEqual({ name: 'Timestamp', type: 'datetime' });
    expect(types).toMatchObject({ DeviceId: 'string', DeviceName: 'string', ReportId: 'long' });
    expect(Table.fromRecords(name, schema, []).rowCount).toBe(0);
  });

  test('columns and types of the documented tables', () => {
    expect(DEFENDER_SCHEMAS.DeviceFileCertificateInfo.length).toBe(18);
    expect(DEFENDER_SCHEMAS.DeviceProcessEvents.length).toBe(66);
    expect(DEFENDER_SCHEMAS.DeviceNetworkEvents.length).toBe(44);
    expect(DEFENDER_SCHEMAS.DeviceFileEvents.length).toBe(57);
    expect(DEFENDER_SCHEMAS.DeviceInfo.length).toBe(37);
    const column = (table: keyof typeof DEFENDER_SCHEMAS, name: string) => DEFENDER_SCHEMAS[table].find((c) => c.name === name)?.type;
    expect(column('DeviceFileCertificateInfo', 'Signer')).toBe('string');
    expect(column('DeviceFileCertificateInfo', 'IsRootSignerMicrosoft')).toBe('bool');
    expect(column('DeviceProcessEvents', 'ProcessVersionInfoCompanyName')).toBe('string');
    expect(column('DeviceProcessEvents', 'AccountUpn')).toBe('string');
    expect(column('DeviceNetworkEvents', 'RemoteUrl')).toBe('string');
    expect(column('DeviceNetworkEvents', 'RemotePort')).toBe('int');
    // the network table has no AccountUpn of its own (some public rules use it anyway)
    expect(column('DeviceNetworkEvents', 'AccountUpn')).toBeUndefined();
    expect(column('DeviceFileEvents', 'FileOriginUrl')).toBe('string');
    expect(column('DeviceFileEvents', 'RequestSourcePort')).toBe('int');
    expect(column('DeviceFileEvents', 'IsAzureInfoProtectionApplied')).toBe('bool');
    expect(column('DeviceInfo', 'OSBuild')).toBe('long');
    // documented as JSON text in a string column
    expect(column('DeviceInfo', 'LoggedOnUsers')).toBe('string');
    expect(column('DeviceInfo', 'IsInternetFacing')).toBe('bool');
    expect(DEFENDER_SCHEMAS.DeviceInfo.map((c) => c.name)).toEqual(expect.arrayContaining(['OSPlatform', 'OSVersion', 'DeviceType', 'MachineGroup', 'ExposureLevel', 'PublicIP', 'OnboardingStatus']));
  });
});
