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
    default:
      return { ...view, verbs: VERBS };
  }
}

/** The Adaptive Card (1.5) that shows a view. */
export function renderCard(view: View): AdaptiveCard {
  return templateFor(view.name).expand({ $root: templateData(view) }) as AdaptiveCard;
}
