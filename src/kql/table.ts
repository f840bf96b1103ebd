/**
 * A table held in columns: a name, a schema (column names and Kusto types, in order) and one
 * {@link Column} per schema column. Tables are immutable; build them with `TableBuilder` or
 * {@link Table.fromRecords}.
 */
import { allRowsInSlices, type ScanSlices } from './scan-slices';
import { TableBuilder } from './table-builder';
import { kustoTypeOf, type KustoType } from './types';
import { allRows, type Column } from './vectors';

/** A column's name and type. */
export interface ColumnSchema {
  readonly name: string;
  readonly type: KustoType;
}

/** The columns of a table, in order. */
export type TableSchema = readonly ColumnSchema[];

/** Checks a schema: known types, unique names. Throws `Error` naming the problem. */
export function validateSchema(tableName: string, schema: TableSchema): void {
  const seen = new Set<string>();
  for (const column of schema) {
    if (!kustoTypeOf(column.type)) throw new Error(`table ${tableName}: column ${column.name} has unknown type ${column.type}`);
    if (seen.has(column.name)) throw new Error(`table ${tableName}: column ${column.name} is declared twice`);
    seen.add(column.name);
  }
}

/** A columnar table. */
export class Table {
  private readonly indexByName: ReadonlyMap<string, number>;
  private allRowNumbers: Uint32Array | undefined;

  /** Use `TableBuilder` or {@link Table.fromRecords}; this checks that columns match the schema. */
  constructor(
    readonly name: string,
    readonly schema: TableSchema,
    readonly columns: readonly Column[],
    readonly rowCount: number,
  ) {
    validateSchema(name, schema);
    if (columns.length !== schema.length) throw new Error(`table ${name}: ${columns.length} columns for a schema of ${schema.length}`);
    schema.forEach((column, i) => {
      const data = columns[i]!;
      const length = data.type === 'string' ? data.codes.length : data.values.length;
      if (data.type !== column.type || data.layout !== 'rows' || length !== rowCount) {
        throw new Error(`table ${name}: column ${column.name} does not hold ${rowCount} ${column.type} values`);
      }
    });
    this.indexByName = new Map(schema.map((c, i) => [c.name, i]));
  }

  /** Builds a table from plain records (JSON-like values), converting them to the schema's types. */
  static fromRecords(name: string, schema: TableSchema, records: Iterable<Readonly<Record<string, unknown>>>): Table {
    const builder = new TableBuilder(name, schema);
    for (const record of records) builder.append(record);
    return builder.build();
  }

  /** The column with this exact (case-sensitive) name. */
  column(name: string): Column | undefined {
    const index = this.indexByName.get(name);
    return index === undefined ? undefined : this.columns[index];
  }

  /**
   * The row numbers 0..rowCount-1, the selection of a query that reads the whole table: made at the
   * first such query (in slices when it asks for them) and shared by the later ones, as selections
   * are never written to. At ten million rows that is 40 MB a query did not allocate and fill again.
   */
  rowNumbers(slices?: ScanSlices): Uint32Array {
    this.allRowNumbers ??= slices ? allRowsInSlices(this.rowCount, slices) : allRows(this.rowCount);
    return this.allRowNumbers;
  }

  /**
   * The same table with every `datetime` value moved by `deltaMs` (other columns shared).
   * Used to make a recorded sample look recent.
   */
  withShiftedDatetimes(deltaMs: number): Table {
    if (deltaMs === 0) return this;
    const columns = this.columns.map((column): Column => {
      if (column.type !== 'datetime') return column;
      const values = new Float64Array(column.values.length);
      for (let i = 0; i < values.length; i++) values[i] = column.values[i]! + deltaMs;
      return { type: 'datetime', layout: 'rows', values };
    });
    return new Table(this.name, this.schema, columns, this.rowCount);
  }
}
