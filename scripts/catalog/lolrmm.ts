/**
 * Reads the LOLRMM snapshot (`../shared/lolrmm/yaml/`, Apache-2.0): one YAML file per tool. Only the
 * fields the catalog uses are read, and read defensively: the data has drifted from its own schema
 * (`Domains`, `CodeSigning` are not in `lolrmm.spec.json`), and optional blocks are often empty.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

/** One LOLRMM tool file, as the catalog reads it. */
export interface LolrmmEntry {
  /** File name in `yaml/`, e.g. `netsupport_manager.yaml`: the entry's id in provenance. */
  readonly file: string;
  /** `Name`, e.g. `NetSupport Manager`. */
  readonly name: string;
  /** `Category`: `RMM` or `RAT`. */
  readonly category: 'RMM' | 'RAT';
  /** `Details.Website`, possibly empty. */
  readonly website: string;
  /** `Details.PEMetadata[]` `Company` and `Product` values. */
  readonly peVendors: readonly string[];
  /** `Details.PEMetadata[]` `Filename` and `OriginalFileName`, then `Details.InstallationPaths`, as written. */
  readonly fileNameCandidates: readonly string[];
  /** `Artifacts.Network[].Domains`, as written. */
  readonly domains: readonly string[];
  /** `CodeSigning.signer_names` and `CodeSigning.certificates[].signer_name`, each once, as written. */
  readonly signers: readonly string[];
}

type Loose = Record<string, unknown>;

function record(value: unknown): Loose {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Loose) : {};
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
}

function text(value: unknown): string {
  return typeof value === 'string' ? value.trim() : '';
}

function texts(values: readonly unknown[]): string[] {
  return values.map(text).filter((v) => v !== '');
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

/** One entry from a file's text. */
export function readEntry(file: string, source: string): LolrmmEntry {
  const doc = record(parse(source));
  const name = text(doc.Name);
  const category = text(doc.Category);
  if (!name) throw new Error(`${file}: no Name`);
  if (category !== 'RMM' && category !== 'RAT') throw new Error(`${file}: Category '${category}' is neither RMM nor RAT`);
  const details = record(doc.Details);
  const pe = list(details.PEMetadata).map(record);
  const artifacts = record(doc.Artifacts);
  const signing = record(doc.CodeSigning);
  return {
    file,
    name,
    category,
    website: text(details.Website),
    peVendors: unique(texts(pe.flatMap((p) => [p.Company, p.Product]))),
    fileNameCandidates: unique(texts([...pe.flatMap((p) => [p.Filename, p.OriginalFileName]), ...list(details.InstallationPaths)])),
    domains: unique(texts(list(artifacts.Network).flatMap((n) => list(record(n).Domains)))),
    signers: unique(texts([...list(signing.signer_names), ...list(signing.certificates).map((c) => record(c).signer_name)])),
  };
}

/** Every entry of a LOLRMM `yaml/` folder, in file-name order. */
export function readLolrmmDir(dir: string): LolrmmEntry[] {
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/i.test(f))
    .sort()
    .map((file) => readEntry(file, readFileSync(path.join(dir, file), 'utf8')));
}
