/**
 * Small event files for tests: a temp folder of `<Table>.jsonl` written from rows given in the test.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A temp data folder; `remove()` deletes it. */
export interface EventFolder {
  readonly dir: string;
  write(table: string, rows: readonly object[]): void;
  remove(): void;
}

/** Creates an empty temp data folder. */
export function eventFolder(): EventFolder {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'huntops-events-'));
  return {
    dir,
    write(table, rows) {
      writeFileSync(path.join(dir, `${table}.jsonl`), rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

let report = 1000;

/** A DeviceFileCertificateInfo event for `deviceName`, `hoursAgo` before `now`, signed by `signer`. */
export function certificateEvent(now: Date, deviceName: string, signer: string, hoursAgo: number): object {
  report += 1;
  return {
    Timestamp: new Date(now.getTime() - hoursAgo * 3_600_000).toISOString(),
    DeviceId: `${deviceName.toLowerCase().replace(/[^a-z0-9]/g, '').padEnd(40, '0').slice(0, 40)}`,
    DeviceName: deviceName,
    SHA1: 'a'.repeat(40),
    IsSigned: true,
    SignatureType: 'Embedded',
    Signer: signer,
    Issuer: 'DigiCert Trusted G4 Code Signing RSA4096 SHA384 2021 CA1',
    ReportId: report,
  };
}
