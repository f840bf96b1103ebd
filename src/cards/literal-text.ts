/**
 * Every text a card shows is literal. Device names, file names, paths, command lines, URLs, display
 * names, reasons, notes, titles and rule names are written by people HuntOps does not trust, and a
 * `TextBlock` (or a `FactSet`) is markdown to Teams: `[Re-auth](https://evil.example/)` would be a
 * link, `**x**` bold, `- x` a list, `# x` a heading, `<at>x</at>` a mention. So, once a card is
 * expanded from its template, this pass rewrites it so that no text can be read as markup:
 *
 * - a `TextBlock` becomes a `RichTextBlock` holding one `TextRun` with the same text and style: the
 *   Adaptive Card schema defines a TextRun's text as plain (no markdown), and renderers draw it so;
 * - a `FactSet` becomes a container of two-column rows whose titles and values are such TextRuns;
 * - in every TextRun (those the templates write too) angle brackets are drawn as the single
 *   guillemets that look like them (‹ ›), so that no client takes text for an HTML tag or a
 *   mention, and the renderer's `{{DATE(…)}}`/`{{TIME(…)}}` functions are broken with a word joiner
 *   (U+2060), so that text cannot pose as a date either (the templates format times themselves);
 * - choice titles and button titles get the same treatment (a client shows them as they are).
 *
 * Templates may use TextBlock and FactSet freely: what reaches Teams never holds one.
 */

/** Text that cannot be read as a tag, a mention or a date function. */
export function literalText(text: string): string {
  return text
    .replace(/</g, '\u2039')
    .replace(/>/g, '\u203a')
    .replace(/\{\{(DATE|TIME)\(/gi, '{{$1\u2060(');
}

type Node = Record<string, unknown>;

/** Properties a TextBlock shares with a TextRun (its style). */
const RUN_STYLE = ['color', 'fontType', 'isSubtle', 'size', 'weight'] as const;
/** Properties a TextBlock has that a RichTextBlock has not (a RichTextBlock always wraps). */
const BLOCK_ONLY = new Set(['type', 'text', 'wrap', 'maxLines', 'style', ...RUN_STYLE]);

function textRun(text: string, style: Node = {}): Node {
  const run: Node = { type: 'TextRun', text: literalText(text) };
  for (const key of RUN_STYLE) if (style[key] !== undefined) run[key] = style[key];
  return run;
}

function richTextOf(block: Node): Node {
  const rich: Node = { type: 'RichTextBlock' };
  for (const [key, value] of Object.entries(block)) if (!BLOCK_ONLY.has(key)) rich[key] = value;
  const style: Node = block.style === 'heading' && block.weight === undefined ? { ...block, weight: 'Bolder' } : block;
  rich.inlines = [textRun(typeof block.text === 'string' ? block.text : '', style)];
  return rich;
}

/** The width of a fact's title, as a FactSet gives its titles one column. */
const FACT_TITLE_WIDTH = '96px';

function factRows(factSet: Node): Node {
  const { type: _type, facts, ...element } = factSet;
  const rows = (Array.isArray(facts) ? (facts as Node[]) : []).map((fact, index) => ({
    type: 'ColumnSet',
    ...(index > 0 ? { spacing: 'Small' } : {}),
    columns: [
      { type: 'Column', width: FACT_TITLE_WIDTH, items: [{ type: 'RichTextBlock', inlines: [textRun(String(fact.title ?? ''), { weight: 'Bolder' })] }] },
      { type: 'Column', width: 'stretch', items: [{ type: 'RichTextBlock', inlines: [textRun(String(fact.value ?? ''))] }] },
    ],
  }));
  return { type: 'Container', ...element, items: rows };
}

/** `node` with every text made literal (see the module's documentation); cards are plain JSON. */
export function literalCard<T>(node: T): T {
  if (Array.isArray(node)) return node.map((item: unknown) => literalCard(item)) as T;
  if (typeof node !== 'object' || node === null) return node;
  const element = node as Node;
  if (element.type === 'TextBlock') return richTextOf(element) as T;
  if (element.type === 'FactSet') return factRows(element) as T;
  const out: Node = {};
  for (const [key, value] of Object.entries(element)) out[key] = literalCard(value);
  if (out.type === 'TextRun' && typeof out.text === 'string') out.text = literalText(out.text);
  if (typeof out.type === 'string' && out.type.startsWith('Action.') && typeof out.title === 'string') out.title = literalText(out.title);
  if (out.type === 'Input.ChoiceSet' && Array.isArray(out.choices)) {
    out.choices = (out.choices as Node[]).map((choice) => (typeof choice.title === 'string' ? { ...choice, title: literalText(choice.title) } : choice));
  }
  return out as T;
}
