/**
 * Reading the finding rows of a rendered card's JSON (hunt results, device checks): each row is a
 * container holding a column set whose last column has the row's buttons, the first being Details
 * (`cards/parts/finding-rows.json`).
 */

/** One action of a row. */
export interface RowAction {
  readonly title: string;
  readonly verb: string;
  readonly data: Record<string, unknown>;
  /** `secondary` for the overflow menu. */
  readonly mode: 'primary' | 'secondary';
}

/** One finding row of a card. */
export interface CardRow {
  /** Its texts, in order (title first), one per line. */
  readonly lines: readonly string[];
  readonly title: string;
  readonly actions: readonly RowAction[];
  /** The row's JSON. */
  readonly json: any;
}

/** The text a RichTextBlock shows (its runs joined). */
export function blockText(block: any): string {
  return (block?.inlines ?? []).map((run: any) => run.text).join('');
}

function texts(node: any): string[] {
  if (Array.isArray(node)) return node.flatMap(texts);
  if (!node || typeof node !== 'object') return [];
  if (node.type === 'RichTextBlock') return [blockText(node)];
  return Object.values(node).flatMap(texts);
}

function actionsOf(node: any): any[] {
  if (Array.isArray(node)) return node.flatMap(actionsOf);
  if (!node || typeof node !== 'object') return [];
  if (node.type === 'ActionSet') return node.actions;
  return Object.values(node).flatMap(actionsOf);
}

function isRow(node: any): boolean {
  const columns = node?.type === 'Container' && node.items?.[0]?.type === 'ColumnSet' ? node.items[0].columns : undefined;
  const last = columns?.[columns.length - 1];
  return Boolean(last && actionsOf(last).some((a: any) => a.title === 'Details'));
}

/** Every text a card shows (its RichTextBlocks'), in order. */
export function cardLines(card: any): string[] {
  return texts(card.body);
}

/** Every finding row of a card, in order. */
export function cardRows(card: any): CardRow[] {
  const rows: CardRow[] = [];
  const walk = (node: any) => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    if (isRow(node)) {
      const lines = texts(node);
      rows.push({
        lines,
        title: lines[0] ?? '',
        actions: actionsOf(node).map((a: any) => ({ title: a.title, verb: a.verb, data: a.data, mode: a.mode ?? 'primary' })),
        json: node,
      });
      return;
    }
    Object.values(node).forEach(walk);
  };
  walk(card.body);
  return rows;
}

/** The row whose title is `title` (a device's host name, or a tool), or whose text names it. */
export function cardRow(card: any, title: string): CardRow {
  const rows = cardRows(card);
  const row = rows.find((r) => r.title.toLowerCase() === title.toLowerCase()) ?? rows.find((r) => r.lines.some((l) => l.toLowerCase().includes(title.toLowerCase())));
  if (!row) throw new Error(`no row ${title} among ${rows.map((r) => r.title).join(', ')}`);
  return row;
}

/** A result row's device name as the card shows it: the host name, and the domain beneath it when it has one. */
export function deviceNameOf(row: CardRow): string {
  const beneath = row.lines[1];
  return beneath !== undefined && !/ events? · /.test(beneath) ? `${row.title}.${beneath}` : row.title;
}

/** The row key a row's buttons carry. */
export function rowKeyOf(row: CardRow): string {
  return String(row.actions[0]?.data.row);
}
