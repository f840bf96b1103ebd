/**
 * From LOLRMM entries to catalog tools: which entries are one tool (merged under one id with
 * aliases), which are left out (not remote control), and per tool the signers, program names and
 * domains that may hunt it — each kept string with its provenance, each dropped one with its reason.
 *
 * The public rules win: a kind of hunt a public rule gives a tool is the rule's, and LOLRMM's
 * strings of that kind for the tool are listed as dropped ("the public rule's hunt is used").
 */
import { IDENTITIES, MERGES, NOT_REMOTE_CONTROL } from './curation';
import type { LolrmmEntry } from './lolrmm';
import { domainCovers, hasTerm, type DropCode, matchVendor, vendorEvidence, vetDomain, vetFileName, vetSigner, websiteDomain, type VendorEvidence } from './vetting';

/** Where a string comes from and why it was kept. */
export interface StringProvenance {
  readonly value: string;
  /** The column it is tested against, when the hunt tests more than one. */
  readonly column?: string;
  /** `rmm-hunts/<rule file>` or `lolrmm/<tool file>`. */
  readonly source: string;
  readonly reason: string;
}

/** The kinds of strings, as the review file names them. */
export type StringKind = 'signer' | 'program' | 'domain';

/** A string that does not hunt, and why. */
export interface DroppedString {
  readonly toolId: string;
  readonly kind: StringKind;
  readonly value: string;
  readonly source: string;
  readonly code: DropCode;
  readonly reason: string;
}

/** A LOLRMM entry left out of the catalog, and why. */
export interface LeftOutEntry {
  readonly file: string;
  readonly name: string;
  readonly reason: string;
}

/** What the public rules already give a tool. */
export interface RuleTool {
  readonly id: string;
  readonly name: string;
  readonly aliases: readonly string[];
  /** The kinds its public rules hunt. */
  readonly kinds: ReadonlySet<StringKind>;
  /** Every string its public rules test (signers, company and product names, domains). */
  readonly strings: readonly string[];
  /** The signers of its public file-signature rule. */
  readonly signers: readonly string[];
}

/** A tool as LOLRMM describes it, after the rules for what may hunt. */
export interface LolrmmTool {
  readonly id: string;
  readonly name: string;
  readonly aliases: readonly string[];
  readonly category: 'RMM' | 'RAT';
  /** Its LOLRMM files, in order. */
  readonly files: readonly string[];
  readonly signers: readonly StringProvenance[];
  readonly programs: readonly StringProvenance[];
  readonly domains: readonly StringProvenance[];
}

/** Everything LOLRMM contributes. */
export interface LolrmmCatalog {
  readonly tools: readonly LolrmmTool[];
  readonly dropped: readonly DroppedString[];
  readonly leftOut: readonly LeftOutEntry[];
}

interface Draft {
  id: string;
  name: string;
  aliases: Set<string>;
  entries: LolrmmEntry[];
  rule?: RuleTool;
}

const ALIAS_PREFIX = /^(?:aka|also known as|formerly|now)\s+/i;

/** The key names are compared by: case, spaces, dashes, underscores and dots ignored. */
export function nameKey(name: string): string {
  return name.normalize('NFKC').toLowerCase().replace(/[\s_.-]+/g, '');
}

/** `Level.io` → `Level`; `Kaseya (VSA)` → `Kaseya`. */
function plainName(name: string): string {
  return name.replace(/\s*\([^)]*\)\s*/g, ' ').trim();
}

function kebab(name: string): string {
  return name
    .replace(/'/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9.]+/g, '-')
    .replace(/^-|-$/g, '');
}

/** Aliases a LOLRMM name states: `(aka X)`, `(formerly X)`, `(now X)`. */
function statedAliases(name: string): string[] {
  return [...name.matchAll(/\(([^)]*)\)/g)].map((m) => m[1]!.trim()).filter((inner) => ALIAS_PREFIX.test(inner)).map((inner) => inner.replace(ALIAS_PREFIX, '').toLowerCase());
}

function source(entry: LolrmmEntry): string {
  return `lolrmm/${entry.file}`;
}

/** Builds the LOLRMM tools next to the public rules' tools. */
export function buildLolrmmCatalog(entries: readonly LolrmmEntry[], ruleTools: readonly RuleTool[]): LolrmmCatalog {
  const leftOut: LeftOutEntry[] = [];
  const drafts = new Map<string, Draft>();
  const byKey = new Map<string, Draft>();
  const remember = (draft: Draft, name: string) => {
    const key = nameKey(name);
    if (key && !byKey.has(key)) byKey.set(key, draft);
  };
  for (const rule of ruleTools) {
    const draft: Draft = { id: rule.id, name: rule.name, aliases: new Set(rule.aliases), entries: [], rule };
    drafts.set(rule.id, draft);
    for (const name of [rule.id, rule.name, ...rule.aliases]) remember(draft, name);
  }

  for (const entry of entries) {
    const outReason = NOT_REMOTE_CONTROL[entry.file];
    if (outReason) {
      if (entry.category !== 'RAT') throw new Error(`${entry.file}: only RAT entries are left out as not remote control`);
      leftOut.push({ file: entry.file, name: entry.name, reason: outReason });
      continue;
    }
    const plain = plainName(entry.name);
    const merged = MERGES[entry.file];
    let draft = merged ? drafts.get(merged) : [entry.name, plain, plain.replace(/\.(io|com|me|cloud|net)$/i, '')].map((n) => byKey.get(nameKey(n))).find(Boolean);
    if (!draft) {
      const id = merged ?? kebab(plain);
      const identity = IDENTITIES[id];
      draft = { id, name: identity?.name ?? plain, aliases: new Set(identity?.aliases ?? []), entries: [] };
      drafts.set(id, draft);
      for (const name of [id, draft.name, ...draft.aliases]) remember(draft, name);
    }
    draft.entries.push(entry);
    for (const name of [entry.name, plain]) {
      if (nameKey(name) !== nameKey(draft.name) && nameKey(name) !== nameKey(draft.id)) draft.aliases.add(name.toLowerCase());
      remember(draft, name);
    }
    for (const alias of statedAliases(entry.name)) {
      draft.aliases.add(alias);
      remember(draft, alias);
    }
  }

  const dropped: DroppedString[] = [];
  const candidates = [...drafts.values()].filter((d) => d.entries.length > 0);
  const perTool = candidates.map((draft) => vetTool(draft, dropped));
  const tools = resolveShared(perTool, ruleTools, dropped);
  return { tools, dropped, leftOut };
}

interface Vetted {
  readonly draft: Draft;
  readonly evidence: VendorEvidence;
  signers: StringProvenance[];
  programs: StringProvenance[];
  domains: StringProvenance[];
}

function vetTool(draft: Draft, dropped: DroppedString[]): Vetted {
  const names = [draft.name, ...draft.aliases, ...draft.entries.map((e) => e.name)];
  const attested = vendorEvidence({ names: draft.rule?.strings ?? [], websites: [], peVendors: [], nameLabel: 'string' });
  const toolDomains = new Set(draft.entries.map((e) => websiteDomain(e.website)).filter((d): d is string => Boolean(d)));
  const vetted: Vetted = {
    draft,
    evidence: vendorEvidence({ names, websites: draft.entries.map((e) => e.website), peVendors: draft.entries.flatMap((e) => e.peVendors) }),
    signers: [],
    programs: [],
    domains: [],
  };
  const ruleHas = (kind: StringKind) => draft.rule?.kinds.has(kind) ?? false;
  const superseded = 'the public rule gives this tool this kind of hunt: its strings win';
  for (const entry of draft.entries) {
    const own = vendorEvidence({ names: [entry.name, draft.name, ...draft.aliases], websites: [entry.website], peVendors: entry.peVendors });
    const take = (kind: StringKind, list: StringProvenance[], value: string, verdict: ReturnType<typeof vetSigner>) => {
      if (!verdict.keep) dropped.push({ toolId: draft.id, kind, value, source: source(entry), code: verdict.code, reason: verdict.reason });
      else if (ruleHas(kind)) dropped.push({ toolId: draft.id, kind, value, source: source(entry), code: 'public-rule-wins', reason: superseded });
      else if (list.some((p) => p.value.toLowerCase() === verdict.value.toLowerCase())) return;
      else list.push({ value: verdict.value, source: source(entry), reason: verdict.reason });
    };
    for (const signer of entry.signers) take('signer', vetted.signers, signer, vetSigner(signer, { evidence: own, attested }));
    for (const name of entry.fileNameCandidates) take('program', vetted.programs, name, vetFileName(name));
    for (const domain of entry.domains) take('domain', vetted.domains, domain, vetDomain(domain, { toolDomains }));
  }
  vetted.domains = withoutCovered(vetted.domains, draft.id, dropped);
  return vetted;
}

/** A tool's domains without those another of its domains covers (`has 'x.com'` finds `a.x.com`). */
function withoutCovered(domains: readonly StringProvenance[], toolId: string, dropped: DroppedString[]): StringProvenance[] {
  return domains.filter((d) => {
    const outer = domains.find((o) => o !== d && domainCovers(o.value, d.value) && (o.value !== d.value || domains.indexOf(o) < domains.indexOf(d)));
    if (outer) dropped.push({ toolId, kind: 'domain', value: d.value, source: d.source, code: 'covered', reason: `covered by '${outer.value}', which the hunt tests` });
    return !outer;
  });
}

/**
 * Program names and domains listed for more than one tool tell them apart only when one of the
 * tools owns the string (its name or website says so): the owner keeps it, the others drop it;
 * with no owner, all drop it. Public rules' domains count as their tools' own.
 */
function resolveShared(perTool: readonly Vetted[], ruleTools: readonly RuleTool[], dropped: DroppedString[]): LolrmmTool[] {
  for (const kind of ['signer', 'program', 'domain'] as const) {
    const listOf = (v: Vetted) => (kind === 'signer' ? v.signers : kind === 'program' ? v.programs : v.domains);
    const clash = (a: string, b: string) =>
      kind === 'signer' ? hasTerm(a, b) || hasTerm(b, a) : kind === 'program' ? a === b : domainCovers(a, b) || domainCovers(b, a);
    const owns = (v: Vetted, value: string) => Boolean(matchVendor(kind === 'program' ? value.replace(/\.exe$/, '') : value.split('.').slice(-2, -1)[0] ?? '', v.evidence));
    const keep = new Map<Vetted, StringProvenance[]>();
    for (const v of perTool) {
      keep.set(
        v,
        listOf(v).filter((p) => {
          const others = perTool.filter((o) => o !== v && listOf(o).some((q) => clash(p.value, q.value)));
          const ruleStrings = (r: RuleTool) => (kind === 'signer' ? r.signers : kind === 'domain' && r.kinds.has('domain') ? r.strings.filter((s) => s.includes('.')).map((s) => s.toLowerCase()) : []);
          const ruleOwners = ruleTools.filter((r) => r.id !== v.draft.id && ruleStrings(r).some((s) => clash(p.value, s)));
          if (others.length === 0 && ruleOwners.length === 0) return true;
          const names = [...others.map((o) => o.draft.name), ...ruleOwners.map((r) => `${r.name} (public rule)`)].join(', ');
          if (kind !== 'signer' && ruleOwners.length === 0 && owns(v, p.value) && !others.some((o) => owns(o, p.value))) {
            return true;
          }
          dropped.push({ toolId: v.draft.id, kind, value: p.value, source: p.source, code: 'shared', reason: `also listed for ${names}: it does not tell the tools apart` });
          return false;
        }),
      );
    }
    for (const [v, list] of keep) {
      if (kind === 'signer') v.signers = list;
      else if (kind === 'program') v.programs = list;
      else v.domains = list;
    }
  }
  return perTool.map((v) => ({
    id: v.draft.id,
    name: v.draft.name,
    aliases: [...v.draft.aliases].filter((a) => nameKey(a) !== nameKey(v.draft.name) && nameKey(a) !== nameKey(v.draft.id)).sort(),
    category: v.draft.entries.some((e) => e.category === 'RMM') ? 'RMM' : 'RAT',
    files: v.draft.entries.map((e) => e.file),
    signers: v.signers,
    programs: v.programs,
    domains: v.domains,
  }));
}
