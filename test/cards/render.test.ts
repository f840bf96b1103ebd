/**
 * Views → cards: every view is a valid, fully expanded Adaptive Card 1.5 under 28 KB (the tightest
 * limit Teams has, for webhook and Workflows posts) with its largest realistic data, every text is
 * a TextRun (literal), and the cards are laid out for a phone: rows with Details and an overflow
 * menu, the check card led by the device, the evidence card, the escalation card's evidence.
 */
import { readdirSync } from 'node:fs';
import { renderCard } from '../../src/cards/render';
import { CARDS_DIR } from '../../src/cards/render';
import { MAX_REPORT_IDS } from '../../src/core/presenters/escalation-views';
import { escalationView } from '../../src/core/presenters/escalation-views';
import { escalationPayload } from '../../src/core/payloads/outbox-payload';
import { SUMMARY_FACTS, evidenceFacts } from '../../src/core/payloads/evidence-facts';
import { VERBS } from '../../src/core/verbs';
import type { View } from '../../src/core/views';
import { cardSchemaErrors } from '../support/adaptive-card-schema';
import { blockText, cardRow, cardRows } from '../support/card-rows';
import { escalationFacts, largestEvidence, largestViews, row, subject } from './view-fixtures';

/** Webhook and Workflows posts stop near 28 KB: every card stays under it. */
const MAX_CARD_BYTES = 28 * 1024;

function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === 'object') return Object.values(value).flatMap(strings);
  return [];
}

/** Every node of a card, depth first. */
function nodes(value: unknown): any[] {
  if (Array.isArray(value)) return value.flatMap(nodes);
  if (!value || typeof value !== 'object') return [];
  return [value, ...Object.values(value).flatMap(nodes)];
}

/** The texts of a card's body, in order. */
function texts(card: any): string[] {
  return nodes(card.body)
    .filter((n) => n.type === 'RichTextBlock')
    .map(blockText);
}

const views = largestViews();
const named = (name: string): View => views.find(([n]) => n === name)![1];

describe('every card view', () => {
  test('covers every template in cards/', () => {
    const templates = readdirSync(CARDS_DIR).filter((f) => f.endsWith('.json')).map((f) => f.replace(/\.json$/, ''));
    const rendered = new Set(views.map(([, v]) => v.name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)));
    expect([...rendered].sort()).toEqual(templates.sort());
  });

  test.each(views)('%s: valid Adaptive Card 1.5, fully expanded, literal, under 28 KB at its largest', (_, view) => {
    const card = renderCard(view);
    expect(card.type).toBe('AdaptiveCard');
    expect(card.version).toBe('1.5');
    expect(cardSchemaErrors(card)).toEqual([]);
    expect(strings(card).filter((s) => s.includes('${') || s.includes('$include'))).toEqual([]);
    expect(nodes(card).filter((n) => n.type === 'TextBlock' || n.type === 'FactSet')).toEqual([]);
    expect(Buffer.byteLength(JSON.stringify(card))).toBeLessThan(MAX_CARD_BYTES);
  });

  test('the templates write no date function (every text is a TextRun, where Adaptive Cards define none)', () => {
    const templates = readdirSync(CARDS_DIR, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.json'));
    expect(templates.filter((f) => require('node:fs').readFileSync(`${CARDS_DIR}/${f}`, 'utf8').includes('{{'))).toEqual([]);
  });
});

describe('result rows', () => {
  const card = renderCard(named('result first page')) as any;
  const rows = cardRows(card);

  test('every row has Details, then Exclude and Escalate in the overflow menu while the decision allows, carrying only the hunt id and row key', () => {
    expect(rows).toHaveLength(10);
    expect(rows.map((r) => r.actions.map((a) => `${a.title}/${a.mode}`).join(' '))).toEqual(
      Array.from({ length: 10 }, (_, i) =>
        i % 3 === 0 ? 'Details/primary' : i % 3 === 1 ? 'Details/primary Exclude/secondary' : 'Details/primary Exclude/secondary Escalate/secondary',
      ),
    );
    const verbs = { Details: VERBS.details, Exclude: VERBS.exclude, Escalate: VERBS.escalate } as Record<string, string>;
    for (const [i, r] of rows.entries()) {
      for (const action of r.actions) expect(action).toMatchObject({ verb: verbs[action.title], data: { huntId: 'AbCdEfGhIjKl', row: String(i) } });
      for (const action of r.actions) expect(Object.keys(action.data).sort()).toEqual(['huntId', 'row']);
    }
  });

  test('a row reads at a glance: the host name, the domain beneath, events and relative times, the decision', () => {
    const [first, second, third] = rows;
    expect(third!.lines).toEqual(['ws-fin-0002-laptop', row(2).subtitle, '1,234,567 events · seen 14\u00a0d to 18\u00a0min ago']);
    expect(first!.lines[3]).toMatch(/^Excluded by Dr\. Maximiliane .+: IT admin workstation/);
    expect(second!.lines[3]).toBe('Escalated by Dr. Maximiliane Alexandra Featherstonehaugh-Cholmondeley (SOC Tier 3, EMEA) → incident 123456');
  });

  test('the header says what, where, how long and as of when; the page buttons and the portal link follow', () => {
    const text = texts(card);
    expect(text[0]).toBe('ConnectWise ScreenConnect network connections: 500 devices');
    expect(text[1]).toMatch(/^Last 14 days on ws-fin-0001-laptop\..+ · Log Analytics workspace 3f2a9c1e-0b7d-4a55-9e2f-6c1d8b7a9e01 · 123456 ms · as of 2026-11-29 18:00 UTC$/);
    expect(card.actions.map((a: any) => a.title)).toEqual(['Next', 'Open in Defender']);
  });

  test('the all-tools card titles each tool’s rows', () => {
    const grouped = renderCard(named('result grouped by tool, last page')) as any;
    const groups = grouped.body.filter((b: any) => b.type === 'Container' && cardRows({ body: [b] }).length > 0);
    expect(groups.map((g: any) => blockText(g.items[0]))).toHaveLength(5);
    expect(groups.map((g: any) => cardRows({ body: [g] }).length)).toEqual([2, 2, 2, 2, 2]);
  });

  test('data that looks like a template expression is shown as it is', () => {
    const view = named('result one row') as any;
    const hostile = renderCard({ ...view, header: { ...view.header, subject: '${verbs.exclude}' }, groups: [{ rows: [{ ...view.groups[0].rows[0], title: '${$root.huntId}' }] }] });
    expect(strings(hostile)).toContain('${$root.huntId}');
    expect(strings(hostile)).toContain('${verbs.exclude}: 1 device');
  });
});

describe('device check card', () => {
  const card = renderCard(named('device check')) as any;

  test('leads with the device, then one row per tool with its kinds of evidence, Details and the overflow menu', () => {
    const text = texts(card);
    expect(text.slice(0, 2)).toEqual([expect.stringMatching(/^ws-fin-0000-laptop\..+: 20 RMM tools$/), expect.stringMatching(/^Last 14 days · .+ · as of 2026-11-29 18:00 UTC$/)]);
    expect(text.slice(2, 4)).toEqual(['OS', expect.stringMatching(/^Windows11 /)]);
    const rows = cardRows(card);
    expect(rows).toHaveLength(10);
    expect(text).toContain('Page 1 of 2');
    expect(card.actions.map((a: any) => [a.title, a.data?.page])).toEqual([['Next', 2], ['Open in Defender', undefined]]);
    expect(rows[2]!.lines.slice(1, 2)).toEqual(['file signature, process, network']);
    expect(rows[2]!.actions.map((a) => a.title)).toEqual(['Details', 'Exclude', 'Escalate']);
    expect(rows.map((r) => r.lines.some((l) => l.startsWith('device id '))).every(Boolean)).toBe(true);
  });

  test('a device with nothing seen says so, and that the data has no report of it', () => {
    expect(texts(renderCard(named('device check, nothing')))).toEqual([
      'ws-1: no RMM tools',
      'Last 14 days · Log Analytics workspace 3f2a9c1e-0b7d-4a55-9e2f-6c1d8b7a9e01 · 1 ms · as of 2026-11-29 18:00 UTC',
      'No device report (DeviceInfo) for this name in the window.',
    ]);
  });
});

describe('evidence card', () => {
  const card = renderCard(named('evidence')) as any;
  const text = texts(card);

  test('the device, then where it talks to, its binaries, processes and connections, each capped with "and N more"', () => {
    for (const heading of ['Device', 'Talks to (10)', 'Binaries (1,000)', 'Processes (1,000)', 'Connections (1,000)']) expect(text).toContain(heading);
    expect(text.filter((t) => /^and \d[\d,]* more (binaries|processes|connections|instances)$/.test(t))).toEqual([
      'and 7 more instances',
      'and 997 more binaries',
      'and 997 more processes',
      'and 997 more connections',
    ]);
    expect(text.filter((t) => / and 999 more (paths|command lines)$/.test(t))).toHaveLength(6);
    expect(text).toContain('on 123,456 devices');
  });

  test('a 512-character command line is shown whole, as a monospace line', () => {
    const command = nodes(card).find((n) => n.type === 'TextRun' && n.fontType === 'Monospace' && n.text.startsWith('0"C:'));
    expect(command.text).toHaveLength(512);
  });

  test('Exclude and Escalate act on the stored Details run, as far as the decision allows', () => {
    expect(card.actions.map((a: any) => [a.title, a.verb, a.data])).toEqual([
      ['Exclude', VERBS.exclude, { huntId: 'AbCdEfGhIjKl', row: '0' }],
      ['Open in Defender', undefined, undefined],
    ]);
    expect(text).toContain('Escalated by Dr. Maximiliane Alexandra Featherstonehaugh-Cholmondeley (SOC Tier 3, EMEA) → incident 123456');
  });

  test('a rule that names no tool: the card says why there is no tool evidence', () => {
    const rule = texts(renderCard(named('evidence of a rule without a tool')));
    expect(rule).toEqual(expect.arrayContaining(['Talks to', 'No instance: the tool made no connection in the window.', 'Connections']));
  });
});

describe('escalation card', () => {
  test('carries the evidence summary, the first report ids and the query cut to fit', () => {
    const card = renderCard(named('escalation')) as any;
    const text = texts(card);
    expect(text).toEqual(expect.arrayContaining(['Evidence', 'Talks to (10)', `Binaries (1,000)`, 'and 998 more binaries']));
    const reports = text[text.indexOf('Reports') + 1]!;
    expect(reports.split(', ')).toHaveLength(MAX_REPORT_IDS);
    expect(reports).toMatch(/ and 480 more$/);
    expect(text.some((t) => /^and \d+ more lines of the query/.test(t))).toBe(true);
  });

  test('says why it has no evidence when there is none', () => {
    expect(texts(renderCard(named('escalation without evidence')))).toContain('The evidence was not ready in time: open Details on the finding for it.');
  });

  test('the query keeps its lines', () => {
    const card = renderCard(escalationView(escalationPayload({ ...escalationFacts(), evidence: { facts: evidenceFacts(largestEvidence(), SUMMARY_FACTS) } }))) as any;
    const query = nodes(card.body)
      .filter((b: any) => b.type === 'RichTextBlock' && b.inlines?.[0]?.fontType === 'Monospace')
      .map(blockText);
    expect(query.slice(-3)).toEqual(['DeviceFileCertificateInfo', "| where Signer has 'Kaseya'", '| take 1']);
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
    expect(inputs[1].choices.map((c: any) => c.title)).toEqual(["This tool's hunts", 'Every RMM tool']);
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

describe('plain text', () => {
  test('angle brackets are shown, not taken for markup, in usage lines and in what people type', () => {
    const card = renderCard({ name: 'notice', title: 'Usage of <b>hunt</b>', text: 'reason "<script>alert(1)</script>"', tone: 'warning', usage: ['hunt <tool> [window]'] });
    const text = strings(card).join('\n');
    expect(text).not.toMatch(/[<>]/);
    expect(text).toContain('hunt ‹tool› [window]');
    expect(text).toContain('Usage of ‹b›hunt‹/b›');
  });

  test('a date function in telemetry stays text', () => {
    const card = renderCard({ ...(named('result one row') as any), groups: [{ rows: [{ ...row(2), title: '{{DATE(2026-01-01T00:00:00Z, SHORT)}}' }] }] });
    expect(cardRow(card, '{{DATE').title).toBe('{{DATE\u2060(2026-01-01T00:00:00Z, SHORT)}}');
  });
});

describe('failed hunt card', () => {
  const header = { subject: 'Kaseya', windowText: '5 days', source: 'sample data' };

  test('says the data is still loading, as a warning, when it is', () => {
    const card: any = renderCard({ name: 'huntFailed', header, failure: 'loading', message: 'The local data is still loading.' });
    expect(texts(card)[0]).toBe('Kaseya: the data is still loading');
    expect(nodes(card.body[0]).find((n) => n.type === 'TextRun')).toMatchObject({ color: 'Warning' });
    const failed: any = renderCard({ name: 'huntFailed', header, failure: 'timeout', message: 'm' });
    expect(texts(failed)[0]).toBe('Kaseya: the hunt failed');
    expect(nodes(failed.body[0]).find((n) => n.type === 'TextRun')).toMatchObject({ color: 'Attention' });
  });
});

describe("sanction marks and a watch's post", () => {
  const post = renderCard(named("a watch's post of new devices, each with a sanction mark")) as any;

  test('a mark is a line of its row, coloured by its tone, naming three instances and counting the rest', () => {
    const rows = cardRows(post);
    expect(rows).toHaveLength(10);
    const marked = rows[0]!;
    const mark = marked.lines.find((l) => l.startsWith('Unsanctioned instance: '))!;
    expect(mark).toMatch(/^Unsanctioned instance: [^,]+, [^,]+, [^,]+ and 47 more$/);
    const run = nodes(marked.json).find((n) => n.type === 'TextRun' && n.text === mark);
    expect(run).toMatchObject({ color: 'Attention' });
    expect(rows[1]!.lines.some((l) => l.startsWith('Unsanctioned'))).toBe(false);
    expect(marked.actions.map((a) => a.title)).toEqual(['Details', 'Exclude', 'Escalate']);
  });

  test('a title replaces the device count line, the rows count from when the run found them, and no query time is shown', () => {
    const text = texts(post);
    expect(text[0]).toBe('ConnectWise ScreenConnect network connections: 500 new devices (250 talk to an unsanctioned instance).');
    expect(text.join('\n')).not.toMatch(/\d ms\b/);
    expect(text.join('\n')).toContain('as of 2026-11-29 18:00 UTC');
    expect(cardRows(post)[0]!.lines).toContain('1,234,567 events · seen 14\u00a0d to 18\u00a0min ago');
  });

  test('each watch has Stop carrying only its number and the page', () => {
    const card = renderCard({
      name: 'watches',
      watches: [{ id: 7, subject: 'Kaseya', hunt: 'kaseya 5d', every: '1 hour', where: 'here', by: 'Ada', createdAt: '2026-11-01T10:00:00Z', lastResultTone: 'default', nextRun: '2026-11-01T10:00:00Z' }],
      page: 1,
      pageCount: 1,
      total: 1,
      notes: [],
    });
    const stops = nodes(card).filter((n) => n.title === 'Stop');
    expect(stops.map((a) => [a.verb, a.associatedInputs, a.data])).toEqual([[VERBS.unwatch, 'none', { watchId: 7, page: 1 }]]);
  });
});
