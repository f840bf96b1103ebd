/**
 * Kusto's own parser and semantic analysis (`@kusto/language-service-next`, the Bridge.NET build
 * of `Kusto.Language`) as a referee for tests: the error diagnostics it reports for a query
 * against the Defender tables (and any extra tables a test names), which of them are syntax errors,
 * and the columns of the result it computes. Tests only: it costs ~100 MB and most of a second to
 * load.
 */
import { DEFENDER_SCHEMAS, type TableSchema } from '../../src/kql';

interface KDiagnostic {
  readonly Severity: string;
  readonly Start: number;
  readonly Message: string;
}
interface KList<T> {
  readonly Count: number;
  getItem(index: number): T;
}
interface KColumn {
  readonly Name: string;
  readonly Type: { readonly Name: string };
}
interface KCode {
  GetDiagnostics(): KList<KDiagnostic>;
  readonly ResultType: { readonly Columns?: KList<KColumn> } | null;
}
interface KLanguage {
  readonly Symbols: {
    readonly TableSymbol: { readonly $ctor7: new (name: string, schema: string, description: string | null) => unknown };
    readonly DatabaseSymbol: { readonly ctor: new (name: string, tables: unknown[]) => unknown };
  };
  readonly GlobalState: { readonly Default: { WithDatabase(database: unknown): unknown } };
  readonly KustoCode: { ParseAndAnalyze(text: string, globals: unknown): KCode; Parse(text: string, globals: unknown): KCode };
  readonly Functions: { readonly All: ArrayLike<{ readonly Name: string }> };
  readonly Aggregates: { readonly All: ArrayLike<{ readonly Name: string }> };
}

/** An error Kusto reports. */
export interface KustoDiagnostic {
  readonly message: string;
  /** Offset in the query text. */
  readonly start: number;
}

let language: KLanguage | undefined;

function load(): KLanguage {
  if (!language) {
    require('@kusto/language-service-next/bridge.js');
    require('@kusto/language-service-next');
    language = (globalThis as unknown as { Kusto: { Language: KLanguage } }).Kusto.Language;
  }
  return language;
}

function errorsOf(code: KCode): KustoDiagnostic[] {
  const diagnostics = code.GetDiagnostics();
  const errors: KustoDiagnostic[] = [];
  for (let i = 0; i < diagnostics.Count; i++) {
    const d = diagnostics.getItem(i);
    if (d.Severity === 'Error') errors.push({ message: d.Message, start: d.Start });
  }
  return errors;
}

/** Analyses queries against the Defender tables plus `extraTables`. */
export class KustoReferee {
  private readonly globals: unknown;

  constructor(extraTables: Readonly<Record<string, TableSchema>> = {}) {
    const k = load();
    const tables = Object.entries({ ...DEFENDER_SCHEMAS, ...extraTables }).map(
      ([name, columns]) => new k.Symbols.TableSymbol.$ctor7(name, `(${columns.map((c) => `['${c.name}']:${c.type}`).join(', ')})`, null),
    );
    this.globals = k.GlobalState.Default.WithDatabase(new k.Symbols.DatabaseSymbol.ctor('db', tables));
  }

  /** The error diagnostics Kusto reports for `query` (empty when Kusto accepts it). */
  errors(query: string): KustoDiagnostic[] {
    return errorsOf(load().KustoCode.ParseAndAnalyze(query, this.globals));
  }

  /** The syntax errors alone: what Kusto's parser reports before any name is resolved. */
  syntaxErrors(query: string): KustoDiagnostic[] {
    return errorsOf(load().KustoCode.Parse(query, this.globals));
  }

  /** The columns (`name:type`) of the result Kusto's analysis computes for `query`. */
  resultColumns(query: string): string[] {
    return this.analyse(query).columns;
  }

  /** Kusto's errors for `query` and the result columns it computes, from one analysis. */
  analyse(query: string): { errors: KustoDiagnostic[]; columns: string[] } {
    const code = load().KustoCode.ParseAndAnalyze(query, this.globals);
    const columns = code.ResultType?.Columns;
    const out: string[] = [];
    for (let i = 0; i < (columns?.Count ?? 0); i++) {
      const c = columns!.getItem(i);
      out.push(`${c.Name}:${c.Type.Name}`);
    }
    return { errors: errorsOf(code), columns: out };
  }
}

/** The names of Kusto's scalar functions and of its aggregation functions. */
export function kustoFunctionNames(): { functions: string[]; aggregates: string[] } {
  const k = load();
  const names = (list: ArrayLike<{ readonly Name: string }>): string[] => Array.from({ length: list.length }, (_, i) => list[i]!.Name);
  return { functions: names(k.Functions.All).filter((n) => !n.startsWith('__')), aggregates: names(k.Aggregates.All) };
}
