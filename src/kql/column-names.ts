/**
 * The names Kusto gives columns that a query does not name, as `Kusto.Language` computes them
 * (the tests check them against it): a column keeps its name; `d.x` and `d['x']` become `d_x`,
 * `d[0]` becomes `d_0`; a conversion such as `tostring(x)`, `bin(x, 1h)` or `split(x, '/')` takes
 * the name of its first argument; `strlen(x)` becomes `strlen_x`; anything else is `Column1`,
 * `Column2`, ... (the first not already in use). Names that collide get a number: `b`, `b1`, `b2`.
 */
import type { Expression } from './ast';

/** Functions whose unnamed result takes the name of their first argument. */
const FIRST_ARGUMENT_NAMED: ReadonlySet<string> = new Set([
  'tostring', 'tolong', 'toint', 'todouble', 'toreal', 'todatetime', 'totimespan', 'tobool', 'toboolean', 'todynamic',
  'toobject', 'parse_json', 'bin', 'floor', 'split', 'startofday', 'startofweek', 'startofmonth', 'startofyear',
]);

/** Functions whose unnamed result is `<function>_<first argument's name>`. */
const PREFIX_NAMED: ReadonlySet<string> = new Set(['strlen']);

/** The name Kusto derives for an unnamed expression, or `undefined` when it would be a `ColumnN`. */
export function derivedName(node: Expression): string | undefined {
  switch (node.kind) {
    case 'name':
      return node.name;
    case 'parenthesized':
      return derivedName(node.inner);
    case 'element': {
      const base = derivedName(node.target);
      const index = node.index.kind === 'literal' ? String(node.index.value) : undefined;
      return base !== undefined && index !== undefined ? `${base}_${index}` : undefined;
    }
    case 'call': {
      const first = node.args[0];
      if (FIRST_ARGUMENT_NAMED.has(node.name)) return first ? derivedName(first) : undefined;
      if (PREFIX_NAMED.has(node.name)) return `${node.name}_${first ? (derivedName(first) ?? '') : ''}`;
      return undefined;
    }
    default:
      return undefined;
  }
}

/** `name`, or `name1`, `name2`, ... : the first that `taken` does not hold. */
export function uniqueName(name: string, taken: (name: string) => boolean): string {
  if (!taken(name)) return name;
  for (let i = 1; ; i++) if (!taken(`${name}${i}`)) return `${name}${i}`;
}

/** `Column1`, `Column2`, ... : the first that `taken` does not hold. */
export function generatedName(taken: (name: string) => boolean): string {
  for (let i = 1; ; i++) if (!taken(`Column${i}`)) return `Column${i}`;
}
