import { readdirSync } from 'node:fs';
import { VERBS } from '../../src/core/verbs';
import { CARDS_DIR, renderCard } from '../../src/cards/render';
import { cardSchemaErrors } from '../support/adaptive-card-schema';
import { header, largestViews, row, subject } from './view-fixtures';

const MAX_CARD_BYTES = 40 * 1024;

/** The first device table of a result card. */
function tableOf(card: any): any {
  return card.body.find((b: any) => b.type === 'Container' && b.items?.some((i: any) => i.type === 'Table')).items.find((i: any) => i.type === 'Table');
}

/** The text a RichTextBlock shows (its runs, joined). */
function textOf(block: any): string {
  return (block.inlines ?? []).map((run: any) => run.text).join('');
}

function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === 'object') return Object.values(value).flatMap(strings);
  return [];
}

describe('every card view', () => {
  const views = largestViews();

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
  const card = renderCard({ name: 'huntResult', huntId: 'AbCdEfGhIjKl', header, deviceCount: 12, queryMs: 7, groups: [{ rows }], page: 1, pageCount: 2, notes: [] });
  const executes = JSON.stringify(card);

  test('each device has Exclude and Escalate carrying only the hunt id and row key', () => {
    const actions = [...executes.matchAll(/\{"type":"Action\.Execute","title":"(\w+)","verb":"(\w+)","associatedInputs":"none","data":(\{[^}]*\})\}/g)].map((m) => ({
      title: m[1],
      verb: m[2],
      data: JSON.parse(m[3]!),
    }));
    expect(actions).toEqual([
      { title: 'Exclude', verb: VERBS.exclude, data: { huntId: 'AbCdEfGhIjKl', row: '0' } },
      { title: 'Escalate', verb: VERBS.escalate, data: { huntId: 'AbCdEfGhIjKl', row: '0' } },
      { title: 'Exclude', verb: VERBS.exclude, data: { huntId: 'AbCdEfGhIjKl', row: '1' } },
      { title: 'Escalate', verb: VERBS.escalate, data: { huntId: 'AbCdEfGhIjKl', row: '1' } },
      { title: 'Next', verb: VERBS.huntPage, data: { huntId: 'AbCdEfGhIjKl', page: 2 } },
    ]);
  });

  test('shows tool, window, source, device count and query time', () => {
    const text = strings(card).join('\n');
    expect(text).toContain('ConnectWise ScreenConnect network connections: 12 devices');
    expect(text).toContain('last 1 day 23 hours 59 minutes');
    expect(text).toContain(header.source);
    expect(text).toContain('7 ms');
    expect(text).toContain(rows[0]!.deviceName);
  });

  test('data that looks like a template expression is shown as it is', () => {
    const hostile = renderCard({
      name: 'huntResult',
      huntId: 'AbCdEfGhIjKl',
      header: { ...header, subject: '${verbs.exclude}' },
      deviceCount: 1,
      queryMs: 1,
      groups: [{ rows: [{ ...row(0), deviceName: '${$root.huntId}' }] }],
      page: 1,
      pageCount: 1,
      notes: [],
    });
    const text = strings(hostile);
    expect(text).toContain('${$root.huntId}');
    expect(text).toContain('${verbs.exclude}: 1 device');
  });
});

describe('row states', () => {
  const card = renderCard({
    name: 'huntResult',
    huntId: 'AbCdEfGhIjKl',
    header,
    deviceCount: 3,
    queryMs: 7,
    groups: [{ rows: [row(0, { kind: 'excluded', text: 'Excluded by Ada: IT admin' }), row(1, { kind: 'escalated', text: 'Escalated by Ada → incident 3' }), row(2)] }],
    page: 1,
    pageCount: 1,
    notes: [],
  });
  const titlesOf = (i: number) => [...JSON.stringify(tableOf(card).rows[i + 1]).matchAll(/"title":"(\w+)"/g)].map((m) => m[1]);

  test('an excluded row shows who and why, and has no buttons', () => {
    expect(titlesOf(0)).toEqual([]);
    expect(JSON.stringify(card)).toContain('Excluded by Ada: IT admin');
  });

  test('an escalated row shows the incident and keeps Exclude only', () => {
    expect(titlesOf(1)).toEqual(['Exclude']);
    expect(JSON.stringify(card)).toContain('Escalated by Ada → incident 3');
  });

  test('an undecided row has both buttons', () => {
    expect(titlesOf(2)).toEqual(['Exclude', 'Escalate']);
  });
});

describe('forms', () => {
  test('the exclude form asks for a required reason, a scope and an expiry, and submits with its inputs', () => {
    const card = renderCard({ name: 'excludeForm', subject }) as any;
    const inputs = card.body.filter((b: any) => b.type.startsWith('Input.'));
    expect(inputs.map((i: any) => [i.id, i.isRequired ?? false])).toEqual([
      ['reason', true],
      ['scope', true],
      ['expiry', true],
    ]);
    expect(inputs[2].choices.map((c: any) => c.value)).toEqual(['7', '30', '90', 'never']);
    const submit = card.actions.find((a: any) => a.title === 'Exclude');
    expect(submit).toMatchObject({ verb: VERBS.excludeSubmit, associatedInputs: 'auto', data: { huntId: subject.huntId, row: subject.row } });
  });

  test('the escalate form lists the open incidents after a new one', () => {
    const card = renderCard({ name: 'escalateForm', subject, incidents: [{ number: 3, title: 'Kaseya on ws-1' }], defaultTitle: 'x' }) as any;
    const incident = card.body.find((b: any) => b.id === 'incident');
    expect(incident.choices).toEqual([
      { title: 'A new incident', value: 'new' },
      { title: 'Incident 3: Kaseya on ws-1', value: '3' },
    ]);
  });
});

describe('grouped results', () => {
  test('the all-tools card has one titled table per tool, in order', () => {
    const card = renderCard({
      name: 'huntResult',
      huntId: 'AbCdEfGhIjKl',
      header: { ...header, subject: 'All RMM tools' },
      deviceCount: 3,
      queryMs: 7,
      groups: [
        { title: 'AnyDesk', rows: [row(0)] },
        { title: 'Kaseya', rows: [row(1), row(2)] },
      ],
      page: 1,
      pageCount: 1,
      notes: [],
    }) as any;
    const groups = card.body.filter((b: any) => b.type === 'Container' && b.items?.some((i: any) => i.type === 'Table'));
    expect(groups.map((g: any) => textOf(g.items[0]))).toEqual(['AnyDesk', 'Kaseya']);
    expect(groups.map((g: any) => g.items.find((i: any) => i.type === 'Table').rows.length - 1)).toEqual([1, 2]);
  });

  test('a portal link is a button that opens the query', () => {
    const card = renderCard({ name: 'huntEmpty', header, queryMs: 1, notes: [], portal: { title: 'Open in Defender', url: 'https://security.microsoft.com/v2/advanced-hunting?query=abc' } }) as any;
    expect(card.actions).toEqual([{ type: 'Action.OpenUrl', title: 'Open in Defender', url: 'https://security.microsoft.com/v2/advanced-hunting?query=abc' }]);
  });
});

describe('plain text', () => {
  test('angle brackets are shown, not taken for markup, in usage lines and in what people type', () => {
    const card = renderCard({ name: 'notice', title: 'Usage of <b>hunt</b>', text: 'reason "<script>alert(1)</script>"', tone: 'warning', usage: ['hunt <tool> [window]'] });
    const text = strings(card).join('\n');
    expect(text).not.toMatch(/[<>]/);
    expect(text).toContain('hunt ‹tool› [window]');
    expect(text).toContain('Usage of ‹b›hunt‹/b›');
  });
});

describe('escalation card', () => {
  test('the query keeps its lines', () => {
    const card = renderCard({
      name: 'escalation',
      incident: { number: 1, title: 't' },
      deviceName: 'ws-1',
      deviceId: 'd',
      toolName: 'Kaseya',
      windowText: '5 days',
      firstSeen: '2026-11-24T08:15:00Z',
      lastSeen: '2026-11-29T17:42:00Z',
      count: 1,
      reportIds: [],
      kql: 'DeviceFileCertificateInfo\n| where Signer has \'Kaseya\'\n| take 1',
      source: 'sample data',
      by: 'Ada',
      note: '',
      at: '2026-11-29T18:00:00Z',
    }) as any;
    const query = card.body.filter((b: any) => b.inlines?.[0]?.fontType === 'Monospace').map(textOf);
    expect(query).toEqual(['DeviceFileCertificateInfo', "| where Signer has 'Kaseya'", '| take 1']);
  });
});
