/**
 * Kusto's own parser and semantic analysis (`@kusto/language-service-next`, the Bridge.NET build
 * of `Kusto.Language`) as a referee for tests: the error diagnostics it reports for a query
 * against the Defender tables (and any extra tables a test names). Tests only: it costs ~100 MB
 * and most of a second to load.
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
interface KLanguage {
  readonly Symbols: {
    readonly TableSymbol: { readonly $ctor7: new (name: string, schema: string, description: string | null) => unknown };
    readonly DatabaseSymbol: { readonly ctor: new (name: string, tables: unknown[]) => unknown };
  };
  readonly GlobalState: { readonly Default: { WithDatabase(database: unknown): unknown } };
  readonly KustoCode: { ParseAndAnalyze(text: string, globals: unknown): { GetDiagnostics(): KList<KDiagnostic> } };
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
    const diagnostics = load().KustoCode.ParseAndAnalyze(query, this.globals).GetDiagnostics();
    const errors: KustoDiagnostic[] = [];
    for (let i = 0; i < diagnostics.Count; i++) {
      const d = diagnostics.getItem(i);
      if (d.Severity === 'Error') errors.push({ message: d.Message, start: d.Start });
    }
    return errors;
  }
}
