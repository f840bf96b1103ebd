/**
 * Kusto scalar types as the engine knows them, with the aliases Kusto accepts in schemas
 * (`boolean` for `bool`, `double` for `real`, `time` for `timespan`).
 */

/** A scalar type of a column or an expression. */
export type KustoType = 'string' | 'datetime' | 'timespan' | 'long' | 'int' | 'real' | 'bool' | 'dynamic';

const ALIASES: Readonly<Record<string, KustoType>> = {
  string: 'string',
  datetime: 'datetime',
  date: 'datetime',
  timespan: 'timespan',
  time: 'timespan',
  long: 'long',
  int: 'int',
  real: 'real',
  double: 'real',
  bool: 'bool',
  boolean: 'bool',
  dynamic: 'dynamic',
};

/** The type a schema's type name denotes, or `undefined` when the engine does not know it. */
export function kustoTypeOf(name: string): KustoType | undefined {
  return Object.prototype.hasOwnProperty.call(ALIASES, name) ? ALIASES[name] : undefined;
}

/** Types whose values are held as numbers (`datetime` and `timespan` in milliseconds). */
export function isNumberType(type: KustoType): type is 'datetime' | 'timespan' | 'long' | 'int' | 'real' {
  return type === 'datetime' || type === 'timespan' || type === 'long' || type === 'int' || type === 'real';
}

/** `int`, `long` and `real`: the types Kusto compares with each other numerically. */
export function isNumeric(type: KustoType): type is 'long' | 'int' | 'real' {
  return type === 'long' || type === 'int' || type === 'real';
}
