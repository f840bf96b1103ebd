/**
 * The seed rule's own query text (rmm_Kaseya_filesig.yaml, read as it is on disk, CRLF line
 * endings and all) runs on the engine and finds exactly the devices worked out by hand below.
 */
import YAML from 'yaml';
import { executeKql } from '../../src/kql';
import { ruleQuery } from '../support/kql-rule-query';
import { certificateTables } from '../support/kql-tables';
import { readShared } from '../support/shared';

const NOW = new Date('2024-06-10T12:00:00.000Z');
const at = (offsetMs: number): string => new Date(NOW.getTime() + offsetMs).toISOString();
const DAY = 86_400_000;
const HOUR = 3_600_000;

describe('the Kaseya file-signature rule', () => {
  const yamlText = readShared('rmm-hunts', 'rmm_Kaseya_filesig.yaml');
  const query = ruleQuery(yamlText);

  test('its query is read with the file’s CRLF line endings, as the YAML library reads it otherwise', () => {
    expect(query).toContain('\r\n');
    expect(query.startsWith('let Time_start = now(-5d);\r\n')).toBe(true);
    const recovered = YAML.parseDocument(yamlText).toJS() as { query: string };
    expect(query.replace(/\r\n/g, '\n')).toBe(recovered.query);
  });

  test('finds the Kaseya-signed devices of the last five days, and nothing else', () => {
    const tables = certificateTables([
      { DeviceId: 'dev-1', DeviceName: 'ws-fin-014.corp.example', Signer: 'Kaseya Holdings Inc.', Timestamp: at(-DAY), ReportId: 101 },
      { DeviceId: 'dev-3', DeviceName: 'ws-dev-003', Signer: 'KaseyaTools Ltd', Timestamp: at(-DAY), ReportId: 301 },
      { DeviceId: 'dev-2', DeviceName: 'ws-hr-002', Signer: 'KASEYA LIMITED', Timestamp: at(-2 * HOUR), ReportId: 201 },
      { DeviceId: 'dev-1', DeviceName: 'ws-fin-014.corp.example', Signer: 'Kaseya Holdings Inc.', Timestamp: at(-3 * DAY), ReportId: 102 },
      { DeviceId: 'dev-4', DeviceName: 'ws-dev-004', Signer: 'NotKaseya', Timestamp: at(-DAY), ReportId: 401 },
      { DeviceId: 'dev-5', DeviceName: 'ws-old-005', Signer: 'Kaseya Holdings Inc.', Timestamp: at(-6 * DAY), ReportId: 501 },
      { DeviceId: 'dev-1', DeviceName: 'ws-fin-014.corp.example', Signer: 'Kaseya Holdings Inc.', Timestamp: at(-3 * DAY), ReportId: 102 },
      { DeviceId: 'dev-1', DeviceName: 'ws-fin-014.corp.example', Signer: 'Kaseya Holdings Inc.', Timestamp: at(-5 * DAY - 1), ReportId: 103 },
      { DeviceId: 'dev-6', DeviceName: 'srv-it-006', Signer: 'Kaseya_VSA', Timestamp: at(-5 * DAY), ReportId: 601 },
      { DeviceId: 'dev-7', DeviceName: 'ws-007', Signer: 'Microsoft Corporation', Timestamp: at(-DAY), ReportId: 701 },
      { DeviceId: 'dev-8', DeviceName: 'ws-008', Signer: 'Kaseya Holdings Inc.', Timestamp: null, ReportId: 801 },
    ]);
    const result = executeKql(query, { tables, now: NOW });
    expect(result.columns.map((c) => `${c.name}:${c.type}`)).toEqual([
      'DeviceId:string',
      'DeviceName:string',
      'FirstSeen:datetime',
      'LastSeen:datetime',
      'Report:dynamic',
      'Count:long',
    ]);
    expect(result.rows).toEqual([
      // two events 3 days ago with the same ReportId and one a day ago; the one 5 days + 1 ms ago is out
      { DeviceId: 'dev-1', DeviceName: 'ws-fin-014.corp.example', FirstSeen: '2024-06-07T12:00:00.000Z', LastSeen: '2024-06-09T12:00:00.000Z', Report: [101, 102], Count: 3 },
      { DeviceId: 'dev-2', DeviceName: 'ws-hr-002', FirstSeen: '2024-06-10T10:00:00.000Z', LastSeen: '2024-06-10T10:00:00.000Z', Report: [201], Count: 1 },
      // exactly 5 days ago is inside (between is inclusive); _ separates terms
      { DeviceId: 'dev-6', DeviceName: 'srv-it-006', FirstSeen: '2024-06-05T12:00:00.000Z', LastSeen: '2024-06-05T12:00:00.000Z', Report: [601], Count: 1 },
    ]);
  });
});
