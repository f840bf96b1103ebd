/**
 * A throw-away certificate authority and a server certificate it signed for 127.0.0.1 and
 * localhost, generated at test time. Local HTTPS fakes serve the server certificate; clients trust
 * the CA the way production code trusts a private CA: through the client's TLS options in process,
 * or `NODE_EXTRA_CA_CERTS` (see {@link writeCaFile}) for a child process. TLS verification stays on.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';

/** PEM texts of the test CA and of the server certificate it signed. */
export interface TestCertificates {
  /** The CA certificate clients trust. */
  readonly caCert: string;
  /** The server's private key. */
  readonly key: string;
  /** The server's certificate (CN localhost; SAN localhost, 127.0.0.1, ::1). */
  readonly cert: string;
}

let generated: Promise<TestCertificates> | undefined;

async function generateCertificates(): Promise<TestCertificates> {
  const notAfterDate = new Date(Date.now() + 24 * 60 * 60 * 1000);
  const ca = await generate([{ name: 'commonName', value: 'HuntOps test CA' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    ],
  });
  const server = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notAfterDate,
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
        ],
      },
    ],
  });
  return { caCert: ca.cert, key: server.private, cert: server.cert };
}

/** The certificates of this test process (generated once, on first use). */
export function testCertificates(): Promise<TestCertificates> {
  generated ??= generateCertificates();
  return generated;
}

/** Writes the CA certificate to a fresh temporary file, for `NODE_EXTRA_CA_CERTS` of a child process. */
export function writeCaFile(certificates: TestCertificates): string {
  const file = join(mkdtempSync(join(tmpdir(), 'huntops-ca-')), 'ca.pem');
  writeFileSync(file, certificates.caCert);
  return file;
}
