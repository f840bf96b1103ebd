/**
 * URLs judged in their canonical form only (as the WHATWG URL parser writes them back), without
 * credentials, query or fragment, so that no other parser can read a different host out of the
 * same text. Shared by the configuration (the offline-test endpoints) and the Teams seam (service
 * URLs); it depends on nothing of HuntOps.
 */

const MAX_URL_LENGTH = 2048;
const IPV4_LOOPBACK = /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;
const LOOPBACK_NAMES: ReadonlySet<string> = new Set(['localhost', '[::1]']);

/** The parsed URL when `text` is a canonical http(s) URL without credentials, query or fragment; otherwise undefined. */
export function canonicalHttpUrl(text: unknown): URL | undefined {
  if (typeof text !== 'string' || text.length === 0 || text.length > MAX_URL_LENGTH) return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if (url.href !== text && url.href !== `${text}/`) return undefined;
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') return undefined;
  return url;
}

/** True when `url` names this machine's loopback interface. */
export function isLoopbackHost(url: URL): boolean {
  return LOOPBACK_NAMES.has(url.hostname) || IPV4_LOOPBACK.test(url.hostname);
}

/** True when `text` is a canonical http(s) URL on loopback (used to vet the offline-test origins). */
export function isLoopbackUrl(text: string): boolean {
  const url = canonicalHttpUrl(text);
  return url !== undefined && isLoopbackHost(url);
}
