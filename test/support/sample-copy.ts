/**
 * A copy of the shipped sample data in a temp folder that a test may add events to, as a watch's
 * data gains a device. Times are written relative to the set's anchor: the local backend moves
 * every time by (now − anchor), so an event `minutesAgo` before the anchor always looks that long ago.
 */
import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SAMPLE_DATA_DIR } from '../../src/config';

/** The copy; `remove()` deletes it. */
export interface SampleCopy {
  readonly dir: string;
  /** The sample's anchor (`dataset.json`). */
  readonly anchor: Date;
  /** Appends rows to `<table>.jsonl`. */
  append(table: string, rows: readonly object[]): void;
  remove(): void;
}

/** Copies the sample data to a new temp folder. */
export function sampleCopy(): SampleCopy {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'huntops-sample-'));
  cpSync(SAMPLE_DATA_DIR, dir, { recursive: true });
  const anchor = new Date((JSON.parse(readFileSync(path.join(dir, 'dataset.json'), 'utf8')) as { anchor: string }).anchor);
  return {
    dir,
    anchor,
    append(table, rows) {
      appendFileSync(path.join(dir, `${table}.jsonl`), rows.map((row) => `${JSON.stringify(row)}\n`).join(''));
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A Kaseya-signed certificate event of a device new to the sample, `minutesAgo` before the anchor. */
export function newKaseyaDevice(copy: Pick<SampleCopy, 'anchor'>, deviceName: string, minutesAgo = 5): object {
  return {
    Timestamp: new Date(copy.anchor.getTime() - minutesAgo * 60_000).toISOString(),
    DeviceId: deviceName.toLowerCase().replace(/[^a-z0-9]/g, '').padEnd(40, '0').slice(0, 40),
    DeviceName: deviceName,
    SHA1: 'b'.repeat(40),
    IsSigned: true,
    SignatureType: 'Embedded',
    Signer: 'Kaseya Holdings Inc.',
    Issuer: 'DigiCert Trusted G4 Code Signing RSA4096 SHA384 2021 CA1',
    ReportId: 990_001,
  };
}
