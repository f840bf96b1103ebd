import { readdirSync } from 'node:fs';
import { toolsView } from '../../src/core/commands';
import { createCommands } from '../../src/core/commands';
import { HUNT_PAGE_SIZE } from '../../src/core/hunt-service';
import { VERBS } from '../../src/core/verbs';
import type { FindingRow, HuntHeader, View } from '../../src/core/views';
import { CARDS_DIR, renderCard } from '../../src/cards/render';
import { loadCatalog } from '../../src/hunt/catalog';
import { cardSchemaErrors } from '../support/adaptive-card-schema';

const MAX_CARD_BYTES = 40 * 1024;

const header: HuntHeader = {
  toolName: 'ConnectWise ScreenConnect',
  windowText: '1 day 23 hours 59 minutes',
  device: 'ws-fin-0142-laptop-with-a-long-name.emea.corp.contoso-holdings.com',
  source: 'Log Analytics workspace 3f2a9c1e-0b7d-4a55-9e2f-6c1d8b7a9e01 (emea)',
};

function row(i: number): FindingRow {
  return {
    key: String(i),
    deviceId: 'f'.repeat(40),
    deviceName: `ws-fin-${String(i).padStart(4, '0')}-laptop-with-a-long-name.emea.corp.contoso-holdings.com`,
    firstSeen: '2026-11-24T08:15:00Z',
    lastSeen: '2026-11-29T17:42:00Z',
    count: 1_234_567,
  };
}

/** Every view the bot produces, with the largest realistic data. */
function allViews(): Array<[string, View]> {
  const catalog = loadCatalog();
  const rows = Array.from({ length: HUNT_PAGE_SIZE }, (_, i) => row(i));
  const views: Array<[string, View]> = [
    ['notice', { name: 'notice', title: 'x'.repeat(200), text: 'y'.repeat(2000), tone: 'warning', usage: ['hunt <tool> [window] [device <name>]', 'tools [page]'] }],
    ['notice without usage', { name: 'notice', title: 'Done', text: '', tone: 'good' }],
    ['progress', { name: 'huntProgress', header, state: 'running' }],
    ['progress queued', { name: 'huntProgress', header, state: 'queued' }],
    [
      'result first page',
      { name: 'huntResult', huntId: 'AbCdEfGhIjKl', header, deviceCount: 500, queryMs: 123_456, rows, page: 1, pageCount: 50, banner: { text: 'z'.repeat(500), tone: 'warning' } },
    ],
    ['result middle page', { name: 'huntResult', huntId: 'AbCdEfGhIjKl', header, deviceCount: 500, queryMs: 5, rows, page: 25, pageCount: 50 }],
    ['result last page', { name: 'huntResult', huntId: 'AbCdEfGhIjKl', header, deviceCount: 500, queryMs: 5, rows, page: 50, pageCount: 50 }],
    ['result one row', { name: 'huntResult', huntId: 'AbCdEfGhIjKl', header: { ...header, device: undefined } as HuntHeader, deviceCount: 1, queryMs: 5, rows: rows.slice(0, 1), page: 1, pageCount: 1 }],
    ['empty', { name: 'huntEmpty', header, queryMs: 42 }],
    ['failed', { name: 'huntFailed', header, failure: 'throttled', message: 'm'.repeat(1000) }],
  ];
  const pageCount = toolsView(catalog, 1).pageCount;
  for (let page = 1; page <= pageCount; page += 1) views.push([`tools page ${page}`, toolsView(catalog, page)]);
  const help = createCommands({ catalog, backend: {} as never, hunts: {} as never }).find((c) => c.name === 'help')!;
  const reply = help.run([], { caller: { id: 'u', name: 'u' }, conversation: { id: 'c', kind: 'personal' } });
  if ('view' in reply) views.push(['help', reply.view]);
  return views;
}

function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === 'object') return Object.values(value).flatMap(strings);
  return [];
}

describe('every card view', () => {
  const views = allViews();

  test('covers every template in cards/', () => {
    const templates = readdirSync(CARDS_DIR).filter((f) => f.endsWith('.json')).map((f) => f.replace(/\.json$/, ''));
    const rendered = new Set(views.map(([, v]) => v.name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)));
    expect([...rendered].sort()).toEqual(templates.sort());
  });

  test.each(views)('%s: valid Adaptive Card 1.5, fully expanded, under 40 KB', (_, view) => {
    const card = renderCard(view);
    expect(card.type).toBe('AdaptiveCard');
    expect(card.version).toBe('1.5');
    expect(cardSchemaErrors(card)).toEqual([]);
    expect(strings(card).filter((s) => s.includes('${'))).toEqual([]);
    expect(Buffer.byteLength(JSON.stringify(card))).toBeLessThan(MAX_CARD_BYTES);
  });
});

describe('hunt result card', () => {
  const rows = [row(0), row(1)];
  const card = renderCard({ name: 'huntResult', huntId: 'AbCdEfGhIjKl', header, deviceCount: 12, queryMs: 7, rows, page: 1, pageCount: 2 });
  const executes = JSON.stringify(card);

  test('each device has Exclude and Escalate carrying only the hunt id and row key', () => {
    const actions = [...executes.matchAll(/\{"type":"Action\.Execute","title":"(\w+)","verb":"(\w+)","associatedInputs":"none","data":(\{[^}]*\})\}/g)].map((m) => ({
      title: m[1],
      verb: m[2],
      data: JSON.parse(m[3]!),
    }));
    expect(actions).toEqual([
      { title: 'Exclude', verb: VERBS.exclude, data: { huntId: 'AbCdEfGhIjKl', key: '0' } },
      { title: 'Escalate', verb: VERBS.escalate, data: { huntId: 'AbCdEfGhIjKl', key: '0' } },
      { title: 'Exclude', verb: VERBS.exclude, data: { huntId: 'AbCdEfGhIjKl', key: '1' } },
      { title: 'Escalate', verb: VERBS.escalate, data: { huntId: 'AbCdEfGhIjKl', key: '1' } },
      { title: 'Next', verb: VERBS.huntPage, data: { huntId: 'AbCdEfGhIjKl', page: 2 } },
    ]);
  });

  test('shows tool, window, source, device count and query time', () => {
    const text = strings(card).join('\n');
    expect(text).toContain('ConnectWise ScreenConnect: 12 devices');
    expect(text).toContain('last 1 day 23 hours 59 minutes');
    expect(text).toContain(header.source);
    expect(text).toContain('7 ms');
    expect(text).toContain(rows[0]!.deviceName);
  });

  test('data that looks like a template expression is shown as it is', () => {
    const hostile = renderCard({
      name: 'huntResult',
      huntId: 'AbCdEfGhIjKl',
      header: { ...header, toolName: '${verbs.exclude}' },
      deviceCount: 1,
      queryMs: 1,
      rows: [{ ...row(0), deviceName: '${$root.huntId}' }],
      page: 1,
      pageCount: 1,
    });
    const text = strings(hostile);
    expect(text).toContain('${$root.huntId}');
    expect(text).toContain('${verbs.exclude}: 1 device');
  });
});
