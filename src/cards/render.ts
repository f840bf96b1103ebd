/**
 * Views → Adaptive Cards, expanded with adaptivecards-templating from the template of the same
 * name in the top-level `cards/` folder (`huntResult` → `cards/hunt-result.json`).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as ACData from 'adaptivecards-templating';
import { VERBS } from '../core/verbs';
import type { Tone, View } from '../core/views';

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

function templateFor(name: View['name']): ACData.Template {
  let template = templates.get(name);
  if (!template) {
    const file = path.join(CARDS_DIR, `${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}.json`);
    template = new ACData.Template(JSON.parse(readFileSync(file, 'utf8')));
    templates.set(name, template);
  }
  return template;
}

function templateData(view: View): object {
  switch (view.name) {
    case 'notice':
      return { ...view, color: TONE_COLOR[view.tone], usage: view.usage ?? [] };
    case 'escalation':
      return { ...view, kqlLines: view.kql.split('\n'), closeable: view.closeable === true, verbs: VERBS };
    default:
      return { ...view, verbs: VERBS };
  }
}

/**
 * Text that reads as markup to some card renderers: `<tool>` in a usage line, or a reason typed as
 * `<b>x</b>`, is dropped as an HTML tag by the Agents Playground's renderer. Angle brackets are
 * shown as the single guillemets that look like them.
 */
function plainText(text: string): string {
  return text.replace(/</g, '\u2039').replace(/>/g, '\u203a');
}

/** Makes every displayed text of a card plain (TextBlock texts, fact titles and values). */
function plain(node: unknown): void {
  if (Array.isArray(node)) {
    node.forEach(plain);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  const element = node as Record<string, unknown>;
  if (element.type === 'TextBlock' && typeof element.text === 'string') element.text = plainText(element.text);
  if (element.type === 'FactSet' && Array.isArray(element.facts)) {
    for (const fact of element.facts as Array<Record<string, unknown>>) {
      if (typeof fact.title === 'string') fact.title = plainText(fact.title);
      if (typeof fact.value === 'string') fact.value = plainText(fact.value);
    }
  }
  Object.values(element).forEach(plain);
}

/** The Adaptive Card (1.5) that shows a view. */
export function renderCard(view: View): AdaptiveCard {
  const card = templateFor(view.name).expand({ $root: templateData(view) }) as AdaptiveCard;
  plain(card);
  return card;
}
