/**
 * Regenerates `src/hunt/rmm-catalog.json` from the public RMM hunting rules and from LOLRMM, and
 * `docs/catalog-review.md`, the list of every LOLRMM string and entry the catalog does not use and
 * why. Prints the flaws it found in the rules.
 *
 *   npx tsx scripts/extract-catalog.ts [--rules <dir>] [--lolrmm <dir>] [--catalog <file>] [--review <file>] [--check]
 *
 * The rules' tools keep their curated ids, names and aliases from the catalog file; their hunts are
 * the rules'. LOLRMM adds tools and, for the kinds of hunt a tool has no rule for, the signers,
 * program names and domains that pass the rules for what may hunt (`scripts/catalog/`).
 *
 * Every query is checked by Kusto's own parser and semantic analysis (`@kusto/language-service-next`)
 * against the Defender tables of `src/kql/schemas.ts`. Where Kusto rejects a query, the known kinds
 * of mistakes are corrected one at a time (a column name in the wrong case, a column the table has
 * only as its initiating process's, a missing `where`, a trailing comma in a list, two operators
 * in a row) until Kusto accepts it; what the corrected query tests is what the catalog holds, and
 * every correction is printed. A rule that cannot be corrected keeps its tool's previous entry.
 *
 * `--check` writes nothing and exits 1 when the catalog or review file is not what the sources give.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { Catalog, type HuntClause, type HuntPredicate, type NetworkHunt, type ProcessHunt, type RmmTool } from '../src/hunt/catalog';
import { formatRuleProblem, loadRuleDir, type HuntingRule } from '../src/hunt/rules';
import { DEFENDER_SCHEMAS } from '../src/kql/schemas';
import { assembleCatalog, ruleToolOf } from './catalog/assemble';
import { readLolrmmDir } from './catalog/lolrmm';
import { buildLolrmmCatalog } from './catalog/lolrmm-tools';
import { renderReview } from './catalog/review';

const REPO = path.resolve(__dirname, '..');
const DEFAULT_RULES = path.resolve(REPO, '..', 'shared', 'rmm-hunts');
const DEFAULT_LOLRMM = path.resolve(REPO, '..', 'shared', 'lolrmm', 'yaml');
const DEFAULT_CATALOG = path.join(REPO, 'src', 'hunt', 'rmm-catalog.json');
const DEFAULT_REVIEW = path.join(REPO, 'docs', 'catalog-review.md');
const ALL_TOOLS_CSV = 'RMM_SummaryNetworkURI.csv';

type HuntKind = 'fileSignature' | 'process' | 'network';
const KIND_TABLES: Record<HuntKind, string> = {
  fileSignature: 'DeviceFileCertificateInfo',
  process: 'DeviceProcessEvents',
  network: 'DeviceNetworkEvents',
};
const KIND_BY_SUFFIX: Record<string, HuntKind> = {
  'file signature': 'fileSignature',
  'create process': 'process',
  'network connection': 'network',
};
const TIME_COLUMN = 'Timestamp';

// ---------------------------------------------------------------------------------------------
// Kusto's language service (the Bridge.NET build of Kusto.Language): the few members used here.

interface KNode {
  readonly Kind: number;
  readonly ChildCount: number;
  readonly TextStart: number;
  readonly Width: number;
  GetChild(index: number): KNode | null;
}
interface KDiagnostic {
  readonly Severity: string;
  readonly Start: number;
  readonly Length: number;
  readonly Message: string;
}
interface KList<T> {
  readonly Count: number;
  getItem(index: number): T;
}
interface KCode {
  readonly Syntax: KNode;
  GetDiagnostics(): KList<KDiagnostic>;
}
interface KLanguage {
  readonly KustoCode: { ParseAndAnalyze(text: string, globals: unknown): KCode };
  readonly GlobalState: { readonly Default: { WithDatabase(db: unknown): unknown } };
  readonly Symbols: {
    readonly TableSymbol: { readonly $ctor7: new (name: string, schema: string, description: string | null) => unknown };
    readonly DatabaseSymbol: { readonly ctor: new (name: string, members: unknown[]) => unknown };
  };
  readonly Syntax: { readonly SyntaxKind: Record<string, number> };
}

/** Kusto's parser with the Defender tables: errors of a query, and its syntax tree. */
class KustoAnalyzer {
  private readonly language: KLanguage;
  private readonly globals: unknown;
  readonly kinds: Record<string, number>;
  /** Column names per table. */
  readonly columns: ReadonlyMap<string, readonly string[]>;

  constructor(schemas: Readonly<Record<string, ReadonlyArray<{ readonly name: string; readonly type: string }>>>) {
    require('@kusto/language-service-next/bridge.js');
    require('@kusto/language-service-next');
    this.language = (globalThis as unknown as { Kusto: { Language: KLanguage } }).Kusto.Language;
    this.kinds = this.language.Syntax.SyntaxKind;
    const tables = Object.entries(schemas).map(
      ([name, columns]) => new this.language.Symbols.TableSymbol.$ctor7(name, `(${columns.map((c) => `['${c.name}']:${c.type}`).join(', ')})`, null),
    );
    this.globals = this.language.GlobalState.Default.WithDatabase(new this.language.Symbols.DatabaseSymbol.ctor('defender', tables));
    this.columns = new Map(Object.entries(schemas).map(([name, columns]) => [name, columns.map((c) => c.name)]));
  }

  analyse(query: string): { code: KCode; errors: KDiagnostic[] } {
    const code = this.language.KustoCode.ParseAndAnalyze(query, this.globals);
    const all = code.GetDiagnostics();
    const errors: KDiagnostic[] = [];
    for (let i = 0; i < all.Count; i++) if (all.getItem(i).Severity === 'Error') errors.push(all.getItem(i));
    return { code, errors };
  }
}

// ---------------------------------------------------------------------------------------------
// Flaws and their corrections.

/** A flaw of a public rule, and what the catalog reads instead. */
interface Flaw {
  readonly file: string;
  /** 1-based line of the query (not of the file), when the flaw is in the query. */
  readonly queryLine?: number;
  readonly problem: string;
  readonly correction: string;
}

interface Correction {
  readonly text: string;
  readonly problem: string;
  readonly correction: string;
}

function lineAt(text: string, offset: number): number {
  return text.slice(0, offset).split('\n').length;
}

/** The query with its `//` comments blanked out (same length), string literals left alone. */
function withoutComments(text: string): string {
  let out = '';
  let quote: string | undefined;
  let verbatim = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      out += c;
      if (!verbatim && c === '\\' && i + 1 < text.length) out += text[++i];
      else if (c === quote || c === '\n') quote = undefined;
    } else if (c === '/' && text[i + 1] === '/') {
      const end = text.indexOf('\n', i);
      const stop = end < 0 ? text.length : end;
      out += ' '.repeat(stop - i);
      i = stop - 1;
    } else {
      if (c === "'" || c === '"') {
        quote = c;
        verbatim = text[i - 1] === '@';
      }
      out += c;
    }
  }
  return out;
}

/** Offset of the nearest character before (`step` -1) or from (`step` 1) `offset` that is neither blank nor comment. */
function codeCharNear(text: string, offset: number, step: -1 | 1): number {
  const code = withoutComments(text);
  for (let i = step < 0 ? offset - 1 : offset; i >= 0 && i < code.length; i += step) if (!/\s/.test(code[i]!)) return i;
  return -1;
}

function tablesUsed(query: string, analyzer: KustoAnalyzer): string[] {
  return [...analyzer.columns.keys()].filter((table) => new RegExp(`\\b${table}\\b`).test(query));
}

/** The correction of the first error Kusto reports, if it is of a kind this script knows. */
function correct(query: string, error: KDiagnostic, analyzer: KustoAnalyzer): Correction | undefined {
  const at = error.Start;
  const word = query.slice(at, at + error.Length);
  const before = query.slice(0, at);
  const after = query.slice(at + error.Length);
  const tables = tablesUsed(query, analyzer);

  const unknown = /^The name '([^']+)' does not refer to any known column/.exec(error.Message);
  if (unknown && word === unknown[1]) {
    const candidates = tables.flatMap((table) => (analyzer.columns.get(table) ?? []).map((column) => ({ table, column })));
    const sameButCase = [...new Set(candidates.filter((c) => c.column.toLowerCase() === word.toLowerCase()).map((c) => c.column))];
    if (sameButCase.length === 1) {
      return {
        text: before + sameButCase[0] + after,
        problem: `'${word}' is not a column of ${tables.join(' or ')} (Kusto's names are case-sensitive)`,
        correction: `read as '${sameButCase[0]}'`,
      };
    }
    const initiating = [...new Set(candidates.filter((c) => c.column === `InitiatingProcess${word}`).map((c) => `${c.table}.${c.column}`))];
    if (initiating.length === 1) {
      const [table, column] = initiating[0]!.split('.') as [string, string];
      return {
        text: before + column + after,
        problem: `${table} has no column '${word}'`,
        correction: `read as '${column}', the initiating process's ${word}`,
      };
    }
  }

  if (error.Message.startsWith('Query operator expected') && /^\w+$/.test(word) && /\|\s*$/.test(before)) {
    const statement = `${word}${after.split('\n')[0]}`.trim();
    return {
      text: `${before}where ${word}${after}`,
      problem: `'| ${statement}' has no query operator`,
      correction: `read as '| where ${statement}'`,
    };
  }

  if (error.Message.startsWith('Missing expression')) {
    const comma = codeCharNear(query, at, -1);
    const close = codeCharNear(query, at, 1);
    if (comma >= 0 && query[comma] === ',' && close >= 0 && query[close] === ')') {
      return {
        text: query.slice(0, comma) + query.slice(comma + 1),
        problem: 'a list ends with a comma',
        correction: 'read without the trailing comma',
      };
    }
  }

  const doubled = /\b(has_all|has_any|has|contains|startswith|in)\s+$/.exec(before);
  if (doubled && /^(has_all|has_any|has|contains|startswith|in)$/.test(word)) {
    return {
      text: before.slice(0, doubled.index) + word + after,
      problem: `two operators in a row ('${doubled[1]} ${word}')`,
      correction: `read as '${word}'`,
    };
  }
  return undefined;
}

/** Kusto's verdict on a rule, and the query the catalog reads when Kusto rejects the original. */
function vet(rule: HuntingRule, analyzer: KustoAnalyzer): { query: string; code: KCode; flaws: Flaw[]; uncorrected?: Flaw } {
  const file = path.basename(rule.source);
  const flaws: Flaw[] = [];
  let query = rule.query;
  for (let round = 0; round < 20; round++) {
    const { code, errors } = analyzer.analyse(query);
    if (errors.length === 0) return { query, code, flaws };
    const fixable = errors.map((error) => ({ error, fix: correct(query, error, analyzer) })).find((e) => e.fix);
    if (!fixable?.fix) {
      const first = errors[0]!;
      return { query, code, flaws, uncorrected: { file, queryLine: lineAt(query, first.Start), problem: first.Message, correction: 'none known: the rule was not used' } };
    }
    flaws.push({ file, queryLine: lineAt(query, fixable.error.Start), problem: fixable.fix.problem, correction: fixable.fix.correction });
    query = fixable.fix.text;
  }
  throw new Error(`${file}: more than 20 corrections; giving up`);
}

// ---------------------------------------------------------------------------------------------
// What a vetted query tests.

class Walker {
  constructor(
    private readonly kinds: Record<string, number>,
    private readonly text: string,
  ) {}

  is(node: KNode | null, kind: string): node is KNode {
    return node !== null && node.Kind === this.kinds[kind];
  }

  children(node: KNode): KNode[] {
    const out: KNode[] = [];
    for (let i = 0; i < node.ChildCount; i++) {
      const child = node.GetChild(i);
      if (child) out.push(child);
    }
    return out;
  }

  source(node: KNode): string {
    return this.text.slice(node.TextStart, node.TextStart + node.Width);
  }

  name(node: KNode): string {
    return (node as unknown as { SimpleName: string }).SimpleName;
  }

  literal(node: KNode): string | undefined {
    if (!this.is(node, 'StringLiteralExpression')) return undefined;
    return String((node as unknown as { LiteralValue: unknown }).LiteralValue);
  }

  unparenthesise(node: KNode): KNode {
    let current = node;
    while (this.is(current, 'ParenthesizedExpression')) current = this.children(current)[1]!;
    return current;
  }

  /** `a and (b and c)` → `[a, b, c]`; likewise for `or`. */
  flatten(node: KNode, kind: 'AndExpression' | 'OrExpression'): KNode[] {
    const inner = this.unparenthesise(node);
    if (!this.is(inner, kind)) return [inner];
    const [left, , right] = this.children(inner);
    return [...this.flatten(left!, kind), ...this.flatten(right!, kind)];
  }

  /** Elements of an `ExpressionList`: `( a, b )` → `[a, b]`. */
  listItems(list: KNode): KNode[] {
    const separated = this.children(list)[1];
    return separated ? this.children(separated).map((element) => this.children(element)[0]!) : [];
  }
}

class UnsupportedQuery extends Error {}

/** A `datatable(...)` of string literals. */
interface Datatable {
  readonly columns: readonly string[];
  readonly rows: readonly string[][];
}

interface QueryShape {
  /** The table the query's final statement reads. */
  readonly table: string;
  /** Its `where` conditions, the time window left out. */
  readonly filter: HuntClause[];
  /** `let` names bound to `datatable(...)`. */
  readonly datatables: ReadonlyMap<string, Datatable>;
}

function shapeOf(code: KCode, query: string, kinds: Record<string, number>): QueryShape {
  const w = new Walker(kinds, query);
  const lets = new Map<string, KNode>();
  const datatables = new Map<string, Datatable>();
  let final: KNode | undefined;
  const statements = w.children(code.Syntax)[1];
  for (const separated of statements ? w.children(statements) : []) {
    const statement = w.children(separated)[0]!;
    if (w.is(statement, 'LetStatement')) {
      const [, declaration, , value] = w.children(statement);
      const name = w.name(declaration!);
      lets.set(name, value!);
      if (w.is(value!, 'DataTableExpression')) datatables.set(name, datatableOf(w, value!));
    } else if (w.is(statement, 'ExpressionStatement')) {
      final = w.children(statement)[0];
    }
  }
  if (!final) throw new UnsupportedQuery('the query has no tabular expression to run');

  const pipe = operatorsOf(w, final);
  const filter: HuntClause[] = [];
  for (const operator of pipe.operators) {
    if (!w.is(operator, 'FilterOperator')) continue;
    const condition = w.children(operator).at(-1)!;
    for (const conjunct of w.flatten(condition, 'AndExpression')) {
      if (isTimeWindow(w, conjunct)) continue;
      filter.push(w.flatten(conjunct, 'OrExpression').map((disjunct) => predicateOf(w, disjunct, lets, datatables)));
    }
  }
  return { table: pipe.table, filter, datatables };
}

function datatableOf(w: Walker, node: KNode): Datatable {
  const schema = w.children(node).find((c) => w.is(c, 'RowSchema'));
  const columns = schema ? [...w.source(schema).matchAll(/(\w+)\s*:/g)].map((m) => m[1]!) : [];
  const values: string[] = [];
  const visit = (n: KNode) => {
    const literal = w.literal(n);
    if (literal !== undefined) values.push(literal);
    else w.children(n).forEach(visit);
  };
  const open = w.children(node).findIndex((c) => w.source(c) === '[');
  w.children(node).slice(open + 1).forEach(visit);
  const rows: string[][] = [];
  for (let i = 0; columns.length > 0 && i + columns.length <= values.length; i += columns.length) rows.push(values.slice(i, i + columns.length));
  return { columns, rows };
}

function operatorsOf(w: Walker, expression: KNode): { table: string; operators: KNode[] } {
  const operators: KNode[] = [];
  let current = expression;
  while (w.is(current, 'PipeExpression')) {
    const [left, , operator] = w.children(current);
    operators.unshift(operator!);
    current = left!;
  }
  if (!w.is(current, 'NameReference')) throw new UnsupportedQuery(`the query starts with '${w.source(current)}', not a table`);
  return { table: w.name(current), operators };
}

function isTimeWindow(w: Walker, node: KNode): boolean {
  if (!w.is(node, 'BetweenExpression')) return false;
  const left = w.children(node)[0]!;
  return w.is(left, 'NameReference') && w.name(left) === TIME_COLUMN;
}

function columnOf(w: Walker, node: KNode): string {
  if (!w.is(node, 'NameReference')) throw new UnsupportedQuery(`'${w.source(node)}' is not a column`);
  return w.name(node);
}

function literals(w: Walker, nodes: readonly KNode[]): string[] {
  return nodes.map((node) => {
    const value = w.literal(node);
    if (value === undefined) throw new UnsupportedQuery(`'${w.source(node)}' is not a string literal`);
    return value;
  });
}

const LITERAL_OPS: Readonly<Record<string, 'has' | 'startswith' | '=~'>> = {
  HasExpression: 'has',
  StartsWithExpression: 'startswith',
  EqualTildeExpression: '=~',
};

/** `(name | distinct Column)` over a `let name = datatable(...)`: that column's distinct values. */
function columnOfDatatable(w: Walker, node: KNode, datatables: ReadonlyMap<string, Datatable>): string[] | undefined {
  const inner = w.unparenthesise(node);
  if (!w.is(inner, 'PipeExpression')) return undefined;
  const { table, operators } = operatorsOf(w, inner);
  const data = datatables.get(table);
  const distinct = /^distinct\s+(\w+)$/.exec(operators.length === 1 ? w.source(operators[0]!).trim() : '');
  const index = data && distinct ? data.columns.indexOf(distinct[1]!) : -1;
  return index >= 0 ? [...new Set(data!.rows.map((row) => row[index]!))] : undefined;
}

function predicateOf(w: Walker, node: KNode, lets: ReadonlyMap<string, KNode>, datatables: ReadonlyMap<string, Datatable>): HuntPredicate {
  const inner = w.unparenthesise(node);
  for (const [kind, op] of Object.entries(LITERAL_OPS)) {
    if (w.is(inner, kind)) {
      const [left, , right] = w.children(inner);
      return { column: columnOf(w, left!), op, values: literals(w, [right!]) };
    }
  }
  if (w.is(inner, 'HasAnyExpression')) {
    const [left, , list] = w.children(inner);
    const items = w.listItems(list!);
    const fromTable = items.length === 1 ? columnOfDatatable(w, items[0]!, datatables) : undefined;
    return { column: columnOf(w, left!), op: 'has', values: fromTable ?? literals(w, items) };
  }
  if (w.is(inner, 'FunctionCallExpression')) {
    const [name, args] = w.children(inner);
    const items = w.listItems(args!);
    if (w.name(name!) === 'isempty' && items.length === 1) return { column: columnOf(w, items[0]!), op: 'isempty' };
  }
  if (w.is(inner, 'InExpression')) {
    const [left, , list] = w.children(inner);
    const items = w.listItems(list!);
    const bound = items.length === 1 && w.is(items[0]!, 'NameReference') ? lets.get(w.name(items[0]!)) : undefined;
    if (bound) return { column: columnOf(w, left!), op: 'signedBy', values: signersOfFileSet(w, bound) };
  }
  throw new UnsupportedQuery(`the condition '${w.source(inner)}' has no catalog form`);
}

/** `DeviceFileCertificateInfo | where Signer has ... | distinct SHA1` → its signers. */
function signersOfFileSet(w: Walker, node: KNode): string[] {
  const { table, operators } = operatorsOf(w, node);
  const last = operators.at(-1);
  if (table !== KIND_TABLES.fileSignature || !last || !w.is(last, 'DistinctOperator') || !/\bSHA1\s*$/.test(w.source(last))) {
    throw new UnsupportedQuery(`'${w.source(node)}' is not a set of signed files`);
  }
  const signers: string[] = [];
  for (const operator of operators.filter((o) => w.is(o, 'FilterOperator'))) {
    for (const conjunct of w.flatten(w.children(operator).at(-1)!, 'AndExpression')) {
      if (isTimeWindow(w, conjunct)) continue;
      const predicate = predicateOf(w, conjunct, new Map(), new Map());
      if (predicate.column !== 'Signer' || predicate.op !== 'has') throw new UnsupportedQuery(`'${w.source(conjunct)}' is not a signer test`);
      signers.push(...predicate.values);
    }
  }
  return signers;
}

// ---------------------------------------------------------------------------------------------
// From rules to tools.

function valuesOf(filter: readonly HuntClause[], column: string): string[] {
  const values = filter.flatMap((clause) => clause.flatMap((p) => (p.column === column && p.op === 'has' ? p.values : [])));
  return [...new Set(values)];
}

function processHunt(ruleId: string, filter: HuntClause[]): ProcessHunt {
  return {
    ruleId,
    companies: valuesOf(filter, 'ProcessVersionInfoCompanyName'),
    products: valuesOf(filter, 'ProcessVersionInfoProductName'),
    filter,
  };
}

function networkHunt(ruleId: string, filter: HuntClause[]): NetworkHunt {
  return {
    ruleId,
    domains: valuesOf(filter, 'RemoteUrl'),
    companies: valuesOf(filter, 'InitiatingProcessVersionInfoCompanyName'),
    products: valuesOf(filter, 'InitiatingProcessVersionInfoProductName'),
    fileNames: valuesOf(filter, 'InitiatingProcessFileName'),
    requiresEmptyCompany: filter.some((c) => c.length === 1 && c[0]!.op === 'isempty' && c[0]!.column === 'InitiatingProcessVersionInfoCompanyName'),
    filter,
  };
}

/** `Remote Management and Monitoring tool - Kaseya - File Signature` → `['Kaseya', 'fileSignature']`. */
function toolAndKind(rule: HuntingRule): { tool: string; kind: HuntKind } | undefined {
  const parts = rule.name.split(' - ').map((p) => p.trim());
  const kind = KIND_BY_SUFFIX[parts.at(-1)?.toLowerCase() ?? ''];
  if (parts.length < 3 || !kind) return undefined;
  return { tool: parts.slice(1, -1).join(' - '), kind };
}

interface MutableTool {
  id: string;
  name: string;
  aliases: string[];
  fileSignature?: RmmTool['fileSignature'];
  process?: ProcessHunt;
  network?: NetworkHunt;
}

function kebab(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase()
    .replace(/[^a-z0-9.]+/g, '-')
    .replace(/^-|-$/g, '');
}

interface Options {
  readonly rules: string;
  readonly lolrmm: string;
  readonly catalog: string;
  readonly review: string;
  readonly check: boolean;
}

function parseArgs(argv: readonly string[]): Options {
  const options = { rules: DEFAULT_RULES, lolrmm: DEFAULT_LOLRMM, catalog: DEFAULT_CATALOG, review: DEFAULT_REVIEW, check: false };
  const paths = { '--rules': 'rules', '--lolrmm': 'lolrmm', '--catalog': 'catalog', '--review': 'review' } as const;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const key = paths[arg as keyof typeof paths];
    if (arg === '--check') options.check = true;
    else if (key && argv[i + 1]) options[key] = path.resolve(argv[++i]!);
    else throw new Error(`unknown argument '${arg}'\nusage: npx tsx scripts/extract-catalog.ts [--rules <dir>] [--lolrmm <dir>] [--catalog <file>] [--review <file>] [--check]`);
  }
  return options;
}

function printList(title: string, lines: readonly string[]): void {
  if (lines.length === 0) return;
  console.log(`\n${title} (${lines.length}):`);
  for (const line of lines) console.log(`  ${line}`);
}

/** The all-tools rule: a `datatable` of (domain, tool label) rows matched against `RemoteUrl`. */
interface AllToolsRule {
  readonly rule: HuntingRule;
  readonly rows: readonly string[][];
}

/** Compares the all-tools rule's list with `RMM_SummaryNetworkURI.csv` beside it. */
function compareWithCsv(rulesDir: string, allTools: AllToolsRule): string {
  const csvPath = path.join(rulesDir, ALL_TOOLS_CSV);
  let records: Array<Record<string, string>>;
  try {
    records = parseCsv(readFileSync(csvPath, 'utf8'), { columns: true, skip_empty_lines: true, trim: true }) as Array<Record<string, string>>;
  } catch (error) {
    return `${ALL_TOOLS_CSV} not read (${(error as Error).message})`;
  }
  const csvRows = records.map((r) => `${r.URI},${r.RMM_Tool}`);
  const ruleRows = allTools.rows.map(([uri, label]) => `${uri},${label}`);
  const onlyCsv = csvRows.filter((r) => !ruleRows.includes(r));
  const onlyRule = ruleRows.filter((r) => !csvRows.includes(r));
  const file = path.basename(allTools.rule.source);
  return onlyCsv.length || onlyRule.length
    ? `${ALL_TOOLS_CSV} and ${file} disagree: only in the CSV ${onlyCsv.join('; ') || '-'}; only in the rule ${onlyRule.join('; ') || '-'}`
    : `${ALL_TOOLS_CSV} and ${file} list the same ${csvRows.length} (domain, tool) pairs`;
}

async function main(): Promise<number> {
  const options = parseArgs(process.argv.slice(2));
  const current = readFileSync(options.catalog, 'utf8');
  const previous = (JSON.parse(current) as { tools: MutableTool[] }).tools.filter(isRuleTool);
  const curated = new Catalog(previous as RmmTool[]);
  const tools = new Map<string, MutableTool>(previous.map((t) => [t.id, { id: t.id, name: t.name, aliases: [...t.aliases] }]));
  const previousById = new Map(previous.map((t) => [t.id, t]));
  const flaws: Flaw[] = [];
  const notes: string[] = [];
  const added: string[] = [];
  const unread = new Set<string>();

  const loaded = await loadRuleDir(options.rules);
  for (const problem of loaded.problems) {
    flaws.push({ file: path.basename(problem.file), problem: formatRuleProblem(problem), correction: 'see the rule loader' });
  }
  for (const message of new Set(loaded.repairs.map((r) => r.message))) {
    const count = loaded.repairs.filter((r) => r.message === message).length;
    flaws.push({ file: `${count} of ${loaded.rules.length} files`, problem: `not valid YAML: ${message}`, correction: 'repaired by the rule loader' });
  }

  const analyzer = new KustoAnalyzer(DEFENDER_SCHEMAS);
  const toolFor = (label: string): MutableTool => {
    const found = curated.find(label) ?? label.split('/').map((part) => curated.find(part.trim())).find(Boolean);
    if (found) return tools.get(found.id)!;
    const id = kebab(label);
    const existing = tools.get(id);
    if (existing) return existing;
    const tool: MutableTool = { id, name: label, aliases: [] };
    tools.set(id, tool);
    added.push(`${label} (id '${id}')`);
    return tool;
  };

  let allTools: AllToolsRule | undefined;
  const seen = new Map<string, string>();
  for (const rule of loaded.rules) {
    const file = path.basename(rule.source);
    const identity = toolAndKind(rule);
    const vetted = vet(rule, analyzer);
    flaws.push(...vetted.flaws);
    let shape: QueryShape | undefined;
    if (vetted.uncorrected) {
      flaws.push(vetted.uncorrected);
    } else {
      try {
        shape = shapeOf(vetted.code, vetted.query, analyzer.kinds);
      } catch (error) {
        if (!(error instanceof UnsupportedQuery)) throw error;
        flaws.push({ file, problem: error.message, correction: 'none known: the rule was not used' });
      }
    }
    if (!shape) {
      const known = identity && curated.find(identity.tool);
      if (known && identity) unread.add(`${known.id}/${identity.kind}`);
      continue;
    }
    const undeclared = tablesUsed(vetted.query, analyzer).filter((t) => !rule.tables.includes(t));
    if (undeclared.length) {
      flaws.push({
        file,
        problem: `requiredDataConnectors names ${rule.tables.join(', ') || 'no table'}, but the query also reads ${undeclared.join(', ')}`,
        correction: 'no effect on the catalog',
      });
    }

    const toolList = [...shape.datatables.values()].find((d) => d.columns.length === 2);
    if (toolList && shape.table === KIND_TABLES.network) {
      allTools = { rule, rows: toolList.rows };
      continue;
    }
    if (!identity) {
      notes.push(`${file}: the name '${rule.name}' does not say which tool and hunt it is; skipped`);
      continue;
    }
    if (shape.table !== KIND_TABLES[identity.kind]) {
      flaws.push({ file, problem: `a ${identity.kind} rule whose query reads ${shape.table}`, correction: 'none known: the rule was not used' });
      continue;
    }
    const tool = toolFor(identity.tool);
    const key = `${tool.id}/${identity.kind}`;
    if (seen.has(key)) {
      notes.push(`${file}: a second ${identity.kind} rule for ${tool.name} (the first is ${seen.get(key)}); skipped`);
      continue;
    }
    seen.set(key, file);
    if (identity.kind === 'fileSignature') {
      const plain = shape.filter.length === 1 && shape.filter[0]!.every((p) => p.column === 'Signer' && p.op === 'has');
      if (!plain) notes.push(`${file}: tests more than the signer; the catalog holds only its signers`);
      tool.fileSignature = { ruleId: rule.id, signers: valuesOf(shape.filter, 'Signer') };
    } else if (identity.kind === 'process') {
      tool.process = processHunt(rule.id, shape.filter);
    } else {
      tool.network = networkHunt(rule.id, shape.filter);
    }
  }

  if (allTools) {
    notes.push(compareWithCsv(options.rules, allTools));
    const byTool = new Map<MutableTool, string[]>();
    for (const [uri, label] of allTools.rows) {
      const tool = toolFor(label!);
      byTool.set(tool, [...(byTool.get(tool) ?? []), uri!]);
    }
    for (const [tool, domains] of byTool) {
      if (!tool.network) {
        tool.network = networkHunt(allTools.rule.id, [[{ column: 'RemoteUrl', op: 'has', values: domains }]]);
        continue;
      }
      const own = new Set(tool.network.domains);
      const onlyOwn = [...own].filter((d) => !domains.includes(d));
      const onlyListed = domains.filter((d) => !own.has(d));
      if (onlyOwn.length || onlyListed.length) {
        notes.push(`${tool.name}: its network rule and the all-tools list differ: only in its rule ${onlyOwn.join(', ') || '-'}; only in the list ${onlyListed.join(', ') || '-'}`);
      }
    }
  }

  for (const tool of tools.values()) {
    const before = previousById.get(tool.id);
    for (const kind of ['fileSignature', 'process', 'network'] as const) {
      if (!tool[kind] && before?.[kind] && unread.has(`${tool.id}/${kind}`)) {
        Object.assign(tool, { [kind]: before[kind] });
        notes.push(`${tool.name}: kept its previous ${kind} hunt (its rule could not be read)`);
      }
    }
    if (!tool.fileSignature && !tool.process && !tool.network) notes.push(`${tool.name} (${tool.id}): no rule names it; it has no hunt`);
    const values = [...(tool.fileSignature?.signers ?? []), ...(tool.process?.companies ?? []), ...(tool.network?.companies ?? [])];
    for (const value of new Set(values)) {
      const other = curated.find(value);
      if (other && other.id !== tool.id) notes.push(`${tool.name}: its hunts look for '${value}', which names another tool of the catalog (${other.name})`);
    }
  }

  const ruleTools = [...tools.values()].filter((t) => t.fileSignature || t.process || t.network);
  const ruleFiles = new Map(loaded.rules.map((r) => [r.id, `rmm-hunts/${path.basename(r.source)}`]));
  const entries = readLolrmmDir(options.lolrmm);
  const lolrmm = buildLolrmmCatalog(entries, ruleTools.map(ruleToolOf));
  const { tools: ordered, omitted } = assembleCatalog(ruleTools, ruleFiles, lolrmm);
  // The Catalog constructor refuses a name or alias shared by two tools.
  new Catalog(ordered);
  const output = `${JSON.stringify({ tools: ordered.map(serialise) }, null, 2)}\n`;
  const review = renderReview({ tools: ordered, dropped: lolrmm.dropped, leftOut: lolrmm.leftOut, omitted, lolrmmFiles: entries.length, ruleFiles: loaded.rules.length });

  const where = (f: Flaw) => `${f.file}${f.queryLine ? ` (query line ${f.queryLine})` : ''}`;
  printList('Flaws in the public rules (Kusto parser and semantic analysis, Defender schema)', flaws.map((f) => `${where(f)}: ${f.problem}; ${f.correction}`));
  printList('Notes', notes);
  printList('New tools: give them an id, a display name and aliases in the catalog', added);
  const count = (kind: HuntKind) => ordered.filter((t) => t[kind]).length;
  console.log(
    `\n${ordered.length} tools: ${count('fileSignature')} file-signature, ${count('process')} process, ${count('network')} network hunts; ` +
      `${flaws.length} flaws noted over ${loaded.rules.length} rules; ${lolrmm.dropped.length} LOLRMM strings dropped (see the review file)`,
  );

  let upToDate = true;
  for (const [file, text] of [
    [options.catalog, output],
    [options.review, review],
  ] as const) {
    const relative = path.relative(REPO, file);
    const before = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
    if (options.check) {
      console.log(before === text ? `${relative} is up to date` : `${relative} is not what the sources give: run npx tsx scripts/extract-catalog.ts`);
      upToDate &&= before === text;
    } else {
      if (before !== text) writeFileSync(file, text);
      console.log(`${before === text ? 'unchanged' : 'wrote'} ${relative}`);
    }
  }
  return upToDate ? 0 : 1;
}

/** A tool of the catalog file that a public rule gives a hunt (LOLRMM's tools are rebuilt each run). */
function isRuleTool(tool: MutableTool): boolean {
  return [tool.fileSignature, tool.process, tool.network].some((hunt) => hunt && !hunt.ruleId.startsWith('lolrmm:'));
}

/** A tool with its keys in a fixed order. */
function serialise(tool: RmmTool): RmmTool {
  return {
    id: tool.id,
    name: tool.name,
    aliases: tool.aliases,
    ...(tool.category ? { category: tool.category } : {}),
    ...(tool.sources ? { sources: tool.sources } : {}),
    ...(tool.fileSignature ? { fileSignature: tool.fileSignature } : {}),
    ...(tool.process ? { process: tool.process } : {}),
    ...(tool.network ? { network: tool.network } : {}),
  };
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(2);
  },
);
