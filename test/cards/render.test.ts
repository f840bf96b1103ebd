import { readdirSync } from 'node:fs';
import { AUDIT_MAX, catalogPage, RULES_PAGE_SIZE } from '../../src/core/routes/listing-routes';
import { SANCTIONS_PAGE_SIZE } from '../../src/core/routes/sanction-routes';
import { WATCHES_PAGE_SIZE } from '../../src/core/routes/watch-routes';
import { toolsView, WINDOW_HELP } from '../../src/core/presenters/listing-views';
import { EXCLUSIONS_PAGE_SIZE, MAX_REASON } from '../../src/core/exclusions';
import { MAX_NOTE, MAX_TITLE } from '../../src/core/escalations';
import { MAX_CHECK_TOOLS } from '../../src/core/device-check';
import { HUNT_PAGE_SIZE } from '../../src/core/hunt-service';
import { VERBS } from '../../src/core/verbs';
import type { FindingRow, HuntHeader, View } from '../../src/core/views';
import { CARDS_DIR, renderCard } from '../../src/cards/render';
import { loadCatalog } from '../../src/hunt/catalog';
import { cardSchemaErrors } from '../support/adaptive-card-schema';
import { INCIDENTS_PAGE_SIZE, MAX_CLOSE_NOTE } from '../../src/core/routes/incident-routes';
import { SYNC_LINES } from '../../src/core/presenters/sync-views';
import { CLOSE_REASONS } from '../../src/sentinel/close-reasons';

const MAX_CARD_BYTES = 40 * 1024;

const header: HuntHeader = {
  subject: 'ConnectWise ScreenConnect network connections',
  windowText: '1 day 23 hours 59 minutes',
  device: 'ws-fin-0142-laptop-with-a-long-name.emea.corp.contoso-holdings.com',
  source: 'Log Analytics workspace 3f2a9c1e-0b7d-4a55-9e2f-6c1d8b7a9e01 (emea)',
};

function row(i: number, state?: FindingRow['state']): FindingRow {
  return {
    row: String(i),
    deviceId: 'f'.repeat(40),
    deviceName: `ws-fin-${String(i).padStart(4, '0')}-laptop-with-a-long-name.emea.corp.contoso-holdings.com`,
    firstSeen: '2026-11-24T08:15:00Z',
    lastSeen: '2026-11-29T17:42:00Z',
    count: 1_234_567,
    ...(state ? { state } : {}),
  };
}

const longName = 'Dr. Maximiliane Alexandra Featherstonehaugh-Cholmondeley (SOC Tier 3, EMEA)';
const subject = { huntId: 'AbCdEfGhIjKl', row: '9', deviceName: row(9).deviceName, toolName: 'ConnectWise ScreenConnect', page: 1 };
const kql = `let Time_start = now(-14d);\nlet Time_end = now();\nDeviceFileCertificateInfo\n| where Timestamp between (Time_start..Time_end)\n| where Signer has_any (${Array.from({ length: 40 }, (_, i) => `'Signer number ${i} Corporation'`).join(', ')})\n| summarize FirstSeen=min(Timestamp), LastSeen=max(Timestamp), Report=make_set(ReportId), Count=count() by DeviceId, DeviceName`;

/** Every view the bot produces, with the largest realistic data. */
function allViews(): Array<[string, View]> {
  const catalog = loadCatalog();
  const rows = Array.from({ length: HUNT_PAGE_SIZE }, (_, i) =>
    row(i, i % 3 === 0 ? { kind: 'excluded', text: `Excluded by ${longName}: ${'r'.repeat(MAX_REASON)}` } : i % 3 === 1 ? { kind: 'escalated', text: `Escalated by ${longName} → incident 123456` } : undefined),
  );
  const views: Array<[string, View]> = [
    ['notice', { name: 'notice', title: 'x'.repeat(200), text: 'y'.repeat(2000), tone: 'warning', usage: ['hunt <tool> [window] [device <name>]', 'tools [page]'] }],
    ['notice without usage', { name: 'notice', title: 'Done', text: '', tone: 'good' }],
    ['progress', { name: 'huntProgress', header, state: 'running' }],
    ['progress queued', { name: 'huntProgress', header, state: 'queued' }],
    [
      'result first page',
      {
        name: 'huntResult',
        huntId: 'AbCdEfGhIjKl',
        header,
        deviceCount: 500,
        queryMs: 123_456,
        groups: [{ rows }],
        page: 1,
        pageCount: 50,
        notes: [
          { text: 'z'.repeat(500), tone: 'good' },
          { text: `Partial result: ${'p'.repeat(400)}`, tone: 'warning' },
          { text: 'Showing the 500 devices seen most recently of 123,456 devices found; narrow the window or name a device for the rest.', tone: 'warning' },
          { text: '12 devices are hidden by exclusions (type exclusions to see them).', tone: 'default' },
        ],
        portal: { title: 'Open in Defender', url: `https://security.microsoft.com/v2/advanced-hunting?query=${'A'.repeat(2000)}&timeRangeId=week` },
      },
    ],
    ['result middle page', { name: 'huntResult', huntId: 'AbCdEfGhIjKl', header, deviceCount: 500, queryMs: 5, groups: [{ rows }], page: 25, pageCount: 50, notes: [] }],
    [
      'result grouped by tool, last page',
      {
        name: 'huntResult',
        huntId: 'AbCdEfGhIjKl',
        header: { ...header, subject: 'All RMM tools' },
        deviceCount: 500,
        queryMs: 5,
        groups: Array.from({ length: 5 }, (_, i) => ({ title: `Tool number ${i} with a long name`, rows: rows.slice(i * 2, i * 2 + 2) })),
        page: 50,
        pageCount: 50,
        notes: [],
      },
    ],
    ['result one row', { name: 'huntResult', huntId: 'AbCdEfGhIjKl', header: { ...header, device: undefined } as HuntHeader, deviceCount: 1, queryMs: 5, groups: [{ rows: rows.slice(2, 3) }], page: 1, pageCount: 1, notes: [] }],
    ['empty', { name: 'huntEmpty', header, queryMs: 42, notes: [] }],
    ['empty with notes and portal', { name: 'huntEmpty', header, queryMs: 42, notes: [{ text: '3 devices are hidden by exclusions (type exclusions to see them).', tone: 'default' }], portal: { title: 'Open in Sentinel', url: 'https://portal.azure.com/#blade/x' } }],
    ['failed', { name: 'huntFailed', header, failure: 'throttled', message: 'm'.repeat(1000), portal: { title: 'Open in Defender', url: 'https://security.microsoft.com/v2/advanced-hunting?query=x' } }],
    [
      'device check',
      {
        name: 'deviceCheck',
        header: { ...header, subject: `RMM tools on ${row(0).deviceName}`, device: row(0).deviceName },
        queryMs: 1234,
        tools: Array.from({ length: MAX_CHECK_TOOLS }, (_, i) => ({
          toolName: `Tool ${i} with a reasonably long name`,
          evidence: 'file signature, process, network',
          firstSeen: '2026-11-24T08:15:00Z',
          lastSeen: '2026-11-29T17:42:00Z',
          count: 123_456,
          ...(i % 2 ? { excluded: `Excluded by ${longName}: ${'r'.repeat(100)}` } : {}),
          marks: [i % 2 ? { text: 'Sanctioned', tone: 'good' as const } : { text: `Unsanctioned instance: ${'x'.repeat(60)}.kaseya.net and 2 more`, tone: 'attention' as const }],
        })),
        notes: [{ text: 'Partial result: something', tone: 'warning' }],
        portal: { title: 'Open in Defender', url: `https://security.microsoft.com/v2/advanced-hunting?query=${'A'.repeat(6000)}` },
      },
    ],
    ['device check, nothing', { name: 'deviceCheck', header: { ...header, device: 'ws-1' }, queryMs: 1, tools: [], notes: [] }],
    [
      'rules',
      {
        name: 'rules',
        rules: Array.from({ length: RULES_PAGE_SIZE }, (_, i) => ({ id: `1525a733-192f-41f2-96ba-d3f631ca00d${i}`, name: 'Remote Management and Monitoring tool - Action1 - File Signature', tables: 'DeviceFileCertificateInfo, DeviceProcessEvents' })),
        problems: Array.from({ length: 10 }, () => `/rules/${'x'.repeat(80)}.yaml:12: error: ${'m'.repeat(200)}`),
        page: 1,
        pageCount: 17,
        total: 168,
        configured: true,
      },
    ],
    ['rules, none configured', { name: 'rules', rules: [], problems: [], page: 1, pageCount: 1, total: 0, configured: false }],
    ['interrupted', { name: 'huntFailed', header, failure: 'interrupted', message: 'This hunt was interrupted: HuntOps restarted before it finished. Run it again: hunt kaseya 5d' }],
    ['data still loading', { name: 'huntFailed', header, failure: 'loading', message: 'The local data is still loading (DeviceFileCertificateInfo, 42 % read (4,200,000 events), for 12 s); hunt again in a minute.' }],
    ['exclude form', { name: 'excludeForm', subject }],
    ['exclude form with error', { name: 'excludeForm', subject, error: 'Give a reason: it is what the next analyst reads.' }],
    [
      'escalate form',
      {
        name: 'escalateForm',
        subject,
        incidents: Array.from({ length: 50 }, (_, i) => ({ number: 1000 + i, title: 't'.repeat(MAX_TITLE) })),
        defaultTitle: `${subject.toolName} on ${subject.deviceName}`,
        error: 'Incident 7 is not open any more; choose another or a new one.',
      },
    ],
    ['escalate form, no incidents', { name: 'escalateForm', subject, incidents: [], defaultTitle: 'Kaseya on ws-1' }],
    [
      'exclusions',
      {
        name: 'exclusions',
        exclusions: Array.from({ length: EXCLUSIONS_PAGE_SIZE }, (_, i) => ({
          id: `x${'0'.repeat(30)}${i}`,
          pattern: `IT-ADM-${'X'.repeat(200)}-*`,
          scope: i % 2 ? 'every RMM tool' : 'ConnectWise ScreenConnect hunts',
          reason: 'r'.repeat(MAX_REASON),
          by: longName,
          createdAt: '2026-11-01T10:00:00Z',
          ...(i % 2 ? {} : { expiresAt: '2027-02-01T10:00:00Z' }),
        })),
        page: 2,
        pageCount: 9,
        total: 70,
        notes: [{ text: 'Removed the exclusion of IT-ADM-*.', tone: 'good' }],
      },
    ],
    ['exclusions, none', { name: 'exclusions', exclusions: [], page: 1, pageCount: 1, total: 0, notes: [] }],
    [
      'escalation',
      {
        name: 'escalation',
        incident: { number: 123456, title: 't'.repeat(MAX_TITLE) },
        deviceName: row(0).deviceName,
        deviceId: 'f'.repeat(40),
        toolName: 'ConnectWise ScreenConnect',
        windowText: '14 days',
        firstSeen: '2026-11-24T08:15:00Z',
        lastSeen: '2026-11-29T17:42:00Z',
        count: 1_234_567,
        reportIds: Array.from({ length: 200 }, (_, i) => String(1_000_000 + i)),
        kql,
        source: header.source,
        by: longName,
        note: 'n'.repeat(MAX_NOTE),
        at: '2026-11-29T18:00:00Z',
      },
    ],
    [
      'audit',
      {
        name: 'audit',
        entries: Array.from({ length: AUDIT_MAX }, (_, i) => ({
          at: '2026-11-29T18:00:00Z',
          who: longName,
          action: i % 2 ? 'exclude devices' : 'hunt',
          outcome: i % 3 === 0 ? 'refused' : 'ok',
          what: 'w'.repeat(200),
          where: `19:${'c'.repeat(40)}@thread.tacv2;messageid=1700000000000`,
        })),
      },
    ],
    ['audit, empty', { name: 'audit', entries: [] }],
    [
      "a watch's post of new devices, each with a sanction mark",
      {
        name: 'huntResult',
        huntId: 'AbCdEfGhIjKl',
        header,
        title: `ConnectWise ScreenConnect network connections: 500 new devices (250 talk to an unsanctioned instance).`,
        deviceCount: 500,
        groups: [
          {
            rows: rows.map((r, i) => ({
              ...r,
              marks: [i % 2 ? { text: 'Sanctioned', tone: 'good' as const } : { text: `Unsanctioned instance: ${'x'.repeat(60)}.screenconnect.com, ${'y'.repeat(60)}.screenconnect.com, ${'z'.repeat(60)}.screenconnect.com and 47 more`, tone: 'attention' as const }],
            })),
          },
        ],
        page: 1,
        pageCount: 50,
        notes: [{ text: `Watch 123456, every 1 day 23 hours 59 minutes, set by ${longName}. Type unwatch 123456 to stop it.`, tone: 'default' }],
      },
    ],
    [
      'watches',
      {
        name: 'watches',
        watches: Array.from({ length: WATCHES_PAGE_SIZE }, (_, i) => ({
          id: 100_000 + i,
          subject: 'ConnectWise ScreenConnect network connections',
          hunt: `connectwise net 30d device ${row(i).deviceName} in emea`,
          every: '6 days 23 hours 59 minutes 59 seconds',
          where: i % 2 ? 'here' : 'a channel',
          by: longName,
          createdAt: '2026-11-01T10:00:00Z',
          ...(i % 3 ? { lastRun: '2026-11-29T17:42:00Z', lastResult: `Failed: ${'m'.repeat(500)}`, lastResultTone: 'attention' as const } : { lastResultTone: 'default' as const }),
          nextRun: '2026-11-30T17:42:00Z',
        })),
        page: 2,
        pageCount: 5,
        total: 45,
        notes: [{ text: 'Stopped watch 100001: it will not run again.', tone: 'good' }],
      },
    ],
    ['watches, none', { name: 'watches', watches: [], page: 1, pageCount: 1, total: 0, notes: [] }],
    [
      'sanctions',
      {
        name: 'sanctions',
        sanctions: Array.from({ length: SANCTIONS_PAGE_SIZE }, () => ({
          toolName: 'ConnectWise ScreenConnect',
          instances: `${Array.from({ length: 5 }, (_, j) => `${String(j).repeat(60)}.screenconnect.com`).join(', ')} and 45 more`,
          reason: 'r'.repeat(MAX_REASON),
          by: longName,
          at: '2026-11-01T10:00:00Z',
        })),
        page: 1,
        pageCount: 22,
        total: 211,
        notes: [{ text: `Sanctioned ConnectWise ScreenConnect (any instance): ${'r'.repeat(MAX_REASON)}`, tone: 'good' }],
      },
    ],
    ['sanctions, none', { name: 'sanctions', sanctions: [], page: 1, pageCount: 1, total: 0, notes: [] }],
    ...incidentViews(),
  ];
  const pageCount = toolsView(catalogPage(catalog, 1)).pageCount;
  for (let page = 1; page <= pageCount; page += 1) views.push([`tools page ${page}`, toolsView(catalogPage(catalog, page))]);
  views.push(['tools filtered, page 2', toolsView(catalogPage(catalog, 2, 'net'))], ['tools, no match', toolsView(catalogPage(catalog, 1, 'z'.repeat(100)))]);
  views.push([
    'help',
    {
      name: 'help',
      commands: Array.from({ length: 12 }, (_, i) => ({ usage: `command${i} <argument> [option] [device <name>]`, summary: 's'.repeat(200), example: 'e'.repeat(80) })),
      windows: WINDOW_HELP,
    },
  ]);
  return views;
}

/** The views of the incident life cycle and of Sentinel, with the largest realistic data. */
function incidentViews(): Array<[string, View]> {
  const sentinelUrl = `https://portal.azure.com/#asset/Microsoft_Azure_Security_Insights/Incident/subscriptions/${'s'.repeat(36)}/resourceGroups/${'g'.repeat(90)}/providers/Microsoft.OperationalInsights/workspaces/${'w'.repeat(63)}/providers/Microsoft.SecurityInsights/incidents/${'i'.repeat(36)}`;
  const escalation = allEscalation();
  const incident = { number: 123456, title: 't'.repeat(MAX_TITLE) };
  return [
    ['escalation, root card with Close and Sentinel', { ...escalation, closeable: true, sentinelUrl }],
    ['escalation, root card closed', { ...escalation, sentinelUrl, closed: `Closed by ${longName} at 2026-11-30T09:00:00Z: Malicious or unauthorised. ${'c'.repeat(MAX_CLOSE_NOTE)}` }],
    [
      'escalate form with Sentinel severity',
      { name: 'escalateForm', subject, incidents: [{ number: 1, title: 'Kaseya on ws-1' }], defaultTitle: 'Kaseya on ws-1', sentinel: { severities: ['High', 'Medium', 'Low', 'Informational'], defaultSeverity: 'Medium' } },
    ],
    [
      'incidents',
      {
        name: 'incidents',
        incidents: Array.from({ length: INCIDENTS_PAGE_SIZE }, (_, i) => ({
          number: 123_450 + i,
          title: 't'.repeat(MAX_TITLE),
          findings: 1_000 + i,
          openedBy: longName,
          openedAt: '2026-11-01T10:00:00Z',
          age: '29 days',
          sentinelUrl,
        })),
        page: 2,
        pageCount: 9,
        total: 70,
        notes: [{ text: `Closed incident 123449: ${'t'.repeat(MAX_TITLE)}. The closing note is being posted in its thread.`, tone: 'good' }],
      },
    ],
    ['incidents, none', { name: 'incidents', incidents: [], page: 1, pageCount: 1, total: 0, notes: [] }],
    [
      'close form from the list, with error',
      { name: 'closeIncidentForm', incident, reasons: CLOSE_REASONS.map((r) => ({ value: r.reason, title: r.title, description: r.description })), from: { kind: 'list', page: 3 }, sentinel: true, error: 'Choose why the incident is closed.' },
    ],
    ['close form from the root card', { name: 'closeIncidentForm', incident, reasons: CLOSE_REASONS.map((r) => ({ value: r.reason, title: r.title, description: r.description })), from: { kind: 'root' }, sentinel: false }],
    ['sentinel refused', { name: 'sentinelRefused', incident, message: 'm'.repeat(2000) }],
    [
      'exclusions sync',
      {
        name: 'exclusionsSync',
        watchlist: 'HuntOpsExclusions',
        workspace: 'w'.repeat(63),
        counts: Array.from({ length: 7 }, (_, i) => ({ title: `Found kind ${i}`, value: String(10_000 + i) })),
        sections: Array.from({ length: 4 }, (_, i) => ({ title: `Section ${i}`, lines: [...Array.from({ length: SYNC_LINES }, () => `IT-ADM-${'X'.repeat(200)}-* (every RMM hunt), excluded by ${longName}: ${'r'.repeat(MAX_REASON)}`), 'and 990 more'] })),
        canRestore: true,
        notes: [{ text: 'n'.repeat(400), tone: 'warning' }],
      },
    ],
  ];
}

function allEscalation(): Extract<View, { name: 'escalation' }> {
  return {
    name: 'escalation',
    incident: { number: 123456, title: 't'.repeat(MAX_TITLE) },
    deviceName: row(0).deviceName,
    deviceId: 'f'.repeat(40),
    toolName: 'ConnectWise ScreenConnect',
    windowText: '14 days',
    firstSeen: '2026-11-24T08:15:00Z',
    lastSeen: '2026-11-29T17:42:00Z',
    count: 1_234_567,
    reportIds: Array.from({ length: 200 }, (_, i) => String(1_000_000 + i)),
    kql,
    source: header.source,
    by: longName,
    note: 'n'.repeat(MAX_NOTE),
    at: '2026-11-29T18:00:00Z',
  };
}

/** The first device table of a result card. */
function tableOf(card: any): any {
  return card.body.find((b: any) => b.type === 'Container' && b.items?.some((i: any) => i.type === 'Table')).items.find((i: any) => i.type === 'Table');
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
    expect(groups.map((g: any) => g.items[0].text)).toEqual(['AnyDesk', 'Kaseya']);
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

describe('failed hunt card', () => {
  test('says the data is still loading, as a warning, when it is', () => {
    const card: any = renderCard({ name: 'huntFailed', header, failure: 'loading', message: 'The local data is still loading.' });
    expect(card.body[0]).toMatchObject({ text: `${header.subject}: the data is still loading`, color: 'Warning' });
    const failed: any = renderCard({ name: 'huntFailed', header, failure: 'timeout', message: 'm' });
    expect(failed.body[0]).toMatchObject({ text: `${header.subject}: the hunt failed`, color: 'Attention' });
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
    const query = card.body.filter((b: any) => b.fontType === 'Monospace').map((b: any) => b.text);
    expect(query).toEqual(['DeviceFileCertificateInfo', "| where Signer has 'Kaseya'", '| take 1']);
  });
});

describe("sanction marks and a watch's post", () => {
  const marked = renderCard({
    name: 'huntResult',
    huntId: 'AbCdEfGhIjKl',
    header,
    title: 'Kaseya: 2 new devices (1 talks to an unsanctioned instance).',
    deviceCount: 2,
    groups: [{ rows: [{ ...row(0), marks: [{ text: 'Unsanctioned instance: rmm-7731.kaseya.net', tone: 'attention' }] }, { ...row(1), marks: [{ text: 'Sanctioned', tone: 'good' }] }] }],
    page: 1,
    pageCount: 1,
    notes: [],
  });

  test('a mark is shown under the device name, coloured by its tone', () => {
    const [first, second] = tableOf(marked).rows.slice(1).map((r: any) => r.cells[0].items);
    expect(first.map((i: any) => i.text)).toEqual([row(0).deviceName, 'Unsanctioned instance: rmm-7731.kaseya.net']);
    expect(first[1]).toMatchObject({ color: 'Attention', weight: 'Bolder' });
    expect(second[1]).toMatchObject({ text: 'Sanctioned', color: 'Good' });
    const plain = renderCard({ name: 'huntResult', huntId: 'AbCdEfGhIjKl', header, deviceCount: 1, queryMs: 5, groups: [{ rows: [row(0)] }], page: 1, pageCount: 1, notes: [] });
    expect(tableOf(plain).rows[1].cells[0].items).toHaveLength(1);
  });

  test('a title replaces the device count line, and a card without a query time does not show one', () => {
    expect((marked as any).body[0].text).toBe('Kaseya: 2 new devices (1 talks to an unsanctioned instance).');
    expect(strings(marked)).not.toContain('Query time');
    const hunt = renderCard({ name: 'huntResult', huntId: 'AbCdEfGhIjKl', header, deviceCount: 1, queryMs: 5, groups: [{ rows: [row(0)] }], page: 1, pageCount: 1, notes: [] });
    expect((hunt as any).body[0].text).toBe(`${header.subject}: 1 device`);
    expect(strings(hunt)).toContain('Query time');
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
    const stops = JSON.stringify(card).match(/"title":"Stop"[^}]*"data":\{[^}]*\}/g) ?? [];
    expect(stops).toEqual([`"title":"Stop","verb":"${VERBS.unwatch}","associatedInputs":"none","data":{"watchId":7,"page":1}`]);
    expect(strings(card)).toContain('Not run yet; its first run is due {{DATE(2026-11-01T10:00:00Z,SHORT)}} {{TIME(2026-11-01T10:00:00Z)}}.');
  });
});
