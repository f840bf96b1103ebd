/**
 * The scalar functions the engine evaluates, by name (case-sensitive, as in Kusto).
 *
 * - `now([offset])`, `ago(timespan)`: `now()` is the instant the caller gave the query, the same
 *   for every call in it (Kusto: "the current UTC time ... stays the same across all uses of now()
 *   in a single query statement"); `now(offset)` is that instant plus `offset`, `ago(t)` minus `t`.
 * - `not(bool)`; `isempty(x)` (an empty string or null), `isnotempty(x)`, `isnull(x)` (strings
 *   are never null), `isnotnull(x)`.
 * - `iff(c, a, b)` / `iif`, `case(c1, v1, ..., else)`: a null condition counts as not true;
 *   `coalesce(a, b, ...)`: the first value that is not null (for strings: not empty).
 * - `bin(x, size)` / `floor`: `x` rounded down to a multiple of `size`; datetimes to multiples
 *   counted from 0001-01-01, as Kusto counts them (so `bin(t, 7d)` is not aligned to 1970);
 *   `startofday(t)`.
 * - conversions `tostring`, `tolong`, `toint`, `toreal`/`todouble`, `todatetime` (see
 *   `conversions.ts`), `parse_json`/`todynamic`, `array_length`; string functions in
 *   `string-functions.ts`, those taking a regular expression in `regex-functions.ts`.
 */
import { compileNot } from './logical-operators';
import { compileRowwise, type Value } from './rowwise';
import { arity, requireType, type ScalarFunctionCompiler } from './scalar-function';
import { REGEX_FUNCTIONS } from './regex-functions';
import { STRING_FUNCTIONS } from './string-functions';
import { constant, type CompiledExpression } from './compiled-expression';
import { toDatetime, toKustoString, toRealNumber, toWholeNumber } from './conversions';
import { isNumberType, isNumeric, type KustoType } from './types';

export type { ScalarFunctionCompiler } from './scalar-function';

/** Milliseconds from 0001-01-01 to 1970-01-01: Kusto's datetimes count from the former. */
const EPOCH_FROM_YEAR_ONE_MS = 62_135_596_800_000;
const DAY_MS = 86_400_000;

function isNull(value: Value, type: KustoType): boolean {
  if (type === 'string') return false;
  if (isNumberType(type)) return value !== value;
  return value === null;
}

function constantTimespan(args: readonly CompiledExpression[], index: number, name: string, call: Parameters<ScalarFunctionCompiler>[1], scope: Parameters<ScalarFunctionCompiler>[2]): number {
  const arg = args[index]!;
  const at = call.args[index]!.start;
  if (arg.type !== 'timespan') throw scope.error('semantic', `the argument of ${name}() must be a timespan, not ${arg.type}`, at);
  if (arg.kind !== 'constant') throw scope.error('unsupported', `${name}() of a column is not supported by the local KQL engine`, at);
  return arg.value as number;
}

/** The common type of branch values, or `undefined` when they have none. */
function commonType(types: readonly KustoType[]): KustoType | undefined {
  if (types.every((t) => t === types[0])) return types[0];
  if (types.every(isNumeric)) return types.includes('real') ? 'real' : 'long';
  return undefined;
}

const emptiness =
  (negated: boolean): ScalarFunctionCompiler =>
  (args, call, scope) => {
    arity(call, scope, args, 1, 1);
    const type = args[0]!.type;
    return compileRowwise('bool', args, ([v]) => (type === 'string' ? v === '' : isNull(v!, type)) !== negated);
  };

const nullness =
  (negated: boolean): ScalarFunctionCompiler =>
  (args, call, scope) => {
    arity(call, scope, args, 1, 1);
    const type = args[0]!.type;
    return compileRowwise('bool', args, ([v]) => isNull(v!, type) !== negated);
  };

const iff: ScalarFunctionCompiler = (args, call, scope) => {
  arity(call, scope, args, 3, 3);
  requireType(call, scope, args, 0, ['bool']);
  const type = commonType([args[1]!.type, args[2]!.type]);
  if (!type) throw scope.error('semantic', `${call.name}() needs both values of one type, not ${args[1]!.type} and ${args[2]!.type}`, call.args[2]!.start);
  return compileRowwise(type, args, ([c, a, b]) => (c === true ? a! : b!));
};

const bin: ScalarFunctionCompiler = (args, call, scope) => {
  arity(call, scope, args, 2, 2);
  const [value, size] = args as [CompiledExpression, CompiledExpression];
  const ok =
    (isNumeric(value.type) && isNumeric(size.type)) || ((value.type === 'datetime' || value.type === 'timespan') && size.type === 'timespan');
  if (!ok) throw scope.error('semantic', `${call.name}() needs a number and a number, or a datetime or timespan and a timespan, not ${value.type} and ${size.type}`, call.start);
  if (size.kind !== 'constant') throw scope.error('unsupported', `${call.name}() by a size computed from the row is not supported by the local KQL engine`, call.args[1]!.start);
  const step = size.value as number;
  if (!(step > 0)) throw scope.error('unsupported', `${call.name}() by a size that is not positive is not supported by the local KQL engine`, call.args[1]!.start);
  const offset = value.type === 'datetime' ? EPOCH_FROM_YEAR_ONE_MS : 0;
  const type = isNumeric(value.type) ? (value.type === 'real' || size.type === 'real' ? 'real' : value.type) : value.type;
  return compileRowwise(type, [value], ([v]) => {
    const x = v as number;
    return x !== x ? NaN : Math.floor((x + offset) / step) * step - offset;
  });
};

const toNumber =
  (type: 'long' | 'int' | 'real'): ScalarFunctionCompiler =>
  (args, call, scope) => {
    arity(call, scope, args, 1, 1);
    const from = args[0]!.type;
    if (from === 'datetime' || from === 'timespan') {
      throw scope.error('unsupported', `${call.name}() of a ${from} is not supported by the local KQL engine`, call.args[0]!.start);
    }
    return compileRowwise(type, args, ([v]) => {
      if (type === 'real') return toRealNumber(v!, from);
      const n = toWholeNumber(v!, from);
      return type === 'int' && (n >= 2 ** 31 || n < -(2 ** 31)) ? NaN : n;
    });
  };

const caseFunction: ScalarFunctionCompiler = (args, call, scope) => {
  if (args.length < 3 || args.length % 2 === 0) {
    throw scope.error('semantic', 'case() takes pairs of a condition and a value, then the value for no match', call.start);
  }
  for (let i = 0; i < args.length - 1; i += 2) requireType(call, scope, args, i, ['bool']);
  const valueTypes = args.filter((_, i) => i % 2 === 1 || i === args.length - 1).map((a) => a.type);
  const type = commonType(valueTypes);
  if (!type) throw scope.error('semantic', `case() needs all its values of one type, not ${[...new Set(valueTypes)].join(', ')}`, call.start);
  return compileRowwise(type, args, (values) => {
    for (let i = 0; i < values.length - 1; i += 2) if (values[i] === true) return values[i + 1]!;
    return values[values.length - 1]!;
  });
};

const coalesce: ScalarFunctionCompiler = (args, call, scope) => {
  arity(call, scope, args, 2, 64);
  const type = commonType(args.map((a) => a.type));
  if (!type) throw scope.error('semantic', 'coalesce() needs all its arguments of one type', call.start);
  return compileRowwise(type, args, (values) => {
    for (const v of values) if (type === 'string' ? v !== '' : !isNull(v!, type)) return v!;
    return type === 'string' ? '' : isNumberType(type) ? NaN : null;
  });
};

const parseJson: ScalarFunctionCompiler = (args, call, scope) => {
  arity(call, scope, args, 1, 1);
  requireType(call, scope, args, 0, ['string', 'dynamic']);
  if (args[0]!.type === 'dynamic') return args[0]!;
  return compileRowwise('dynamic', args, ([v]) => {
    try {
      return JSON.parse(v as string) as Value;
    } catch {
      return v!;
    }
  });
};

/** The supported scalar functions. */
export const SCALAR_FUNCTIONS: ReadonlyMap<string, ScalarFunctionCompiler> = new Map<string, ScalarFunctionCompiler>([
  [
    'now',
    (args, call, scope) => {
      arity(call, scope, args, 0, 1);
      return constant('datetime', args.length === 0 ? scope.now : scope.now + constantTimespan(args, 0, 'now', call, scope));
    },
  ],
  [
    'ago',
    (args, call, scope) => {
      arity(call, scope, args, 1, 1);
      return constant('datetime', scope.now - constantTimespan(args, 0, 'ago', call, scope));
    },
  ],
  [
    'not',
    (args, call, scope) => {
      arity(call, scope, args, 1, 1);
      if (args[0]!.type !== 'bool') throw scope.error('semantic', `not() needs a bool argument, not ${args[0]!.type}`, call.args[0]!.start);
      return compileNot(args[0]!);
    },
  ],
  ['isempty', emptiness(false)],
  ['isnotempty', emptiness(true)],
  ['isnull', nullness(false)],
  ['isnotnull', nullness(true)],
  ['iff', iff],
  ['iif', iff],
  ['case', caseFunction],
  ['coalesce', coalesce],
  ['bin', bin],
  ['floor', bin],
  [
    'startofday',
    (args, call, scope) => {
      arity(call, scope, args, 1, 1);
      requireType(call, scope, args, 0, ['datetime']);
      return compileRowwise('datetime', args, ([v]) => Math.floor((v as number) / DAY_MS) * DAY_MS);
    },
  ],
  [
    'tostring',
    (args, call, scope) => {
      arity(call, scope, args, 1, 1);
      const type = args[0]!.type;
      return compileRowwise('string', args, ([v]) => toKustoString(v!, type));
    },
  ],
  ['tolong', toNumber('long')],
  ['toint', toNumber('int')],
  ['toreal', toNumber('real')],
  ['todouble', toNumber('real')],
  [
    'todatetime',
    (args, call, scope) => {
      arity(call, scope, args, 1, 1);
      requireType(call, scope, args, 0, ['string', 'datetime', 'dynamic']);
      const type = args[0]!.type;
      return compileRowwise('datetime', args, ([v]) => toDatetime(v!, type));
    },
  ],
  ['parse_json', parseJson],
  ['todynamic', parseJson],
  [
    'array_length',
    (args, call, scope) => {
      arity(call, scope, args, 1, 1);
      requireType(call, scope, args, 0, ['dynamic']);
      return compileRowwise('long', args, ([v]) => (Array.isArray(v) ? v.length : NaN));
    },
  ],
  ...STRING_FUNCTIONS,
  ...REGEX_FUNCTIONS,
]);
