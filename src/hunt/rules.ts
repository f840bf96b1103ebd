/**
 * Loader for Sentinel/Defender hunting rules in YAML (the format of `../shared/rmm-hunts/` and of the
 * folder a user names in `HUNT_RULES_DIR`). Real-world files are read as leniently as is safe:
 * line endings and byte-order marks are normalised, the known mis-indented `requiredDataConnectors`
 * block and tabs in indentation are repaired when the file does not parse, and a file that is
 * still not YAML has its top-level fields read line by line. What could not be read is reported
 * per file (file, line, reason) and never stops the rest of a folder from loading.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join, relative } from 'node:path';
import { isMap, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import { scanTopLevelFields } from './rule-line-scan';
import { expandIndentTabs, reindentConnectorBlock, type TextRepair } from './rule-repair';
import { decodeRuleText, normaliseLineEndings } from './rule-text';

/** A hunting rule as read from a file. */
export interface HuntingRule {
  /** The rule's `id` (a GUID in Sentinel rules). */
  readonly id: string;
  /** The rule's `name`; its id when the file has none. */
  readonly name: string;
  /** The rule's `description`, empty when it has none. */
  readonly description: string;
  /** The KQL of the rule's `query`, with `\n` line endings. */
  readonly query: string;
  /** The tables the rule declares (`requiredDataConnectors[].dataTypes`), in order, each once. */
  readonly tables: readonly string[];
  /** MITRE ATT&CK tactics (`tactics`). */
  readonly tactics: readonly string[];
  /** MITRE ATT&CK techniques (`relevantTechniques`). */
  readonly techniques: readonly string[];
  /** The file the rule was read from, as the caller named it. */
  readonly source: string;
}

/** Something in a rule file that could not be read. */
export interface RuleProblem {
  /** The file (or, for a folder that cannot be listed, the folder). */
  readonly file: string;
  /** 1-based line of the file, when the problem has one. */
  readonly line?: number;
  /**
   * `error`: the file's rule was not loaded. `warning`: the rule was loaded, but part of the file
   * was ignored or had to be guessed.
   */
  readonly severity: 'error' | 'warning';
  /** What is wrong, for the person who maintains the file. */
  readonly message: string;
}

/** A flaw the loader repaired to read a file: not a problem, but worth a note in a log. */
export interface RuleRepair {
  readonly file: string;
  readonly line?: number;
  readonly message: string;
}

/** What loading a file or a folder produced. */
export interface RuleLoadResult {
  readonly rules: HuntingRule[];
  readonly problems: RuleProblem[];
  readonly repairs: RuleRepair[];
}

/** Options of {@link parseRuleText}. */
export interface ParseRuleOptions {
  /** The file the text came from, named in the rule and in every problem. */
  readonly source: string;
}

/** Options of {@link loadRuleDir}. */
export interface LoadRuleDirOptions {
  /** Also read sub-folders (default `true`). Entries whose names start with `.` are skipped. */
  readonly recursive?: boolean;
  /**
   * Given, files are named relative to the folder (`team/anydesk.yaml`) and the folder itself by
   * this name (`HUNT_RULES_DIR`) in rules and problems, so that no absolute path reaches a card.
   * Omitted, files are named by their paths.
   */
  readonly folderName?: string;
}

/** Options of {@link loadRuleFile}. */
export interface LoadRuleFileOptions {
  /** How the file is named in its rule and problems (default: its path). */
  readonly name?: string;
}

/** Rule files are small; anything bigger is not one. */
const MAX_RULE_BYTES = 1024 * 1024;
const RULE_EXTENSIONS = new Set(['.yaml', '.yml']);
const TAB_WIDTHS = [4, 2, 8];

interface Field {
  readonly value: unknown;
  readonly line?: number;
}

interface ReadFields {
  readonly fields?: Map<string, Field>;
  readonly repairs: readonly TextRepair[];
  readonly problems: ReadonlyArray<Omit<RuleProblem, 'file'>>;
}

/** Formats a problem the way compilers do: `file:line: severity: message`. */
export function formatRuleProblem(problem: RuleProblem): string {
  return `${problem.file}${problem.line ? `:${problem.line}` : ''}: ${problem.severity}: ${problem.message}`;
}

function yamlReason(error: { message: string }): string {
  return error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}

function parseYaml(text: string): { doc: Document; lines: LineCounter } {
  const lines = new LineCounter();
  return { doc: parseDocument(text, { lineCounter: lines, prettyErrors: false }), lines };
}

function firstErrorLine(doc: Document, lines: LineCounter): number | undefined {
  const error = doc.errors[0];
  return error ? (error.linePos?.[0]?.line ?? lines.linePos(error.pos[0]).line) : undefined;
}

function fieldsOf(doc: Document, lines: LineCounter): ReadFields {
  if (!isMap(doc.contents)) {
    return {
      repairs: [],
      problems: [{ severity: 'error', line: 1, message: "not a rule: the file's top level is not a set of 'key: value' fields" }],
    };
  }
  const fields = new Map<string, Field>();
  for (const pair of doc.contents.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
    const line = isScalar(pair.key) && pair.key.range ? lines.linePos(pair.key.range[0]).line : undefined;
    const value: unknown = pair.value && typeof pair.value === 'object' && 'toJSON' in pair.value ? (pair.value as { toJSON(): unknown }).toJSON() : pair.value;
    fields.set(key, { value, line });
  }
  return { fields, repairs: [], problems: [] };
}

/** Parses the YAML, repairing the known flaws when (and only when) it does not parse as it is. */
function readFields(text: string): ReadFields {
  const plain = parseYaml(text);
  if (plain.doc.errors.length === 0) return fieldsOf(plain.doc, plain.lines);

  const reindented = reindentConnectorBlock(text);
  let last = plain;
  if (reindented.repairs.length > 0) {
    last = parseYaml(reindented.text);
    if (last.doc.errors.length === 0) return { ...fieldsOf(last.doc, last.lines), repairs: reindented.repairs };
  }
  for (const width of TAB_WIDTHS) {
    const expanded = expandIndentTabs(text, width);
    if (expanded.repairs.length === 0) break;
    const both = reindentConnectorBlock(expanded.text);
    const attempt = parseYaml(both.text);
    if (attempt.doc.errors.length === 0) {
      return { ...fieldsOf(attempt.doc, attempt.lines), repairs: [...expanded.repairs, ...both.repairs] };
    }
    if (width === TAB_WIDTHS[0]) last = attempt;
  }

  const reason = yamlReason(last.doc.errors[0]!);
  const scanned = scanTopLevelFields(text);
  const fields = new Map<string, Field>([...scanned].map(([key, field]) => [key, { value: field.value, line: field.line }]));
  return {
    fields,
    repairs: [],
    problems: [
      {
        severity: 'warning',
        line: firstErrorLine(last.doc, last.lines),
        message: `not valid YAML (${reason}); its top-level fields were read line by line, anything nested except 'dataTypes' was skipped`,
      },
    ],
  };
}

function textField(fields: Map<string, Field>, key: string, problems: Array<Omit<RuleProblem, 'file'>>): string | undefined {
  const field = fields.get(key);
  if (!field || field.value === null || field.value === undefined) return undefined;
  if (typeof field.value === 'string') return field.value;
  if (typeof field.value === 'number' || typeof field.value === 'boolean') return String(field.value);
  problems.push({ severity: 'warning', line: field.line, message: `'${key}' should be text; it was ignored` });
  return undefined;
}

function listField(fields: Map<string, Field>, key: string, problems: Array<Omit<RuleProblem, 'file'>>): string[] {
  const field = fields.get(key);
  if (!field || field.value === null || field.value === undefined) return [];
  const items = typeof field.value === 'string' ? field.value.split(',') : Array.isArray(field.value) ? field.value : undefined;
  if (!items) {
    problems.push({ severity: 'warning', line: field.line, message: `'${key}' should be a list of names; it was ignored` });
    return [];
  }
  const names = items.filter((item): item is string | number => typeof item === 'string' || typeof item === 'number');
  if (names.length < items.length) {
    problems.push({ severity: 'warning', line: field.line, message: `'${key}' has entries that are not names; they were ignored` });
  }
  return unique(names.map((name) => String(name).trim()).filter(Boolean));
}

function tablesField(fields: Map<string, Field>, problems: Array<Omit<RuleProblem, 'file'>>): string[] {
  const field = fields.get('requiredDataConnectors');
  if (!field || field.value === null || field.value === undefined) return [];
  if (!Array.isArray(field.value)) {
    problems.push({ severity: 'warning', line: field.line, message: "'requiredDataConnectors' should be a list of connectors; its tables were not read" });
    return [];
  }
  const tables: string[] = [];
  for (const connector of field.value as unknown[]) {
    const dataTypes = connector && typeof connector === 'object' ? (connector as { dataTypes?: unknown }).dataTypes : undefined;
    if (dataTypes === undefined || dataTypes === null) continue;
    const list = typeof dataTypes === 'string' ? [dataTypes] : Array.isArray(dataTypes) ? dataTypes : [];
    if (!Array.isArray(dataTypes) && typeof dataTypes !== 'string') {
      problems.push({ severity: 'warning', line: field.line, message: "a connector's 'dataTypes' should be a list of table names; it was ignored" });
    }
    tables.push(...list.filter((t): t is string => typeof t === 'string').map((t) => t.trim()).filter(Boolean));
  }
  return unique(tables);
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

function ruleFrom(fields: Map<string, Field>, source: string, problems: Array<Omit<RuleProblem, 'file'>>): HuntingRule | undefined {
  const id = textField(fields, 'id', problems)?.trim();
  const query = textField(fields, 'query', problems);
  if (!id) problems.push({ severity: 'error', message: "no 'id': every rule needs one (Sentinel rules use a GUID); the rule was not loaded" });
  if (query === undefined) {
    problems.push({ severity: 'error', message: "no 'query': the rule has no KQL to run; the rule was not loaded" });
  } else if (!/\S/.test(query.replace(/\/\/[^\n]*/g, ''))) {
    problems.push({ severity: 'error', line: fields.get('query')?.line, message: "'query' is empty; the rule was not loaded" });
  }
  let name = textField(fields, 'name', problems)?.trim();
  const description = textField(fields, 'description', problems) ?? '';
  const tables = tablesField(fields, problems);
  const tactics = listField(fields, 'tactics', problems);
  const techniques = listField(fields, 'relevantTechniques', problems);
  if (!id || query === undefined || problems.some((p) => p.severity === 'error')) return undefined;
  if (!name) {
    problems.push({ severity: 'warning', message: "no 'name'; the rule is shown under its id" });
    name = id;
  }
  return { id, name, description, query: normaliseLineEndings(query), tables, tactics, techniques, source };
}

/**
 * Reads one rule from the text of a rule file. Never throws for bad input: what cannot be read is
 * in `problems`, what was repaired in `repairs`.
 */
export function parseRuleText(text: string, options: ParseRuleOptions): RuleLoadResult {
  const file = options.source;
  const read = readFields(normaliseLineEndings(text));
  const problems: Array<Omit<RuleProblem, 'file'>> = [...read.problems];
  const rule = read.fields ? ruleFrom(read.fields, file, problems) : undefined;
  return {
    rules: rule ? [rule] : [],
    problems: problems.map((p) => (p.line === undefined ? { file, severity: p.severity, message: p.message } : { file, ...p })),
    repairs: read.repairs.map((r) => ({ file, line: r.line, message: r.message })),
  };
}

function ioReason(error: unknown): string {
  const code = (error as { code?: string }).code;
  switch (code) {
    case 'ENOENT':
      return 'not found';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a folder, not a file';
    case 'ENOTDIR':
      return 'is a file, not a folder';
    default:
      return `cannot be read (${code ?? 'unknown error'})`;
  }
}

/** Loads the rule of one file. Never rejects: a file that cannot be read is a problem. */
export async function loadRuleFile(path: string, options: LoadRuleFileOptions = {}): Promise<RuleLoadResult> {
  const file = options.name ?? path;
  let bytes: Buffer;
  try {
    const info = await stat(path);
    if (info.isDirectory()) throw Object.assign(new Error('folder'), { code: 'EISDIR' });
    if (info.size > MAX_RULE_BYTES) {
      return { rules: [], problems: [{ file, severity: 'error', message: `is ${info.size} bytes; a rule file is at most ${MAX_RULE_BYTES} bytes` }], repairs: [] };
    }
    bytes = await readFile(path);
  } catch (error) {
    return { rules: [], problems: [{ file, severity: 'error', message: ioReason(error) }], repairs: [] };
  }
  const decoded = decodeRuleText(bytes);
  const result = parseRuleText(decoded.text, { source: file });
  return decoded.encodingNote ? { ...result, repairs: [{ file, message: decoded.encodingNote }, ...result.repairs] } : result;
}

async function listRuleFiles(dir: string, recursive: boolean): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const files: string[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (recursive) files.push(...(await listRuleFiles(path, recursive)));
    } else if ((entry.isFile() || entry.isSymbolicLink()) && RULE_EXTENSIONS.has(extname(entry.name).toLowerCase())) {
      files.push(path);
    }
  }
  return files;
}

/**
 * Loads every `.yaml`/`.yml` rule of a folder (and its sub-folders, unless told otherwise), in
 * file-name order. A rule whose id an earlier file already used is not loaded. Never rejects.
 */
export async function loadRuleDir(dir: string, options: LoadRuleDirOptions = {}): Promise<RuleLoadResult> {
  const folder = options.folderName ?? dir;
  const nameOf = (file: string): string => (options.folderName === undefined ? file : relative(dir, file));
  let files: string[];
  try {
    const info = await stat(dir);
    if (!info.isDirectory()) throw Object.assign(new Error('file'), { code: 'ENOTDIR' });
    files = await listRuleFiles(dir, options.recursive ?? true);
  } catch (error) {
    return { rules: [], problems: [{ file: folder, severity: 'error', message: `rules folder ${ioReason(error)}` }], repairs: [] };
  }
  if (files.length === 0) {
    return { rules: [], problems: [{ file: folder, severity: 'warning', message: 'rules folder holds no .yaml or .yml files' }], repairs: [] };
  }

  const results = await Promise.all(files.map((file) => loadRuleFile(file, { name: nameOf(file) })));
  const rules: HuntingRule[] = [];
  const problems: RuleProblem[] = [];
  const repairs: RuleRepair[] = [];
  const byId = new Map<string, HuntingRule>();
  const byName = new Map<string, HuntingRule>();
  for (const result of results) {
    problems.push(...result.problems);
    repairs.push(...result.repairs);
    for (const rule of result.rules) {
      const sameId = byId.get(rule.id.toLowerCase());
      if (sameId) {
        problems.push({ file: rule.source, severity: 'error', message: `id ${rule.id} is already used by ${sameId.source}; this rule was not loaded` });
        continue;
      }
      const sameName = byName.get(rule.name.toLowerCase());
      if (sameName) {
        problems.push({ file: rule.source, severity: 'warning', message: `name '${rule.name}' is also used by ${sameName.source}; run these rules by id` });
      } else {
        byName.set(rule.name.toLowerCase(), rule);
      }
      byId.set(rule.id.toLowerCase(), rule);
      rules.push(rule);
    }
  }
  return { rules, problems, repairs };
}
