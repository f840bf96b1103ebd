/**
 * The tables a query reads, found before it runs so that the local backend loads just those: the
 * sources of pipelines, unions, `in` lists, `materialize`/`toscalar` and the right side of `join`
 * and `lookup`; never a `let` name, a column, or a name inside a string.
 */
import { parseKql, referencedTables } from '../../src/kql';

describe('referencedTables', () => {
  test.each<[string, string[]]>([
    ['DeviceInfo | take 1', ['DeviceInfo']],
    ['DeviceFileCertificateInfo | join kind=inner (DeviceProcessEvents | where FileName has "x") on SHA1', ['DeviceFileCertificateInfo', 'DeviceProcessEvents']],
    ['DeviceFileCertificateInfo | lookup DeviceFileEvents on SHA1', ['DeviceFileCertificateInfo', 'DeviceFileEvents']],
    ['let Files = DeviceFileEvents | distinct SHA1;\nDeviceProcessEvents | join kind=leftanti Files on SHA1 | lookup (DeviceInfo | summarize arg_max(Timestamp, *) by DeviceId) on DeviceId', ['DeviceFileEvents', 'DeviceProcessEvents', 'DeviceInfo']],
    ["DeviceNetworkEvents | where RemoteUrl == 'DeviceInfo' | join (union DeviceFileEvents, (DeviceProcessEvents)) on DeviceId", ['DeviceNetworkEvents', 'DeviceFileEvents', 'DeviceProcessEvents']],
    ['DeviceNetworkEvents | where SHA1 in (DeviceFileEvents | distinct SHA1) | extend n = toscalar(DeviceInfo | count)', ['DeviceNetworkEvents', 'DeviceFileEvents', 'DeviceInfo']],
  ])('%s', (query, tables) => {
    expect(referencedTables(parseKql(query))).toEqual(tables);
  });
});
