/**
 * Repairs for the known real-world flaws of Sentinel hunting-rule YAML, applied only to text that
 * does not parse: the public RMM rules place `dataTypes:` at the column of the `- connectorId:`
 * dash (strict YAML rejects it), and hand-edited files indent with tabs (YAML forbids them).
 * Each repair says which line it touched, so the loader can tell the user what it assumed.
 */

/** One change made to a rule file's text so that it could be read. */
export interface TextRepair {
  /** 1-based line of the file. */
  readonly line: number;
  readonly message: string;
}

/** Text after repairs, with what was changed. */
export interface RepairedText {
  readonly text: string;
  readonly repairs: readonly TextRepair[];
}

const CONNECTOR_BLOCK = /^requiredDataConnectors\s*:\s*(#.*)?$/;
const SEQUENCE_ITEM = /^( *)-( +)\S/;
const MAPPING_KEY = /^( *)[^\s#'"\-][^:#]*:(\s|$)/;

function indentOf(line: string): number {
  return /^ */.exec(line)![0].length;
}

function isBlankOrComment(line: string): boolean {
  return /^\s*(#.*)?$/.test(line);
}

/**
 * Re-indents the `requiredDataConnectors` block when a connector's keys are aligned with its dash:
 *
 * ```yaml
 * requiredDataConnectors:
 *     - connectorId: MicrosoftThreatProtection
 *     dataTypes:              # read as belonging to the connector above
 *         - DeviceFileCertificateInfo
 * ```
 *
 * A key at the dash's column cannot belong to anything else when the sequence is indented deeper
 * than `requiredDataConnectors` itself, so it (and what it holds) is moved under the item.
 */
export function reindentConnectorBlock(text: string): RepairedText {
  const lines = text.split('\n');
  const repairs: TextRepair[] = [];
  const start = lines.findIndex((line) => CONNECTOR_BLOCK.test(line));
  if (start < 0) return { text, repairs };

  let dash = -1;
  let content = -1;
  let shift = 0;
  for (let i = start + 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (isBlankOrComment(line)) continue;
    const indent = indentOf(line);
    if (indent === 0) break;
    const item = SEQUENCE_ITEM.exec(line);
    if (item && (dash < 0 || indent === dash)) {
      dash = indent;
      content = indent + 1 + item[2]!.length;
      shift = 0;
      continue;
    }
    if (dash < 0) continue;
    if (indent < dash) {
      shift = 0;
      continue;
    }
    if (shift === 0 && indent === dash && MAPPING_KEY.test(line)) {
      shift = content - indent;
      const key = line.trim().split(':')[0];
      repairs.push({
        line: i + 1,
        message: `'${key}' is aligned with the '-' of the connector above it; read it as part of that connector`,
      });
    }
    if (shift > 0) lines[i] = ' '.repeat(shift) + line;
  }
  return { text: lines.join('\n'), repairs };
}

/**
 * Replaces tabs in the leading whitespace of every line by spaces, with tab stops every `width`
 * columns. Tabs after the first non-blank character are content and stay.
 */
export function expandIndentTabs(text: string, width: number): RepairedText {
  const changed: number[] = [];
  const lines = text.split('\n').map((line, index) => {
    const lead = /^[ \t]*/.exec(line)![0];
    if (!lead.includes('\t')) return line;
    changed.push(index + 1);
    let column = 0;
    for (const c of lead) column = c === '\t' ? (Math.floor(column / width) + 1) * width : column + 1;
    return ' '.repeat(column) + line.slice(lead.length);
  });
  if (changed.length === 0) return { text, repairs: [] };
  const where = changed.length === 1 ? `line ${changed[0]}` : `${changed.length} lines from line ${changed[0]}`;
  return {
    text: lines.join('\n'),
    repairs: [{ line: changed[0]!, message: `tabs in the indentation of ${where} read as tab stops every ${width} columns` }],
  };
}
