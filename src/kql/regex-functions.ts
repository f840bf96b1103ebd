/**
 * What Kusto does with regular expressions, on the linear-time engine of `regex.ts`:
 *
 * - `s matches regex re`: true when `re` matches somewhere in `s` (case-sensitive unless `(?i)`).
 * - `extract(re, group, s)`: the text of capture `group` (0: the whole match) of the first match,
 *   or `""` (a null string) when nothing matches or the group takes no part in the match.
 * - `replace_regex(s, re, rewrite)`: every non-overlapping match replaced by `rewrite`, where `\0`
 *   is the match and `\1`…`\9` its groups.
 * - `trim_start(re, s)`, `trim_end(re, s)`, `trim(re, s)`: `s` without a match of `re` at its start,
 *   at its end, or both.
 *
 * The pattern (and the rewrite, and the group) must be constants: a pattern computed from the row
 * is refused as unsupported, as is extract()'s optional type argument. A pattern RE2 refuses is a
 * semantic error (Kusto refuses it when the query runs); one too large to run is unsupported.
 */
import type { BinaryExpression, CallExpression } from './ast';
import type { CompiledExpression } from './compiled-expression';
import { operandTypeError } from './operand-errors';
import { KustoRegex, parseRewrite, RegexError } from './regex';
import { compileRowwise } from './rowwise';
import type { ScalarFunctionCompiler } from './scalar-function';
import { arity, requireType } from './scalar-function';
import type { Scope } from './scope';
import { compileStringPredicate } from './string-predicates';

/** The constant string of argument `index`; refuses one computed from the row. */
function constantText(args: readonly CompiledExpression[], index: number, what: string, call: CallExpression, scope: Scope): string {
  const arg = args[index]!;
  if (arg.kind !== 'constant') {
    throw scope.error('unsupported', `${what} computed from the row in ${call.name}() is not supported by the local KQL engine`, call.args[index]!.start);
  }
  return arg.value as string;
}

/** Compiles `pattern` (written at `offset`), or refuses it. */
function compilePattern(pattern: string, offset: number, scope: Scope): KustoRegex {
  try {
    return KustoRegex.compile(pattern);
  } catch (error) {
    if (!(error instanceof RegexError)) throw error;
    throw scope.error(error.tooLarge ? 'unsupported' : 'semantic', error.message, offset);
  }
}

/** The regex argument `index` of a call: a constant, valid, bounded pattern. */
function patternArgument(args: readonly CompiledExpression[], index: number, call: CallExpression, scope: Scope): KustoRegex {
  return compilePattern(constantText(args, index, 'a regular expression', call, scope), call.args[index]!.start, scope);
}

/** `left matches regex right`. */
export function compileMatchesRegex(left: CompiledExpression, right: CompiledExpression, node: BinaryExpression, scope: Scope): CompiledExpression {
  if (left.type !== 'string' || right.type !== 'string') throw operandTypeError(node, scope, 'string operands', left.type, right.type);
  if (right.kind !== 'constant') {
    throw scope.error('unsupported', "a regular expression computed from the row in 'matches regex' is not supported by the local KQL engine", node.right.start);
  }
  const regex = compilePattern(right.value as string, node.right.start, scope);
  return compileStringPredicate(left, right, () => (text) => regex.test(text));
}

/** `trim_start`, `trim_end` or `trim`: removes a match of the pattern anchored at the start, the end, or both. */
function trimFunction(ends: { readonly start: boolean; readonly end: boolean }): ScalarFunctionCompiler {
  return (args, call, scope) => {
    arity(call, scope, args, 2, 2);
    requireType(call, scope, args, 0, ['string']);
    requireType(call, scope, args, 1, ['string']);
    const pattern = patternArgument(args, 0, call, scope).pattern;
    const offset = call.args[0]!.start;
    const leading = ends.start ? compilePattern(`^(?:${pattern})`, offset, scope) : undefined;
    const trailing = ends.end ? compilePattern(`(?:${pattern})$`, offset, scope) : undefined;
    return compileRowwise('string', args, ([, value]) => {
      let text = value as string;
      if (leading) text = text.slice(leading.firstMatch(text)?.end ?? 0);
      if (trailing) text = text.slice(0, trailing.firstMatch(text)?.start ?? text.length);
      return text;
    });
  };
}

const extract: ScalarFunctionCompiler = (args, call, scope) => {
  arity(call, scope, args, 3, 4);
  if (args.length === 4) throw scope.error('unsupported', 'the type argument of extract() is not supported by the local KQL engine (convert the result with tolong(), toreal(), ...)', call.args[3]!.start);
  requireType(call, scope, args, 0, ['string']);
  requireType(call, scope, args, 1, ['long', 'int']);
  requireType(call, scope, args, 2, ['string']);
  const regex = patternArgument(args, 0, call, scope);
  const groupArg = args[1]!;
  if (groupArg.kind !== 'constant') throw scope.error('unsupported', 'a capture group computed from the row in extract() is not supported by the local KQL engine', call.args[1]!.start);
  const group = groupArg.value as number;
  if (!(group >= 0 && group <= regex.groupCount)) {
    throw scope.error('unsupported', `extract() of group ${group} of a pattern with ${regex.groupCount} groups: Kusto does not document the answer`, call.args[1]!.start);
  }
  return compileRowwise('string', args, ([, , source]) => regex.firstMatch(source as string)?.group(group) ?? '');
};

const replaceRegex: ScalarFunctionCompiler = (args, call, scope) => {
  arity(call, scope, args, 3, 3);
  for (let i = 0; i < 3; i++) requireType(call, scope, args, i, ['string']);
  const regex = patternArgument(args, 1, call, scope);
  let rewrite;
  try {
    rewrite = parseRewrite(constantText(args, 2, 'a rewrite', call, scope), regex.groupCount);
  } catch (error) {
    if (error instanceof RegexError) throw scope.error('unsupported', `${error.message}; Kusto does not document what replace_regex() does with it`, call.args[2]!.start);
    throw error;
  }
  return compileRowwise('string', args, ([source]) => regex.replaceAll(source as string, rewrite));
};

/** The functions that take a regular expression. */
export const REGEX_FUNCTIONS: ReadonlyArray<readonly [string, ScalarFunctionCompiler]> = [
  ['trim_start', trimFunction({ start: true, end: false })],
  ['trim_end', trimFunction({ start: false, end: true })],
  ['trim', trimFunction({ start: true, end: true })],
  ['extract', extract],
  ['replace_regex', replaceRegex],
];
