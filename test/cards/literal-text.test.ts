/**
 * Untrusted text is literal on every card. Every view, with every string it shows replaced by
 * hostile markup (a link, emphasis, code, an image, a mention, HTML, a heading, lists, a quote), is
 * rendered by the `adaptivecards` renderer in Chromium with markdown processing on — as Teams
 * processes markdown in TextBlocks — and the page must hold no link, emphasis, list, heading, image
 * or code element, while each hostile string shown reads back exactly as written (angle brackets
 * drawn as ‹ ›, see `src/cards/render.ts`).
 */
import { renderCard } from '../../src/cards/render';
import { CardRenderer } from '../support/card-renderer';
import { hostileView, largestViews } from './view-fixtures';

jest.setTimeout(120_000);

/** Elements markdown (or HTML) would have produced from the hostile strings. */
const MARKUP_ELEMENTS = 'a, strong, em, b, i, u, s, del, code, pre, img, ul, ol, li, h1, h2, h3, h4, h5, h6, blockquote, hr';

/** How the card is expected to show a hostile string: as written, with angle brackets as guillemets. */
function shown(text: string): string {
  return text.replace(/</g, '\u2039').replace(/>/g, '\u203a');
}

/**
 * Without white space: a button or a drop-down shows a line break as a space, and a token too long
 * for a line is continued on the next (`continuationLines`); what is compared is every other character.
 */
function spaces(text: string): string {
  return text.replace(/\s+/g, '');
}

let renderer: CardRenderer;

beforeAll(async () => {
  renderer = await CardRenderer.open();
});

afterAll(async () => {
  await renderer?.close();
});

describe('hostile markup in every displayed string of every view', () => {
  const views = largestViews().map(([name, view]) => [name, hostileView(view)] as const);

  test.each(views)('%s: no markup survives, and what is shown reads back literally', async (_, { view, texts }) => {
    const { card, warnings } = await renderer.render(renderCard(view));
    expect(warnings).toEqual([]);
    const markup = await card.locator(MARKUP_ELEMENTS).evaluateAll((elements) => elements.map((e) => (e as unknown as { outerHTML: string }).outerHTML.slice(0, 120)));
    expect(markup).toEqual([]);

    const text = spaces(await card.innerText());
    const markers = texts.map((_t, n) => `⟦${n}⟧`).filter((marker) => text.includes(marker));
    if (texts.length > 0) expect(markers.length).toBeGreaterThan(0);
    const mangled = texts.filter((t, n) => text.includes(`⟦${n}⟧`) && !text.includes(spaces(shown(t))));
    expect(mangled).toEqual([]);
  });

  test('the page asked for nothing beyond this machine', () => {
    expect(renderer.blockedRequests).toEqual([]);
  });
});
