/**
 * The rules for what may hunt a tool, one string at a time: signers, domains and program file
 * names from LOLRMM are kept only when they are the tool's own, and every string dropped is given
 * its reason (the review file lists them all).
 */
import { parse as parseHost } from 'tldts';
import {
  COMMON_WORDS,
  GENERAL_PURPOSE_SIGNERS,
  GENERIC_DOMAINS,
  GENERIC_FILE_NAMES,
  LEGAL_WORDS,
  OTHER_PRODUCTS,
  WINDOWS_FILE_NAMES,
} from './curation';

/** A string kept, in the form the hunt uses, and why. */
export interface Kept {
  readonly keep: true;
  readonly value: string;
  readonly reason: string;
}

/** Why strings are dropped, as the review file counts them. */
export type DropCode =
  | 'placeholder'
  | 'ip-literal'
  | 'pattern'
  | 'not-a-domain'
  | 'generic'
  | 'general-purpose-vendor'
  | 'other-product'
  | 'not-the-vendor'
  | 'windows-program'
  | 'not-a-program'
  | 'too-short'
  | 'shared'
  | 'covered'
  | 'public-rule-wins';

/** A string dropped, and why. */
export interface Dropped {
  readonly keep: false;
  readonly code: DropCode;
  readonly reason: string;
}

export type Verdict = Kept | Dropped;

/** What a tool is, as far as matching strings to it goes: its names, its websites, its PE metadata. */
export interface VendorEvidence {
  /** Human-readable sources of each word or joined name, for reasons: `name 'NetSupport Manager'`. */
  readonly sources: ReadonlyMap<string, string>;
}

/** Lower-case words of a name (letters and digits of any script; accents dropped). */
export function wordsOf(text: string): string[] {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
}

/** A company name's words without its legal form (`Inc`, `GmbH`, `Ltd`…). */
export function companyWords(name: string): string[] {
  return wordsOf(name).filter((w) => !LEGAL_WORDS.has(w));
}

function distinctive(word: string): boolean {
  return word.length >= 4 && !COMMON_WORDS.has(word);
}

/** The vendor evidence of a tool from its names, websites and PE metadata company/product values. */
export function vendorEvidence(options: {
  readonly names: readonly string[];
  readonly websites: readonly string[];
  readonly peVendors: readonly string[];
  /** How a name is cited in reasons (default `name`). */
  readonly nameLabel?: string;
}): VendorEvidence {
  const sources = new Map<string, string>();
  const add = (key: string, source: string) => {
    if (key && !sources.has(key)) sources.set(key, source);
  };
  const addName = (name: string, source: string) => {
    const words = companyWords(name);
    add(words.join(''), source);
    for (const word of words) if (distinctive(word)) add(word, source);
  };
  for (const name of options.names) addName(name, `${options.nameLabel ?? 'name'} '${name}'`);
  for (const value of options.peVendors) addName(value, `PE metadata '${value}'`);
  for (const website of options.websites) {
    const host = websiteHost(website);
    if (!host) continue;
    const parsed = parseHost(host);
    const labels = [parsed.domainWithoutSuffix ?? '', ...(parsed.subdomain ?? '').split('.')].filter((l) => l && l !== 'www');
    for (const label of labels) add(label.replace(/-/g, ''), `website ${host}`);
  }
  return { sources };
}

function websiteHost(website: string): string | undefined {
  const match = /^[a-z]+:\/\/([^/:?#]+)/i.exec(website.trim());
  return match?.[1]?.toLowerCase();
}

/** The registrable domain of a website (`https://www.anydesk.com/en` → `anydesk.com`). */
export function websiteDomain(website: string): string | undefined {
  const host = websiteHost(website);
  return host ? (parseHost(host).domain ?? undefined) : undefined;
}

/**
 * Which of the vendor evidence a company-like name (a signer) matches, if any: the name without its
 * legal form, written together, is one of the tool's names or website labels, or one of the name's
 * distinctive words is a word of them or begins one (`NetSupport` begins `NetSupport Manager`).
 */
export function matchVendor(name: string, evidence: VendorEvidence): string | undefined {
  const words = companyWords(name);
  if (words.length === 0) return undefined;
  const joined = words.join('');
  if (evidence.sources.has(joined)) return evidence.sources.get(joined);
  for (const word of words.filter(distinctive)) {
    if (evidence.sources.has(word)) return evidence.sources.get(word);
    for (const [key, source] of evidence.sources) if (key.startsWith(word)) return source;
  }
  if (joined.length >= 5) for (const [key, source] of evidence.sources) if (key.startsWith(joined)) return source;
  return undefined;
}

/** The product another signer or file name belongs to, when it is one of {@link OTHER_PRODUCTS}. */
function otherProductOfSigner(signer: string): string | undefined {
  return OTHER_PRODUCTS.find((p) => p.signers.some((s) => s.test(signer.trim())))?.product;
}

/**
 * A LOLRMM signer of a tool: kept only when it is the tool's vendor — attested by a public rule's
 * strings for the tool, or matching the tool's vendor evidence. General-purpose vendors and other
 * products' signers never hunt by file signature.
 */
export function vetSigner(signer: string, options: { readonly evidence: VendorEvidence; readonly attested: VendorEvidence }): Verdict {
  const general = GENERAL_PURPOSE_SIGNERS.find((g) => g.pattern.test(signer.trim()));
  if (general) return { keep: false, code: 'general-purpose-vendor', reason: `a general-purpose vendor's signer (${general.vendor}): it signs much of every machine` };
  const other = otherProductOfSigner(signer);
  if (other) return { keep: false, code: 'other-product', reason: `the signer of another product (${other})` };
  const value = signer.trim().replace(/[\\\s]+$/, '');
  const cleaned = value === signer ? '' : ' (trailing backslash left out)';
  const rule = matchVendor(value, options.attested);
  if (rule) return { keep: true, value, reason: `the tool's vendor: attested by the public rule's ${rule}${cleaned}` };
  const own = matchVendor(value, options.evidence);
  if (own) return { keep: true, value, reason: `the tool's vendor: matches its ${own}${cleaned}` };
  return { keep: false, code: 'not-the-vendor', reason: "not the tool's vendor: matches none of its names, website or PE metadata" };
}

const PLACEHOLDER = /[<>\s]|^user_managed$/i;
const PATTERN = /[*?[\]{}()\\|+^$]/;

/**
 * A LOLRMM domain of a tool, in the form a `RemoteUrl has` test uses: without `*.` (`has` matches a
 * domain's subdomains too) or a port; a pattern is hunted by its fixed part when that is still a
 * domain. Placeholders, IP literals and generic domains are dropped.
 */
export function vetDomain(raw: string, options: { readonly toolDomains: ReadonlySet<string> }): Verdict {
  const written = raw.trim();
  if (!written || PLACEHOLDER.test(written) || !written.includes('.')) return { keep: false, code: 'placeholder', reason: 'a placeholder, not a domain' };
  let host = written.toLowerCase().replace(/:\d+$/, '');
  const notes: string[] = [];
  if (host.startsWith('*.')) {
    host = host.slice(2);
    notes.push("'*.' left out: has matches the subdomains");
  }
  if (parseHost(host).isIp || /^[\d.:/]+$/.test(host)) return { keep: false, code: 'ip-literal', reason: 'an IP literal: addresses change hands' };
  if (PATTERN.test(host)) {
    const labels = host.split('.');
    const last = labels.map((l) => PATTERN.test(l)).lastIndexOf(true);
    const fixed = labels.slice(last + 1).join('.');
    if (!fixed || !parseHost(fixed, { allowPrivateDomains: true }).domain) return { keep: false, code: 'pattern', reason: 'a pattern with no fixed domain to hunt on' };
    notes.push(`a pattern: hunted by its fixed part`);
    host = fixed;
  }
  const parsed = parseHost(host, { allowPrivateDomains: true });
  if (!parsed.domain || !parsed.publicSuffix) return { keep: false, code: 'not-a-domain', reason: 'not a registrable domain name (a public suffix or malformed)' };
  const icann = parseHost(host).domain ?? parsed.domain;
  const generic = GENERIC_DOMAINS.get(icann);
  const allowed = generic?.allows === 'tenants' ? parsed.isPrivate === true : generic?.allows === 'own-product' ? options.toolDomains.has(icann) : false;
  if (generic && !allowed) return { keep: false, code: 'generic', reason: `generic: a host of ${icann}, ${generic.reason}` };
  return { keep: true, value: host, reason: ['a domain the tool connects to (LOLRMM Artifacts.Network)', ...notes].join('; ') };
}

/**
 * A LOLRMM file name or installation path of a tool, as a program name for `FileName in~`: only
 * `.exe` names, no patterns; Windows' own programs, other products' programs and generic or very
 * short names are dropped.
 */
export function vetFileName(raw: string): Verdict {
  const base = raw.trim().split(/[\\/]/).pop() ?? '';
  const name = base.toLowerCase();
  if (!name.endsWith('.exe')) return { keep: false, code: 'not-a-program', reason: 'not a program file name (a folder, library, package or script)' };
  if (/[*?<>[\]{}%]/.test(name)) return { keep: false, code: 'pattern', reason: 'a pattern, not a file name' };
  if (WINDOWS_FILE_NAMES.has(name)) return { keep: false, code: 'windows-program', reason: 'a program of Windows itself' };
  const other = OTHER_PRODUCTS.find((p) => p.fileNames.includes(name));
  if (other) return { keep: false, code: 'other-product', reason: `a program of another product (${other.product})` };
  if (GENERIC_FILE_NAMES.has(name)) return { keep: false, code: 'generic', reason: 'generic: many programs have this name' };
  if (name.length - '.exe'.length < 4) return { keep: false, code: 'too-short', reason: 'too short to tell one program from another' };
  return { keep: true, value: name, reason: `a program of the tool (LOLRMM ${base === raw.trim() ? 'PEMetadata or InstallationPaths' : 'InstallationPaths'})` };
}

/** `a.b.com` is covered by `b.com` under `has`: the same domain or one of its subdomains. */
export function domainCovers(outer: string, inner: string): boolean {
  return inner === outer || inner.endsWith(`.${outer}`);
}

/**
 * Kusto's `has`: `needle` occurs in `text` on term boundaries, any case (a term is a maximal run of
 * letters and digits).
 */
export function hasTerm(text: string, needle: string): boolean {
  const t = text.toLowerCase();
  const n = needle.toLowerCase();
  if (!n) return false;
  const term = (c: string | undefined) => c !== undefined && /[\p{L}\p{N}]/u.test(c);
  for (let i = t.indexOf(n); i >= 0; i = t.indexOf(n, i + 1)) {
    if ((!term(n[0]) || !term(t[i - 1])) && (!term(n[n.length - 1]) || !term(t[i + n.length]))) return true;
  }
  return false;
}
