/**
 * Views → Adaptive Cards, expanded with adaptivecards-templating from the template of the same
 * name in the top-level `cards/` folder (`huntResult` → `cards/hunt-result.json`), then made literal
 * (`literal-text.ts`: no text on a card is ever read as markdown, a tag or a mention).
 *
 * A template can include a part, a piece of card shared by several templates, from `cards/parts/`:
 * the object `{ "$include": "finding-rows" }` stands for `cards/parts/finding-rows.json`; other keys
 * beside `$include` (a `$data` binding, a `$when`, a spacing) are set on the part.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as ACData from 'adaptivecards-templating';
import { VERBS } from '../core/verbs';
import type { Tone, View } from '../core/views';
import { literalCard } from './literal-text';

/** An Adaptive Card as JSON. */
export type AdaptiveCard = { readonly type: 'AdaptiveCard'; readonly version: string } & Record<string, unknown>;

/** The folder with the card templates. */
export const CARDS_DIR = path.resolve(__dirname, '..', '..', 'cards');

const TONE_COLOR: Record<Tone, string> = {
  default: 'Default',
  good: 'Good',
  warning: 'Warning',
  attention: 'Attention',
  accent: 'Accent',
};

const templates = new Map<string, ACData.Template>();

/** The folder with the parts templates include. */
export const PARTS_DIR = path.join(CARDS_DIR, 'parts');

/** `node` with every `{ "$include": name }` replaced by the part of that name (parts may include parts). */
function withParts(node: unknown, including: readonly string[] = []): unknown {
  if (Array.isArray(node)) return node.map((item) => withParts(item, including));
  if (typeof node !== 'object' || node === null) return node;
  const { $include: include, ...beside } = node as { $include?: unknown };
  if (typeof include === 'string') {
    if (!/^[a-z][a-z0-9-]*$/.test(include) || including.includes(include)) throw new Error(`cards: cannot include the part '${include}'`);
    const part = withParts(JSON.parse(readFileSync(path.join(PARTS_DIR, `${include}.json`), 'utf8')), [...including, include]) as object;
    return { ...part, ...beside };
  }
  return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, withParts(value, including)]));
}

function templateFor(name: View['name']): ACData.Template {
  let template = templates.get(name);
  if (!template) {
    const file = path.join(CARDS_DIR, `${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}.json`);
    template = new ACData.Template(withParts(JSON.parse(readFileSync(file, 'utf8'))));
    templates.set(name, template);
  }
  return template;
}

function templateData(view: View): object {
  switch (view.name) {
    case 'notice':
      return { ...view, color: TONE_COLOR[view.tone], usage: view.usage ?? [], verbs: VERBS };
    case 'escalation':
      return { ...view, closeable: view.closeable === true, verbs: VERBS };
    default:
      return { ...view, verbs: VERBS };
  }
}

/** Text styles a template computes that only restate the schema's default (`"isSubtle": false`). */
const DEFAULT_STYLE: Readonly<Record<string, unknown>> = { isSubtle: false, fontType: 'Default', size: 'Default', weight: 'Default', color: 'Default' };

/** `node` without the text styles that restate the default: every byte counts under the card's size limit. */
function withoutDefaults(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutDefaults);
  if (typeof node !== 'object' || node === null) return node;
  const element = node as Record<string, unknown>;
  const isText = element.type === 'TextRun';
  return Object.fromEntries(Object.entries(element).filter(([key, value]) => !(isText && DEFAULT_STYLE[key] === value)).map(([key, value]) => [key, withoutDefaults(value)]));
}

/** The Adaptive Card (1.5) that shows a view. */
export function renderCard(view: View): AdaptiveCard {
  return withoutDefaults(literalCard(templateFor(view.name).expand({ $root: templateData(view) }) as AdaptiveCard)) as AdaptiveCard;
}
