/**
 * A bare HTTPS request for tests that talk to the local fakes without an SDK (to check that the
 * fakes fail closed), trusting the test CA only.
 */
import { request } from 'node:https';

/** A raw answer. */
export interface RawAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** Sends one request and reads the whole answer. */
export function httpsRequest(
  url: string,
  options: { readonly ca: string; readonly method?: string; readonly headers?: Record<string, string>; readonly body?: string },
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers, ca: options.ca }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}
