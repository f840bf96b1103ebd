/**
 * Views for the card tests: every view the bot produces, each with the largest realistic data
 * (long names, the longest texts the domain keeps, full pages and lists), and the same views with
 * every displayed string replaced by hostile markup.
 */
import { AUDIT_MAX, catalogPage, RULES_PAGE_SIZE } from '../../src/core/routes/listing-routes';
import { toolsView, WINDOW_HELP } from '../../src/core/presenters/listing-views';
import { EXCLUSIONS_PAGE_SIZE, MAX_REASON } from '../../src/core/exclusions';
import { MAX_NOTE, MAX_TITLE } from '../../src/core/escalations';
import { MAX_CHECK_TOOLS } from '../../src/core/device-check';
import { HUNT_PAGE_SIZE } from '../../src/core/hunt-service';
import type { FindingRow, HuntHeader, View } from '../../src/core/views';
import { loadCatalog } from '../../src/hunt/catalog';

export const header: HuntHeader = {
  subject: 'ConnectWise ScreenConnect network connections',
  windowText: '1 day 23 hours 59 minutes',
  device: 'ws-fin-0142-laptop-with-a-long-name.emea.corp.contoso-holdings.com',
  source: 'Log Analytics workspace 3f2a9c1e-0b7d-4a55-9e2f-6c1d8b7a9e01 (emea)',
};

export function row(i: number, state?: FindingRow['state']): FindingRow {
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
export const subject = { huntId: 'AbCdEfGhIjKl', row: '9', deviceName: row(9).deviceName, toolName: 'ConnectWise ScreenConnect', page: 1 };
const kql = `let Time_start = now(-14d);\nlet Time_end = now();\nDeviceFileCertificateInfo\n| where Timestamp between (Time_start..Time_end)\n| where Signer has_any (${Array.from({ length: 40 }, (_, i) => `'Signer number ${i} Corporation'`).join(', ')})\n| summarize FirstSeen=min(Timestamp), LastSeen=max(Timestamp), Report=make_set(ReportId), Count=count() by DeviceId, DeviceName`;

/** Every view the bot produces, with the largest realistic data, each named. */
export function largestViews(): Array<[string, View]> {
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
  ];
  const pageCount = toolsView(catalogPage(catalog, 1)).pageCount;
  for (let page = 1; page <= pageCount; page += 1) views.push([`tools page ${page}`, toolsView(catalogPage(catalog, page))]);
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

/**
 * Markup an attacker can put in a device name, a file name, a reason or a title: a link, emphasis,
 * code, an image, a Teams mention, HTML, and (on lines of their own) a heading, lists and a quote.
 */
export const HOSTILE_MARKUP =
  '# Heading [Re-auth HuntOps](https://evil.example/login) **bold** _em_ `code` ![img](https://evil.example/i.png) <at>HuntOps</at> <b>html</b> ~~del~~\n- item\n1. first\n> quote';

/** Keys whose strings are not shown: what a view is, colours, states, ids buttons carry, links. */
const STRUCTURAL = new Set(['name', 'tone', 'kind', 'state', 'failure', 'huntId', 'row', 'id', 'url', 'deviceId', 'outcome']);

/** A hostile string with a marker `⟦n⟧` in front, so that a test can find where each one is shown. */
export function hostileText(n: number): string {
  return `⟦${n}⟧ ${HOSTILE_MARKUP}`;
}

/**
 * `view` with every displayed string (every string but those under {@link STRUCTURAL} keys)
 * replaced by {@link hostileText}, numbered in order; returns the view and the strings used.
 */
export function hostileView(view: View): { view: View; texts: string[] } {
  const texts: string[] = [];
  const walk = (value: unknown, key: string): unknown => {
    if (typeof value === 'string') {
      if (STRUCTURAL.has(key)) return value;
      const text = hostileText(texts.length);
      texts.push(text);
      return text;
    }
    if (Array.isArray(value)) return value.map((v) => walk(v, key));
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, STRUCTURAL.has(k) && typeof v !== 'object' ? v : walk(v, k)]));
    return value;
  };
  return { view: walk(view, '') as View, texts };
}
