/**
 * A user's hunting rule (from `HUNT_RULES_DIR`) run as a hunt over the analyst's window.
 *
 * The rule's KQL is trusted (the operator chose the folder); the window comes from chat and enters
 * the query only as a timespan literal made by {@link kqlTimespan}. The window replaces the rule's
 * own time range when the range is one of the forms HuntOps recognises, everywhere the rule uses
 * it, and nothing else of the rule changes:
 *
 * - `let Time_start = now(-5d);` (or `ago(5d)`) and `let Time_end = now();`, used as
 *   `Timestamp between (Time_start .. Time_end)`: the public rules' form;
 * - `Timestamp between (ago(5d) .. now())`, `Timestamp > ago(5d)`, `Timestamp >= now(-5d)`;
 * - `let lookback = 5d;` used as `ago(lookback)` in one of the above;
 *
 * with `TimeGenerated` in place of `Timestamp` as well. Only the timespan literal is rewritten.
 * When the rule's text uses `now()` or `ago()` anywhere else (a baseline period, a function), or
 * has no time range at all, the rule is left as it is and the window is applied by the backend
 * alone (the Log Analytics and Defender APIs' `timespan`), which the result says.
 */
import { SourceText, tokenizeKql, type Token } from '../kql';
import { kqlTimespan } from './kql-builder';
import type { HuntingRule } from './rules';
import { describeWindow, type HuntWindow } from './window';

/** One time literal of the rule that the window replaced. */
export interface TimeRangeEdit {
  /** 1-based line of the rule's query. */
  readonly line: number;
  /** The rule's text: `now(-5d)`, `ago(7d)`, or a `let` bound to a timespan (`lookback = 7d`). */
  readonly before: string;
  /** The same with the window. */
  readonly after: string;
}

/** How the window was applied to a rule. */
export type RuleWindow =
  /** The window replaced the rule's own time range in the query. */
  | { readonly by: 'query'; readonly edits: readonly TimeRangeEdit[] }
  /** The query is the rule's own; only a backend that applies a `timespan` limits it to the window. */
  | { readonly by: 'backend'; readonly reason: string };

/** A rule ready to run as a hunt. */
export interface RuleHunt {
  readonly rule: HuntingRule;
  readonly window: HuntWindow;
  /** The query to run. */
  readonly kql: string;
  readonly windowApplied: RuleWindow;
}

/** Options of {@link buildRuleHunt}. */
export interface RuleHuntOptions {
  readonly window: HuntWindow;
}

const TIME_COLUMNS = new Set(['Timestamp', 'TimeGenerated']);

type LetKind = 'start' | 'end' | 'span';

interface TimeLet {
  readonly name: string;
  readonly kind: LetKind;
  /** Index of the name token in the declaration. */
  readonly nameIndex: number;
  /** Token indexes of the value. */
  readonly valueStart: number;
  readonly valueEnd: number;
  /** The timespan literal (start and span lets). */
  readonly span?: number;
}

/** A recognised range expression: token indexes it covers, lets it uses, timespan literals it holds. */
interface Matched {
  readonly end: number;
  readonly lets: readonly TimeLet[];
  readonly spans: readonly number[];
}

class RangeReader {
  private readonly lets = new Map<string, TimeLet>();
  private readonly covered = new Set<number>();
  private readonly usedLets = new Set<TimeLet>();
  private readonly spans = new Set<number>();

  constructor(private readonly tokens: readonly Token[]) {}

  private is(index: number, kind: Token['kind'], text?: string): boolean {
    const token = this.tokens[index];
    return token !== undefined && token.kind === kind && (text === undefined || token.text === text);
  }

  private punct(index: number, text: string): boolean {
    return this.is(index, 'punctuation', text);
  }

  /** `now ( - TS )` → index of TS; `ago ( TS )` → index of TS. */
  private literalStart(at: number): { end: number; span: number } | undefined {
    if (this.is(at, 'identifier', 'now') && this.punct(at + 1, '(') && this.punct(at + 2, '-') && this.is(at + 3, 'timespan') && this.punct(at + 4, ')')) {
      return { end: at + 5, span: at + 3 };
    }
    if (this.is(at, 'identifier', 'ago') && this.punct(at + 1, '(') && this.is(at + 2, 'timespan') && this.punct(at + 3, ')')) {
      return { end: at + 4, span: at + 2 };
    }
    return undefined;
  }

  private letNamed(at: number, kind: LetKind): TimeLet | undefined {
    const token = this.tokens[at];
    const found = token?.kind === 'identifier' ? this.lets.get(token.text) : undefined;
    return found?.kind === kind ? found : undefined;
  }

  /** Top-level `let NAME = now(-TS) | ago(TS) | now() | TS;` statements; a name declared twice is none of them. */
  readLets(): void {
    const seen = new Map<string, number>();
    let depth = 0;
    let statementStart = 0;
    for (let i = 0; i < this.tokens.length; i++) {
      const token = this.tokens[i]!;
      if (token.kind === 'punctuation' && ['(', '[', '{'].includes(token.text)) depth++;
      else if (token.kind === 'punctuation' && [')', ']', '}'].includes(token.text)) depth--;
      const endsStatement = (depth === 0 && this.punct(i, ';')) || token.kind === 'end';
      if (!endsStatement) continue;
      const s = statementStart;
      statementStart = i + 1;
      if (!(this.is(s, 'identifier', 'let') && this.is(s + 1, 'identifier') && this.punct(s + 2, '='))) continue;
      const name = this.tokens[s + 1]!.text;
      seen.set(name, (seen.get(name) ?? 0) + 1);
      const value = s + 3;
      const literal = this.literalStart(value);
      let kind: LetKind | undefined;
      let span: number | undefined;
      if (literal && literal.end === i) {
        kind = 'start';
        span = literal.span;
      } else if (this.is(value, 'identifier', 'now') && this.punct(value + 1, '(') && this.punct(value + 2, ')') && value + 3 === i) {
        kind = 'end';
      } else if (this.is(value, 'timespan') && value + 1 === i) {
        kind = 'span';
        span = value;
      }
      if (kind) this.lets.set(name, { name, kind, nameIndex: s + 1, valueStart: value, valueEnd: i, ...(span !== undefined ? { span } : {}) });
    }
    for (const [name, count] of seen) if (count > 1) this.lets.delete(name);
  }

  private startExpression(at: number): Matched | undefined {
    const literal = this.literalStart(at);
    if (literal) return { end: literal.end, lets: [], spans: [literal.span] };
    if (this.is(at, 'identifier', 'ago') && this.punct(at + 1, '(') && this.punct(at + 3, ')')) {
      const span = this.letNamed(at + 2, 'span');
      if (span) return { end: at + 4, lets: [span], spans: [] };
    }
    const start = this.letNamed(at, 'start');
    return start ? { end: at + 1, lets: [start], spans: [] } : undefined;
  }

  private endExpression(at: number): Matched | undefined {
    if (this.is(at, 'identifier', 'now') && this.punct(at + 1, '(') && this.punct(at + 2, ')')) return { end: at + 3, lets: [], spans: [] };
    const end = this.letNamed(at, 'end');
    return end ? { end: at + 1, lets: [end], spans: [] } : undefined;
  }

  private accept(from: number, parts: readonly Matched[], to: number): void {
    for (let i = from; i < to; i++) this.covered.add(i);
    for (const part of parts) {
      part.lets.forEach((l) => this.usedLets.add(l));
      part.spans.forEach((s) => this.spans.add(s));
    }
  }

  /** Finds `TIME between (start .. end)` and `TIME >|>= start`; returns how many. */
  readRanges(): number {
    let ranges = 0;
    for (let i = 0; i < this.tokens.length; i++) {
      const token = this.tokens[i]!;
      if (token.kind !== 'identifier' || !TIME_COLUMNS.has(token.text)) continue;
      if (this.is(i + 1, 'identifier', 'between') && this.punct(i + 2, '(')) {
        const start = this.startExpression(i + 3);
        const end = start && this.punct(start.end, '..') ? this.endExpression(start.end + 1) : undefined;
        if (start && end && this.punct(end.end, ')')) {
          this.accept(i + 3, [start, end], end.end);
          ranges++;
        }
      } else if (this.punct(i + 1, '>') || this.punct(i + 1, '>=')) {
        const start = this.startExpression(i + 2);
        if (start) {
          this.accept(i + 2, [start], start.end);
          ranges++;
        }
      }
    }
    return ranges;
  }

  /**
   * The first `now()`/`ago()` outside the recognised ranges and the time `let`s, or the first use
   * of a time `let` outside the recognised ranges (a `let` nobody uses is harmless).
   */
  firstUnrecognised(): number | undefined {
    const lets = [...this.lets.values()];
    for (let i = 0; i < this.tokens.length; i++) {
      const token = this.tokens[i]!;
      if (this.covered.has(i) || token.kind !== 'identifier') continue;
      if (lets.some((l) => i === l.nameIndex || (i >= l.valueStart && i < l.valueEnd))) continue;
      if ((token.text === 'now' || token.text === 'ago') && this.punct(i + 1, '(')) return i;
      if (this.lets.has(token.text)) return i;
    }
    return undefined;
  }

  /** Token indexes of the timespan literals to replace. */
  replacements(): number[] {
    const spans = new Set(this.spans);
    for (const timeLet of this.usedLets) if (timeLet.span !== undefined) spans.add(timeLet.span);
    return [...spans].sort((a, b) => a - b);
  }
}

/** The edit of the timespan literal at `index`, shown with its `now(-…)`, `ago(…)` or `name = …`. */
function editOf(query: string, tokens: readonly Token[], index: number, literal: string, source: SourceText): TimeRangeEdit {
  const token = tokens[index]!;
  let from = token.start;
  let to = token.end;
  if (tokens[index - 1]?.text === '-' && tokens[index - 3]?.text === 'now') {
    from = tokens[index - 3]!.start;
    to = tokens[index + 1]!.end;
  } else if (tokens[index - 1]?.text === '(' && tokens[index - 2]?.text === 'ago') {
    from = tokens[index - 2]!.start;
    to = tokens[index + 1]!.end;
  } else if (tokens[index - 1]?.text === '=') {
    from = tokens[index - 2]!.start;
  }
  return {
    line: source.positionAt(token.start).line,
    before: query.slice(from, to),
    after: query.slice(from, token.start) + literal + query.slice(token.end, to),
  };
}

/**
 * The rule as a hunt over `options.window`: the window replaces the rule's time range where the
 * range is recognised (see the module's documentation), and is otherwise left to the backend.
 */
export function buildRuleHunt(rule: HuntingRule, options: RuleHuntOptions): RuleHunt {
  const literal = kqlTimespan(options.window);
  const query = rule.query;
  const source = new SourceText(query);
  const backend = (reason: string): RuleHunt => ({ rule, window: options.window, kql: query, windowApplied: { by: 'backend', reason } });
  let tokens: Token[];
  try {
    tokens = tokenizeKql(source);
  } catch (error) {
    return backend(`its query could not be read for a time range (${(error as Error).message})`);
  }
  const reader = new RangeReader(tokens);
  reader.readLets();
  const ranges = reader.readRanges();
  const stray = reader.firstUnrecognised();
  if (stray !== undefined) {
    const position = source.positionAt(tokens[stray]!.start);
    return backend(`its time filter at line ${position.line}, column ${position.column} ('${tokens[stray]!.text}') is not one HuntOps can replace`);
  }
  if (ranges === 0) return backend('it has no time range of its own (no Timestamp or TimeGenerated filter with now() or ago())');

  const spans = reader.replacements();
  const edits = spans.map((index) => editOf(query, tokens, index, literal, source));
  let kql = query;
  for (const index of [...spans].reverse()) {
    const token = tokens[index]!;
    kql = kql.slice(0, token.start) + literal + kql.slice(token.end);
  }
  return { rule, window: options.window, kql, windowApplied: { by: 'query', edits } };
}

/** Options of {@link describeRuleWindow}. */
export interface DescribeRuleWindowOptions {
  /** The backend limits every query to the window it is given (Log Analytics and Defender `timespan`). */
  readonly backendAppliesWindow: boolean;
}

/** How the window was applied, in a sentence for the result card. */
export function describeRuleWindow(hunt: RuleHunt, options: DescribeRuleWindowOptions): string {
  const window = describeWindow(hunt.window);
  const applied = hunt.windowApplied;
  if (applied.by === 'query') {
    const edits = applied.edits.map((e) => `${e.before} → ${e.after} (line ${e.line})`).join(', ');
    return `The last ${window} replaced the rule's own time range: ${edits}.`;
  }
  return options.backendAppliesWindow
    ? `The rule ran as written, limited to the last ${window} by the backend: ${applied.reason}.`
    : `The rule ran as written, over its own time range: ${applied.reason}, and this backend does not apply a window to it.`;
}
