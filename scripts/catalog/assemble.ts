/**
 * One catalog from both sources: the public rules' hunts as the rules give them, and for every kind
 * of hunt a tool has no rule for, the LOLRMM strings that passed the rules of `vetting.ts`. Every
 * string gets its provenance; tools left with nothing to hunt on are left out.
 */
import type { FileSignatureHunt, HuntClause, NetworkHunt, ProcessHunt, RmmTool, StringProvenance, ToolCategory } from '../../src/hunt/catalog';
import type { LolrmmCatalog, LolrmmTool, RuleTool, StringKind } from './lolrmm-tools';

/** A tool as the public rules give it. */
export interface RuleDerivedTool {
  readonly id: string;
  readonly name: string;
  readonly aliases: readonly string[];
  readonly fileSignature?: FileSignatureHunt;
  readonly process?: ProcessHunt;
  readonly network?: NetworkHunt;
}

/** A tool with nothing left to hunt on, left out of the catalog. */
export interface OmittedTool {
  readonly id: string;
  readonly name: string;
  readonly files: readonly string[];
}

const RULE_REASON = 'tested by the public rule';

/** What the LOLRMM step needs to know of a rule-derived tool. */
export function ruleToolOf(tool: RuleDerivedTool): RuleTool {
  const kinds = new Set<StringKind>([...(tool.fileSignature ? ['signer' as const] : []), ...(tool.process ? ['program' as const] : []), ...(tool.network ? ['domain' as const] : [])]);
  const strings = [
    ...(tool.fileSignature?.signers ?? []),
    ...(tool.process?.companies ?? []),
    ...(tool.process?.products ?? []),
    ...(tool.network?.domains ?? []),
    ...(tool.network?.companies ?? []),
    ...(tool.network?.products ?? []),
  ];
  return { id: tool.id, name: tool.name, aliases: tool.aliases, kinds, strings: [...new Set(strings)], signers: tool.fileSignature?.signers ?? [] };
}

function filterProvenance(filter: readonly HuntClause[], source: string): StringProvenance[] {
  return filter.flat().flatMap((p) => ('values' in p ? p.values.map((value) => ({ value, column: p.column, source, reason: RULE_REASON })) : []));
}

function fileNamesOf(filter: readonly HuntClause[]): string[] {
  return [...new Set(filter.flat().flatMap((p) => (p.column === 'FileName' && p.op === '=~' ? p.values : [])))];
}

function lolrmmSource(list: readonly StringProvenance[]): string {
  return `lolrmm:${list[0]!.source.replace(/^lolrmm\//, '')}`;
}

function withLolrmm(rule: RuleDerivedTool | undefined, ruleFiles: ReadonlyMap<string, string>, lolrmm: LolrmmTool | undefined): RmmTool | undefined {
  const id = rule?.id ?? lolrmm!.id;
  const ruleSource = (ruleId: string) => ruleFiles.get(ruleId) ?? `rmm-hunts/${ruleId}`;
  const fileSignature: FileSignatureHunt | undefined = rule?.fileSignature
    ? {
        ruleId: rule.fileSignature.ruleId,
        signers: rule.fileSignature.signers,
        provenance: rule.fileSignature.signers.map((value) => ({ value, source: ruleSource(rule.fileSignature!.ruleId), reason: RULE_REASON })),
      }
    : lolrmm?.signers.length
      ? { ruleId: lolrmmSource(lolrmm.signers), signers: lolrmm.signers.map((s) => s.value), provenance: lolrmm.signers }
      : undefined;
  const process: ProcessHunt | undefined = rule?.process
    ? { ...rule.process, fileNames: fileNamesOf(rule.process.filter), provenance: filterProvenance(rule.process.filter, ruleSource(rule.process.ruleId)) }
    : lolrmm?.programs.length
      ? {
          ruleId: lolrmmSource(lolrmm.programs),
          companies: [],
          products: [],
          fileNames: lolrmm.programs.map((p) => p.value),
          filter: [[{ column: 'FileName', op: '=~', values: lolrmm.programs.map((p) => p.value) }]],
          provenance: lolrmm.programs.map((p) => ({ ...p, column: 'FileName' })),
        }
      : undefined;
  const network: NetworkHunt | undefined = rule?.network
    ? { ...rule.network, provenance: filterProvenance(rule.network.filter, ruleSource(rule.network.ruleId)) }
    : lolrmm?.domains.length
      ? {
          ruleId: lolrmmSource(lolrmm.domains),
          domains: lolrmm.domains.map((d) => d.value),
          companies: [],
          products: [],
          fileNames: [],
          requiresEmptyCompany: false,
          filter: [[{ column: 'RemoteUrl', op: 'has', values: lolrmm.domains.map((d) => d.value) }]],
          provenance: lolrmm.domains.map((d) => ({ ...d, column: 'RemoteUrl' })),
        }
      : undefined;
  if (!fileSignature && !process && !network) return undefined;
  const ruleSources = [rule?.fileSignature, rule?.process, rule?.network].flatMap((h) => (h ? [ruleSource(h.ruleId)] : []));
  const category: ToolCategory = lolrmm?.category ?? 'RMM';
  return {
    id,
    name: rule?.name ?? lolrmm!.name,
    aliases: [...new Set([...(rule?.aliases ?? []), ...(lolrmm?.aliases ?? [])])].sort(),
    category,
    sources: [...new Set([...ruleSources, ...(lolrmm?.files ?? []).map((f) => `lolrmm/${f}`)])],
    ...(fileSignature ? { fileSignature } : {}),
    ...(process ? { process } : {}),
    ...(network ? { network } : {}),
  };
}

/** The catalog's tools in name order, and the LOLRMM tools that had nothing left to hunt on. */
export function assembleCatalog(ruleTools: readonly RuleDerivedTool[], ruleFiles: ReadonlyMap<string, string>, lolrmm: LolrmmCatalog): { tools: RmmTool[]; omitted: OmittedTool[] } {
  const fromLolrmm = new Map(lolrmm.tools.map((t) => [t.id, t]));
  const ruleIds = new Set(ruleTools.map((t) => t.id));
  const tools: RmmTool[] = [];
  const omitted: OmittedTool[] = [];
  for (const rule of ruleTools) {
    const tool = withLolrmm(rule, ruleFiles, fromLolrmm.get(rule.id));
    if (tool) tools.push(tool);
  }
  for (const extra of lolrmm.tools.filter((t) => !ruleIds.has(t.id))) {
    const tool = withLolrmm(undefined, ruleFiles, extra);
    if (tool) tools.push(tool);
    else omitted.push({ id: extra.id, name: extra.name, files: extra.files });
  }
  tools.sort((a, b) => a.name.localeCompare(b.name, 'en', { sensitivity: 'base' }) || a.id.localeCompare(b.id));
  return { tools, omitted };
}
