/**
 * String functions: `tolower`, `toupper`, `strcat`, `strlen`, `split`, `replace_string`,
 * `isempty`, `isnotempty` (those taking a regular expression are in `regex-functions.ts`). Kusto
 * strings are never null: a null argument of another type is converted to `""` by `strcat`, as
 * `tostring` does.
 */
import { toKustoString } from './conversions';
import { compileRowwise, type Value } from './rowwise';
import type { ScalarFunctionCompiler } from './scalar-function';
import { arity, requireType } from './scalar-function';

function stringFunction(name: string, fn: (s: string) => Value, type: 'string' | 'long' | 'bool' = 'string'): readonly [string, ScalarFunctionCompiler] {
  return [
    name,
    (args, call, scope) => {
      arity(call, scope, args, 1, 1);
      requireType(call, scope, args, 0, ['string']);
      return compileRowwise(type, args, ([s]) => fn(s as string));
    },
  ];
}

/** The string functions. */
export const STRING_FUNCTIONS: ReadonlyArray<readonly [string, ScalarFunctionCompiler]> = [
  stringFunction('tolower', (s) => s.toLowerCase()),
  stringFunction('toupper', (s) => s.toUpperCase()),
  stringFunction('strlen', (s) => [...s].length, 'long'),
  [
    'strcat',
    (args, call, scope) => {
      arity(call, scope, args, 1, 64);
      return compileRowwise('string', args, (values) => values.map((v, i) => toKustoString(v, args[i]!.type)).join(''));
    },
  ],
  [
    'split',
    (args, call, scope) => {
      arity(call, scope, args, 2, 3);
      requireType(call, scope, args, 0, ['string']);
      requireType(call, scope, args, 1, ['string']);
      if (args.length === 3) requireType(call, scope, args, 2, ['long', 'int']);
      const delimiter = args[1]!;
      if (delimiter.kind === 'constant' && delimiter.value === '') {
        throw scope.error('unsupported', 'split() by an empty delimiter is not supported by the local KQL engine', call.args[1]!.start);
      }
      return compileRowwise('dynamic', args, ([s, d, index]) => {
        if (d === '') throw scope.error('unsupported', 'split() by an empty delimiter is not supported by the local KQL engine', call.args[1]!.start);
        const parts = (s as string).split(d as string);
        if (index === undefined) return parts;
        const i = index as number;
        return i === i && i >= 0 && i < parts.length ? [parts[i]!] : [];
      });
    },
  ],
  [
    'replace_string',
    (args, call, scope) => {
      arity(call, scope, args, 3, 3);
      for (let i = 0; i < 3; i++) requireType(call, scope, args, i, ['string']);
      return compileRowwise('string', args, ([text, lookup, rewrite]) => {
        if (lookup === '') throw scope.error('unsupported', 'replace_string() of an empty lookup is not supported by the local KQL engine', call.args[1]!.start);
        return (text as string).split(lookup as string).join(rewrite as string);
      });
    },
  ],
];
