/**
 * Adaptive Cards as a client draws them: the `adaptivecards` npm renderer (the reference HTML
 * renderer Microsoft publishes) in Debian's Chromium, at a given width, with markdown processing on
 * (markdown-it, the processor the renderer's documentation names), as Teams processes markdown in a
 * TextBlock. The page is built from local files only and every non-loopback request is blocked
 * (`launchChromium`), so nothing here depends on the network.
 *
 * Used to prove that untrusted text stays literal on every card (no link, emphasis, list or heading
 * survives rendering) and to take phone-width screenshots of the cards.
 */
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { launchChromium, type ChromiumSession } from './chromium';

const AC_DIST = path.dirname(require.resolve('adaptivecards/dist/adaptivecards.min.js'));
const MARKDOWN_IT = path.join(path.dirname(require.resolve('markdown-it')), 'browser', 'markdown-it.umd.min.js');

/** Teams' phone width, more or less: the narrowest a card is drawn. */
export const PHONE_WIDTH = 360;

/**
 * A host configuration close to Teams' light theme (fonts, sizes, spacing, horizontal actions that
 * overflow into a "…" menu): what matters here is the width text gets, not the exact pixels.
 */
export const TEAMS_LIKE_HOST_CONFIG = {
  supportsInteractivity: true,
  fontFamily: "'Segoe UI', system-ui, 'DejaVu Sans', sans-serif",
  spacing: { small: 4, default: 8, medium: 12, large: 16, extraLarge: 20, padding: 16 },
  separator: { lineThickness: 1, lineColor: '#E1DFDD' },
  fontSizes: { small: 12, default: 14, medium: 16, large: 18, extraLarge: 24 },
  fontWeights: { lighter: 300, default: 400, bolder: 600 },
  containerStyles: {
    default: {
      backgroundColor: '#FFFFFF',
      foregroundColors: {
        default: { default: '#242424', subtle: '#616161' },
        accent: { default: '#5B5FC7', subtle: '#5B5FC7' },
        good: { default: '#0E700E', subtle: '#0E700E' },
        warning: { default: '#8A3707', subtle: '#8A3707' },
        attention: { default: '#C4314B', subtle: '#C4314B' },
      },
    },
    emphasis: {
      backgroundColor: '#F5F5F5',
      foregroundColors: {
        default: { default: '#242424', subtle: '#616161' },
        accent: { default: '#5B5FC7', subtle: '#5B5FC7' },
        good: { default: '#0E700E', subtle: '#0E700E' },
        warning: { default: '#8A3707', subtle: '#8A3707' },
        attention: { default: '#C4314B', subtle: '#C4314B' },
      },
    },
  },
  actions: {
    maxActions: 6,
    spacing: 'default',
    buttonSpacing: 8,
    showCard: { actionMode: 'inline', inlineTopMargin: 8 },
    actionsOrientation: 'horizontal',
    actionAlignment: 'left',
  },
  adaptiveCard: { allowCustomStyle: true },
  imageSizes: { small: 32, medium: 52, large: 100 },
  factSet: {
    title: { weight: 'bolder', size: 'default', color: 'default', isSubtle: false, wrap: true, maxWidth: 150 },
    value: { weight: 'default', size: 'default', color: 'default', isSubtle: false, wrap: true },
    spacing: 8,
  },
} as const;

/** What rendering a card produced. */
export interface RenderedCard {
  /** The rendered card's root element. */
  readonly card: Locator;
  /** What the renderer reported while parsing (unknown elements, bad values), if anything. */
  readonly warnings: readonly string[];
}

/** A Chromium page that renders card JSON with the `adaptivecards` renderer. */
export class CardRenderer {
  private constructor(
    private readonly session: ChromiumSession,
    /** The page cards are drawn on. */
    readonly page: Page,
  ) {}

  /** Launches Chromium with a page `width` pixels wide (default {@link PHONE_WIDTH}) ready to render cards. */
  static async open(options: { width?: number } = {}): Promise<CardRenderer> {
    const width = options.width ?? PHONE_WIDTH;
    const session = await launchChromium({ viewport: { width, height: 900 } });
    try {
      const page = await session.context.newPage();
      await page.setContent(`<!doctype html><html><head><meta charset="utf-8"><style>body{margin:0;background:#fff}#host{width:${width}px}</style></head><body><div id="host"></div></body></html>`);
      await page.addStyleTag({ path: path.join(AC_DIST, 'adaptivecards.css') });
      await page.addScriptTag({ path: MARKDOWN_IT });
      await page.addScriptTag({ path: path.join(AC_DIST, 'adaptivecards.min.js') });
      await page.evaluate(() => {
        const w = globalThis as unknown as {
          AdaptiveCards: { AdaptiveCard: { onProcessMarkdown?: (text: string, result: { outputHtml?: string; didProcess: boolean }) => void } };
          markdownit: () => { render(text: string): string };
        };
        const markdown = w.markdownit();
        w.AdaptiveCards.AdaptiveCard.onProcessMarkdown = (text, result) => {
          result.outputHtml = markdown.render(text);
          result.didProcess = true;
        };
      });
      return new CardRenderer(session, page);
    } catch (error) {
      await session.close();
      throw error;
    }
  }

  /** Requests the page tried to make beyond loopback (none expected: everything is inline). */
  get blockedRequests(): readonly string[] {
    return this.session.blockedRequests;
  }

  /** Renders `card` (replacing the previous one) and returns it with the renderer's parse warnings. */
  async render(card: unknown, hostConfig: unknown = TEAMS_LIKE_HOST_CONFIG): Promise<RenderedCard> {
    const warnings = await this.page.evaluate(
      ({ json, config }) => {
        type Events = { eventCount: number; getEventAt(i: number): { message: string } };
        type Host = { replaceChildren(): void; appendChild(child: unknown): void };
        const page = globalThis as unknown as { AdaptiveCards: any; document: { getElementById(id: string): Host } };
        const AC = page.AdaptiveCards;
        const adaptiveCard = new AC.AdaptiveCard();
        adaptiveCard.hostConfig = new AC.HostConfig(config);
        const context: Events = new AC.SerializationContext();
        adaptiveCard.parse(json, context);
        const host = page.document.getElementById('host');
        host.replaceChildren();
        const element: unknown = adaptiveCard.render();
        if (element) host.appendChild(element);
        return Array.from({ length: context.eventCount }, (_, i) => context.getEventAt(i).message);
      },
      { json: card as object, config: hostConfig as object },
    );
    return { card: this.page.locator('#host > .ac-adaptiveCard'), warnings };
  }

  /**
   * Words the card cuts: every run of non-space characters of every text that is broken across
   * lines although it would fit on one, at a place that is not right after a hyphen, a slash or a
   * backslash (where typography allows a line to end: `ws-` / `fin-014` is a break, `Coun` / `t` a
   * cut). A word wider than its text's box (a long path or hash) cannot help breaking and is not
   * counted. Empty when nothing is cut mid-word.
   */
  async brokenWords(card: RenderedCard['card']): Promise<string[]> {
    return card.evaluate((root) => {
      type Rect = { top: number; width: number };
      type Node = { nodeType: number; textContent: string | null; parentElement: { getBoundingClientRect(): Rect } | null };
      const doc = (globalThis as unknown as { document: any }).document;
      const walker = doc.createTreeWalker(root, 4);
      const cut: string[] = [];
      const topOf = (node: Node, at: number): number | undefined => {
        const range = doc.createRange();
        range.setStart(node, at);
        range.setEnd(node, at + 1);
        const rect = Array.from(range.getClientRects() as Rect[]).find((r) => r.width > 0);
        return rect === undefined ? undefined : Math.round(rect.top);
      };
      for (let node: Node | null = walker.nextNode(); node; node = walker.nextNode()) {
        const text = node.textContent ?? '';
        const box = node.parentElement?.getBoundingClientRect().width ?? 0;
        for (const match of text.matchAll(/\S+/g)) {
          const range = doc.createRange();
          range.setStart(node, match.index!);
          range.setEnd(node, match.index! + match[0].length);
          const width = Array.from(range.getClientRects() as Rect[]).reduce((sum, r) => sum + r.width, 0);
          if (width > box) continue;
          let previous = topOf(node, match.index!);
          for (let i = 1; i < match[0].length; i += 1) {
            const top = topOf(node, match.index! + i);
            if (top !== undefined && previous !== undefined && top > previous && !/[-/\\]/.test(match[0][i - 1]!)) cut.push(match[0]);
            if (top !== undefined) previous = top;
          }
        }
      }
      return cut;
    });
  }

  /** Texts the card clips (wider than their box, and cut off). */
  async clippedTexts(card: RenderedCard['card']): Promise<string[]> {
    return card.locator('.ac-richTextBlock, .ac-textBlock').evaluateAll((elements) =>
      (elements as unknown as Array<{ scrollWidth: number; clientWidth: number; textContent: string | null }>)
        .filter((e) => e.scrollWidth > e.clientWidth + 1)
        .map((e) => (e.textContent ?? '').slice(0, 80)),
    );
  }

  /** How much wider than the page the card's content is (0 when nothing overflows). */
  async overflow(card: RenderedCard['card']): Promise<number> {
    return card.evaluate((root) => {
      const element = root as unknown as { scrollWidth: number; clientWidth: number };
      return Math.max(0, element.scrollWidth - element.clientWidth);
    });
  }

  /** Closes the browser. */
  async close(): Promise<void> {
    await this.session.close();
  }
}
