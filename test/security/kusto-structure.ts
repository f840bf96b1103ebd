/**
 * Kusto's official parser (`@kusto/language-service-next`, the Bridge.NET build of Kusto.Language) as
 * the judge of where user text lands in a query: the query's tokens as Kusto reads them (kind, text,
 * the trivia before each — white space or comments — and a string literal's value), and a comparison
 * with the builder's template for the same hunt, made with a placeholder in place of the user's text.
 * Tests only: loading it costs ~100 MB and most of a second.
 */

interface KToken {
  readonly Kind: number;
  readonly Text: string;
  readonly Trivia: string;
  readonly ValueText: string | null;
}
interface KList<T> {
  readonly Count: number;
  getItem(index: number): T;
}
interface KLanguage {
  readonly KustoCode: {
    Parse(text: string, globals: unknown): {
      readonly Syntax: { GetTokens(includeZeroWidthTokens: boolean): KList<KToken> };
      GetDiagnostics(): KList<{ readonly Severity: string; readonly Message: string; readonly Start: number }>;
    };
  };
  readonly GlobalState: { readonly Default: unknown };
  readonly Syntax: { readonly SyntaxKind: { readonly StringLiteralToken: number } };
}

let language: KLanguage | undefined;

function kusto(): KLanguage {
  if (!language) {
    require('@kusto/language-service-next/bridge.js');
    require('@kusto/language-service-next');
    language = (globalThis as unknown as { Kusto: { Language: KLanguage } }).Kusto.Language;
  }
  return language;
}

/** A token as Kusto's parser reads it. */
export interface QueryToken {
  readonly kind: number;
  readonly text: string;
  /** What precedes the token: white space, or comments. */
  readonly trivia: string;
  /** A string literal's value (escapes decoded); undefined for other tokens. */
  readonly value?: string;
}

/** A parsed query: its tokens (zero-width ones included) and its syntax errors. */
export interface ParsedQuery {
  readonly tokens: readonly QueryToken[];
  readonly syntaxErrors: readonly string[];
}

/** Parses `query` with Kusto's parser (syntax only). */
export function parseKusto(query: string): ParsedQuery {
  const k = kusto();
  const code = k.KustoCode.Parse(query, k.GlobalState.Default);
  const list = code.Syntax.GetTokens(true);
  const stringKind = k.Syntax.SyntaxKind.StringLiteralToken;
  const tokens: QueryToken[] = [];
  for (let i = 0; i < list.Count; i++) {
    const t = list.getItem(i);
    tokens.push({ kind: t.Kind, text: t.Text, trivia: t.Trivia, ...(t.Kind === stringKind ? { value: t.ValueText ?? '' } : {}) });
  }
  const diagnostics = code.GetDiagnostics();
  const syntaxErrors: string[] = [];
  for (let i = 0; i < diagnostics.Count; i++) {
    const d = diagnostics.getItem(i);
    if (d.Severity === 'Error') syntaxErrors.push(`${d.Message} at ${d.Start}`);
  }
  return { tokens, syntaxErrors };
}

const templates = new Map<string, ParsedQuery>();
const MAX_TEMPLATES = 2000;

/** Templates recur across inputs: parsed once each (a bounded cache). */
function parsedTemplate(template: string): ParsedQuery {
  let parsed = templates.get(template);
  if (!parsed) {
    if (templates.size >= MAX_TEMPLATES) templates.clear();
    parsed = parseKusto(template);
    templates.set(template, parsed);
  }
  return parsed;
}

/**
 * How `query` differs from `template` (empty when it does not): both must parse without syntax
 * errors, have the same tokens with the same trivia, and differ only in the values of string
 * literals, where the query's value must be `literal(templateValue)` (the template's value with the
 * placeholder replaced by the user's text). So every token that came from the user's text is inside
 * a string literal, and everything else is exactly the builder's template.
 */
export function structuralDifferences(query: string, template: string, literal: (templateValue: string) => string): string[] {
  const q = parseKusto(query);
  const t = parsedTemplate(template);
  const problems = [...q.syntaxErrors.map((e) => `query: ${e}`), ...t.syntaxErrors.map((e) => `template: ${e}`)];
  if (q.tokens.length !== t.tokens.length) problems.push(`${q.tokens.length} tokens where the template has ${t.tokens.length}`);
  const n = Math.min(q.tokens.length, t.tokens.length);
  for (let i = 0; i < n && problems.length < 5; i++) {
    const a = q.tokens[i]!;
    const b = t.tokens[i]!;
    if (a.kind !== b.kind) problems.push(`token ${i}: kind ${a.kind} ${JSON.stringify(a.text.slice(0, 60))} where the template has ${b.kind} ${JSON.stringify(b.text.slice(0, 60))}`);
    else if (a.trivia !== b.trivia) problems.push(`token ${i}: trivia ${JSON.stringify(a.trivia.slice(0, 60))} where the template has ${JSON.stringify(b.trivia)}`);
    else if (b.value !== undefined) {
      const expected = literal(b.value);
      if (a.value !== expected) problems.push(`token ${i}: string value ${JSON.stringify(a.value?.slice(0, 60))} where ${JSON.stringify(expected.slice(0, 60))} was expected`);
    } else if (a.text !== b.text) problems.push(`token ${i}: ${JSON.stringify(a.text.slice(0, 60))} where the template has ${JSON.stringify(b.text.slice(0, 60))}`);
  }
  return problems;
}
