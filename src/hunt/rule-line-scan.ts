/**
 * The last resort for a hunting-rule file that is not YAML even after repairs: read its top-level
 * `key: value` lines one by one, the way a person would. Handles what Sentinel rule files hold at
 * the top level: one-line scalars, block scalars (`query: |`), lists of scalars, and the
 * `dataTypes` of `requiredDataConnectors`. Everything else nested is skipped.
 */
import { parse as parseYaml } from 'yaml';

/** A top-level field read line by line. */
export interface ScannedField {
  /** 1-based line of the key. */
  readonly line: number;
  /** A scalar's text, or a list's items (for `requiredDataConnectors`: connectors with their data types). */
  readonly value: string | readonly string[] | ReadonlyArray<{ readonly dataTypes: readonly string[] }>;
}

const TOP_KEY = /^([A-Za-z_][\w.-]*)[ \t]*:(?:[ \t]+(.*))?$/;
const BLOCK_HEADER = /^([|>])([+-]?)\d?[+-]?[ \t]*(#.*)?$/;

function indentOf(line: string): number {
  return /^[ \t]*/.exec(line)![0].length;
}

function flow(text: string): string | string[] {
  try {
    const value: unknown = parseYaml(text);
    if (Array.isArray(value)) return value.map(String);
  } catch {
    // not a flow sequence: read it as a scalar
  }
  return scalar(text);
}

function scalar(text: string): string {
  try {
    const value: unknown = parseYaml(text);
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  } catch {
    // not a YAML scalar on its own: the raw text is what the author wrote
  }
  return text.trim();
}

function blockScalar(body: readonly string[], style: string, chomp: string): string {
  const nonBlank = body.filter((line) => line.trim() !== '');
  const indent = nonBlank.length ? Math.min(...nonBlank.map(indentOf)) : 0;
  const lines = body.map((line) => line.slice(indent));
  while (lines.length && lines[lines.length - 1]!.trim() === '') lines.pop();
  const text =
    style === '|'
      ? lines.join('\n')
      : lines.reduce((out, line, i) => (i === 0 ? line : line === '' ? `${out}\n` : out.endsWith('\n') ? out + line : `${out} ${line}`), '');
  return chomp === '-' || text === '' ? text : `${text}\n`;
}

function listItems(body: readonly string[]): string[] {
  return body.flatMap((line) => {
    const item = /^[ \t]*-[ \t]+(.*)$/.exec(line);
    return item ? [scalar(item[1]!)] : [];
  });
}

function connectorDataTypes(body: readonly string[]): Array<{ dataTypes: string[] }> {
  const dataTypes: string[] = [];
  for (let i = 0; i < body.length; i++) {
    const header = /^([ \t]*)(?:-[ \t]+)?dataTypes[ \t]*:[ \t]*(.*)$/.exec(body[i]!);
    if (!header) continue;
    if (header[2]!.trim()) {
      const inline = flow(header[2]!);
      dataTypes.push(...(Array.isArray(inline) ? inline : [inline]));
      continue;
    }
    const keyIndent = body[i]!.indexOf('dataTypes');
    for (let j = i + 1; j < body.length; j++) {
      const line = body[j]!;
      if (line.trim() === '') continue;
      const item = /^[ \t]*-[ \t]+([^:]+)$/.exec(line);
      if (!item || indentOf(line) < keyIndent) break;
      dataTypes.push(scalar(item[1]!));
    }
  }
  return [{ dataTypes }];
}

/** Reads the top-level fields of a rule file line by line. Later duplicates of a key are ignored. */
export function scanTopLevelFields(text: string): Map<string, ScannedField> {
  const lines = text.split('\n');
  const fields = new Map<string, ScannedField>();
  for (let i = 0; i < lines.length; i++) {
    const key = TOP_KEY.exec(lines[i]!);
    if (!key) continue;
    const name = key[1]!;
    const rest = (key[2] ?? '').trim();
    const body: string[] = [];
    while (i + 1 < lines.length && (lines[i + 1]!.trim() === '' || /^[ \t]/.test(lines[i + 1]!) || (rest === '' && /^-[ \t]/.test(lines[i + 1]!)))) {
      body.push(lines[++i]!);
    }
    if (fields.has(name)) continue;
    const line = i + 1 - body.length;
    const header = BLOCK_HEADER.exec(rest);
    if (header) fields.set(name, { line, value: blockScalar(body, header[1]!, header[2]!) });
    else if (rest !== '') fields.set(name, { line, value: flow(rest) });
    else if (name === 'requiredDataConnectors') fields.set(name, { line, value: connectorDataTypes(body) });
    else fields.set(name, { line, value: listItems(body) });
  }
  return fields;
}
