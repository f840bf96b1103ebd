/**
 * Views for the card tests: every view the bot produces, each with the largest realistic data
 * (long names, the longest texts the domain keeps, full pages and lists), and the same views with
 * every displayed string replaced by hostile markup.
 */
import { MAX_CHECK_TOOLS } from '../../src/core/device-check';
import { MAX_NOTE, MAX_TITLE } from '../../src/core/escalations';
import { EXCLUSIONS_PAGE_SIZE, MAX_REASON } from '../../src/core/exclusions';
import { HUNT_PAGE_SIZE, type HuntPage, type HuntRow, type RowDecision } from '../../src/core/hunt-service';
import { storedCheckMeta } from '../../src/core/payloads/check-meta';
import { CARD_FACTS, deviceFacts, evidenceFacts, SUMMARY_FACTS } from '../../src/core/payloads/evidence-facts';
import { storedEvidenceMeta } from '../../src/core/payloads/evidence-meta';
import { storedHuntMeta, readHuntMeta } from '../../src/core/payloads/hunt-meta';
import { escalationPayload, watchPostPayload } from '../../src/core/payloads/outbox-payload';
import { escalationView } from '../../src/core/presenters/escalation-views';
import { deviceRow } from '../../src/core/presenters/finding-rows';
import { huntPageView } from '../../src/core/presenters/hunt-views';
import { toolsView, WINDOW_HELP } from '../../src/core/presenters/listing-views';
import { AUDIT_MAX, catalogPage, RULES_PAGE_SIZE } from '../../src/core/routes/listing-routes';
import { INCIDENTS_PAGE_SIZE, MAX_CLOSE_NOTE } from '../../src/core/routes/incident-routes';
import { SANCTIONS_PAGE_SIZE } from '../../src/core/routes/sanction-routes';
import { WATCHES_PAGE_SIZE } from '../../src/core/routes/watch-routes';
import { SYNC_LINE_LENGTH, SYNC_LINES } from '../../src/core/presenters/sync-views';
import { watchPostView } from '../../src/core/presenters/watch-views';
import { CLOSE_REASONS } from '../../src/sentinel/close-reasons';
import type { FindingRow, HuntHeader, Note, View } from '../../src/core/views';
import { loadCatalog } from '../../src/hunt/catalog';
import { instancesOf, MAX_TEXT, type Evidence } from '../../src/hunt/evidence';
import { buildNetworkEvidenceQuery, DEFAULT_EVIDENCE_ROWS, DEFAULT_EVIDENCE_VALUES } from '../../src/hunt/evidence-queries';
import { bounded } from '../../src/hunt/evidence-values';
import { buildAllToolsQueries } from '../../src/hunt/hunt-queries-all-tools';
import { defenderHuntingLink } from '../../src/hunt/portal-links';
import { parseWindow } from '../../src/hunt/window';
import type { Hunt, StoredFinding, StoredHuntKind } from '../../src/store/store';

export const header: HuntHeader = {
  subject: 'ConnectWise ScreenConnect network connections',
  windowText: '1 day 23 hours 59 minutes',
  device: 'ws-fin-0142-laptop-with-a-long-name.emea.corp.contoso-holdings.com',
  source: 'Log Analytics workspace 3f2a9c1e-0b7d-4a55-9e2f-6c1d8b7a9e01 (emea)',
};

/** A realistic long device name: a laptop's host name in a deep domain (200 characters in all). */
export function deviceName(i: number): string {
  const host = `ws-fin-${String(i).padStart(4, '0')}-laptop`;
  const domain = 'emea.corp.contoso-holdings.com';
  return `${host}.${'branch-office-düsseldorf.'.repeat(7)}${domain}`.slice(0, 200);
}

/** A result row as the presenter makes it. */
export function row(i: number, decision?: RowDecision): FindingRow {
  return deviceRow({ huntId: 'AbCdEfGhIjKl', finding: finding(i), ...(decision ? { decision } : {}) }, AS_OF);
}

/** When the fixtures' results were made. */
export const AS_OF = new Date('2026-11-29T18:00:00Z');

/** A stored finding of the largest realistic kind. */
export function finding(i: number, toolId = 'connectwise'): StoredFinding {
  return {
    rowKey: String(i),
    deviceId: `${String(i).padStart(4, '0')}${'f'.repeat(36)}`,
    deviceName: deviceName(i),
    firstSeen: new Date('2026-11-15T08:15:00Z'),
    lastSeen: new Date('2026-11-29T17:42:00Z'),
    count: 1_234_567,
    reportIds: Array.from({ length: 200 }, (_, r) => String(1_000_000 + r)),
    toolId,
  };
}

const longName = 'Dr. Maximiliane Alexandra Featherstonehaugh-Cholmondeley (SOC Tier 3, EMEA)';
export const subject = { huntId: 'AbCdEfGhIjKl', row: '9', deviceName: deviceName(9), toolName: 'ConnectWise ScreenConnect', page: 1 };

/** Text of exactly `length` characters built from `unit` (paths with spaces, backslashes and non-ASCII letters). */
export function textOf(unit: string, length: number): string {
  return unit.repeat(Math.ceil(length / unit.length)).slice(0, length);
}

const PATH = 'C:\\Program Files (x86)\\Vendor Ünïcode Ågent\\';
const COMMAND = '"C:\\Users\\anna\\AppData\\Local\\Temp\\agent setup.exe" --server https://rmm.example.net --token ';
const at = (iso: string) => new Date(iso);

/** The largest evidence the queries return: every section and set full, every text at its longest. */
export function largestEvidence(): Evidence {
  const set = (unit: string) => bounded(Array.from({ length: DEFAULT_EVIDENCE_VALUES }, (_, i) => textOf(`${i}${unit}`, MAX_TEXT)), 1_000);
  const section = <T>(make: (i: number) => T) => ({ rows: Array.from({ length: DEFAULT_EVIDENCE_ROWS }, (_, i) => make(i)), total: 1_000, more: 1_000 - DEFAULT_EVIDENCE_ROWS });
  const seen = { firstSeen: at('2026-11-15T08:00:00Z'), lastSeen: at('2026-11-29T17:00:00Z'), count: 123_456 };
  const connections = section((i) => ({
    remoteUrl: textOf(`https://tenant-${i}.rmm.example.net/`, MAX_TEXT),
    instance: textOf(`tenant-${i}.rmm-vendor-instances.example.net.`, 253),
    remotePort: 65_535,
    remoteIPs: bounded(Array.from({ length: DEFAULT_EVIDENCE_VALUES }, (_, n) => `2001:0db8:85a3:0000:0000:8a2e:0370:${String(7000 + n)}`), 1_000),
    process: textOf('Agent Monitor Service Ünïcode ', MAX_TEXT),
    processSha1: 'a'.repeat(40),
    ...seen,
    deviceCount: 123_456,
  }));
  return {
    files: section((i) => ({
      sha1: `${i}`.padStart(40, 'b'),
      fileNames: set('Agent Ünïcode Setup '),
      folderPaths: set(PATH),
      originUrls: set('https://download.rmm.example.net/agent?id='),
      signature: { signer: textOf('Vendor Holdings Ünïcode GmbH ', MAX_TEXT), issuer: textOf('DigiCert Trusted G4 Code Signing ', MAX_TEXT), isSigned: true, isTrusted: false, expires: at('2027-06-14T23:59:59Z') },
      ...seen,
      deviceCount: 123_456,
    })),
    processes: section((i) => ({
      fileName: textOf(`${i}Agent Ünïcode Setup `, MAX_TEXT),
      folderPath: textOf(PATH, MAX_TEXT),
      sha1: 'c'.repeat(40),
      account: textOf('CONTOSO-HOLDINGS\\maximiliane.featherstonehaugh ', MAX_TEXT),
      parent: textOf('explorer Ünïcode ', MAX_TEXT),
      commandLines: set(COMMAND),
      ...seen,
    })),
    network: connections,
    device: {
      deviceId: 'f'.repeat(40),
      deviceName: deviceName(0),
      reportedAt: at('2026-11-29T16:00:00Z'),
      osPlatform: textOf('Windows11 ', MAX_TEXT),
      osVersion: textOf('10.0.22631 ', MAX_TEXT),
      deviceType: textOf('Workstation ', MAX_TEXT),
      machineGroup: textOf('Contoso Finance Workstations Düsseldorf ', MAX_TEXT),
      exposureLevel: textOf('Medium ', MAX_TEXT),
      publicIp: '2001:0db8:85a3:0000:0000:8a2e:0370:7334',
      loggedOnUsers: bounded(Array.from({ length: 5 }, (_, i) => textOf(`CONTOSO\\user.${i}.featherstonehaugh `, MAX_TEXT)), 1_000),
      onboardingStatus: textOf('Onboarded ', MAX_TEXT),
    },
    instances: instancesOf(connections.rows),
  };
}

/** A stored hunt of the fixtures' kind, finished at {@link AS_OF}. */
export function storedHunt(kind: StoredHuntKind, meta: unknown, options: { readonly device?: string; readonly toolId?: string } = {}): Hunt {
  return {
    id: 'AbCdEfGhIjKl',
    request: { toolId: options.toolId ?? 'connectwise', windowMs: 14 * 86_400_000, kind, ...(options.device ? { device: options.device } : {}) },
    kql: 'DeviceFileCertificateInfo',
    source: 'Log Analytics workspace 3f2a9c1e-0b7d-4a55-9e2f-6c1d8b7a9e01',
    conversation: null,
    requestedBy: { aadObjectId: 'a', name: longName },
    status: 'done',
    findingCount: 0,
    hiddenCount: 123_456,
    meta,
    createdAt: AS_OF,
    finishedAt: AS_OF,
  };
}

/** A page of `findings` of `hunt` with `decisions`. */
export function pageOfFindings(hunt: Hunt, findings: readonly StoredFinding[], decide: (i: number) => RowDecision | undefined, page = 1, total = findings.length): HuntPage {
  const items: HuntRow[] = findings.map((f, i) => {
    const decision = decide(i);
    return decision ? { finding: f, decision } : { finding: f };
  });
  return { hunt, meta: readHuntMeta(hunt.meta, { subject: 'x', byTool: false }), rows: { items, page, pageCount: Math.max(1, Math.ceil(total / HUNT_PAGE_SIZE)), total, offset: (page - 1) * HUNT_PAGE_SIZE }, namesakes: [] };
}

/** Every kind of decision, the longest of each. */
function decision(i: number): RowDecision | undefined {
  if (i % 3 === 0) return { kind: 'excluded', by: longName, reason: textOf('IT admin workstation, patches deployed through the RMM tool. ', MAX_REASON) };
  if (i % 3 === 1) return { kind: 'escalated', by: longName, incident: 123_456 };
  return undefined;
}

const NOTES: Note[] = [
  { text: textOf('Escalated ws-fin-0142 to incident 123456: a title. It is being posted in the incident thread. ', 500), tone: 'good' },
  { text: `Partial result: ${textOf('Log Analytics workspace emea returned only part of the result: ', 400)}`, tone: 'warning' },
  { text: 'Showing the 500 devices seen most recently of 123,456 devices found; narrow the window or name a device for the rest.', tone: 'warning' },
];

/** Every view the bot produces, with the largest realistic data, each named. */
export function largestViews(): Array<[string, View]> {
  const catalog = loadCatalog();
  const allTools = buildAllToolsQueries({ tools: catalog.tools, window: parseWindow('14d')! }, { dialect: 'defender', maxDevices: 500 }).queries.join('\n\n');
  const portal = { title: 'Open in Defender', url: defenderHuntingLink(allTools, { window: parseWindow('14d')! }) };
  const meta = storedHuntMeta({ subject: 'ConnectWise ScreenConnect network connections', byTool: false, queryMs: 123_456, notes: NOTES, portal });
  const findings = Array.from({ length: HUNT_PAGE_SIZE }, (_, i) => finding(i));
  const result = storedHunt('network', meta, { device: deviceName(1) });
  const grouped = storedHunt('all-tools', storedHuntMeta({ subject: 'All RMM tools', byTool: true, queryMs: 5, notes: [], portal }), { toolId: 'all' });
  const toolIds = catalog.tools.slice(0, 5).map((t) => t.id);
  const groupedFindings = findings.map((f, i) => ({ ...f, toolId: toolIds[Math.floor(i / 2)]! }));
  const checkFindings = Array.from({ length: MAX_CHECK_TOOLS }, (_, i) => ({ ...finding(i, catalog.tools[i]!.id), deviceId: i % 2 ? 'e'.repeat(40) : 'f'.repeat(40) }));
  const evidence = largestEvidence();
  const check = storedHunt(
    'device-check',
    storedCheckMeta({
      subject: `RMM tools on ${deviceName(0)}`,
      byTool: true,
      queryMs: 1234,
      notes: NOTES,
      portal,
      evidence: Object.fromEntries(checkFindings.map((f) => [f.rowKey, ['file-signature', 'process', 'network']])),
      device: deviceFacts(evidence.device!, CARD_FACTS),
    }),
    { device: deviceName(0), toolId: 'check' },
  );
  const details = storedHunt(
    'evidence',
    storedEvidenceMeta({
      subject: 'ConnectWise ScreenConnect',
      byTool: false,
      queryMs: 123_456,
      notes: NOTES.slice(0, 1),
      portal: { title: 'Open in Defender', url: defenderHuntingLink(buildNetworkEvidenceQuery({ tool: catalog.get('connectwise')!, deviceId: 'f'.repeat(40), window: parseWindow('14d')! }, { dialect: 'defender' }), { window: parseWindow('14d')! }) },
      origin: { huntId: 'AbCdEfGhIjKm', row: '9' },
      toolId: 'connectwise',
      facts: evidenceFacts(evidence, CARD_FACTS),
    }),
    { device: deviceName(0) },
  );
  const escalation = escalationView(
    escalationPayload({
      incident: { number: 123_456, title: textOf('Unexpected ConnectWise agent in Finance ', MAX_TITLE) },
      deviceName: deviceName(0),
      deviceId: 'f'.repeat(40),
      toolName: 'ConnectWise ScreenConnect',
      windowMs: 14 * 86_400_000,
      firstSeen: '2026-11-24T08:15:00Z',
      lastSeen: '2026-11-29T17:42:00Z',
      count: 1_234_567,
      reportIds: Array.from({ length: 500 }, (_, i) => String(1_000_000_000 + i)),
      kql: allTools,
      source: 'Log Analytics workspace 3f2a9c1e-0b7d-4a55-9e2f-6c1d8b7a9e01',
      by: longName,
      note: textOf('Kaseya agent on a finance workstation, not deployed by IT; talks to an unknown tenant. ', MAX_NOTE),
      at: '2026-11-29T18:00:00Z',
      evidence: { facts: evidenceFacts(evidence, SUMMARY_FACTS) },
    }),
  );
  const views: Array<[string, View]> = [
    ['notice', { name: 'notice', title: 'x'.repeat(200), text: 'y'.repeat(2000), tone: 'warning', usage: ['hunt <tool> [window] [device <name>]', 'tools [page]'] }],
    ['notice without usage', { name: 'notice', title: 'Done', text: '', tone: 'good' }],
    ['progress', { name: 'huntProgress', header, state: 'running' }],
    ['progress queued', { name: 'huntProgress', header, state: 'queued' }],
    ['result first page', huntPageView(pageOfFindings(result, findings, decision, 1, 500), catalog, NOTES[0])],
    ['result middle page', huntPageView(pageOfFindings(result, findings, () => undefined, 25, 500), catalog)],
    ['result grouped by tool, last page', huntPageView(pageOfFindings(grouped, groupedFindings, decision, 50, 500), catalog)],
    ['result one row', huntPageView(pageOfFindings(storedHunt('file-signature', meta), findings.slice(2, 3), () => undefined), catalog)],
    ['empty', huntPageView(pageOfFindings(storedHunt('file-signature', storedHuntMeta({ subject: 'Kaseya', byTool: false, queryMs: 42, notes: [] })), [], () => undefined), catalog)],
    ['empty with notes and portal', huntPageView(pageOfFindings(result, [], () => undefined), catalog)],
    ['failed', { name: 'huntFailed', header, failure: 'throttled', message: 'm'.repeat(1000), portal: { title: 'Open in Defender', url: 'https://security.microsoft.com/v2/advanced-hunting?query=x' } }],
    ['device check', huntPageView(pageOfFindings(check, checkFindings.slice(0, HUNT_PAGE_SIZE), decision, 1, checkFindings.length), catalog, NOTES[0])],
    ['device check, nothing', huntPageView(pageOfFindings(storedHunt('device-check', storedCheckMeta({ subject: 'RMM tools on ws-1', byTool: true, queryMs: 1, notes: [], evidence: {} }), { device: 'ws-1', toolId: 'check' }), [], () => undefined), catalog)],
    ['evidence', huntPageView(pageOfFindings(details, [finding(0)], () => ({ kind: 'escalated', by: longName, incident: 123_456 })), catalog, NOTES[0])],
    [
      'evidence of a rule without a tool',
      huntPageView(
        pageOfFindings(
          storedHunt(
            'evidence',
            storedEvidenceMeta({ subject: 'My rule', byTool: false, queryMs: 3, notes: NOTES.slice(0, 1), origin: { huntId: 'AbCdEfGhIjKm', row: '0' }, facts: evidenceFacts({ network: { rows: [], total: 0, more: 0 }, instances: [] }, CARD_FACTS) }),
            { device: 'ws-1' },
          ),
          [finding(0)],
          () => undefined,
        ),
        catalog,
      ),
    ],
    ['evidence progress', { name: 'evidenceProgress', title: `ConnectWise ScreenConnect on ${deviceName(0)}`, windowText: '1 day 23 hours 59 minutes', source: header.source, state: 'queued' }],
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
          kind: 'pattern' as const,
          label: `Pattern IT-ADM-${'X'.repeat(200)}-*`,
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
    ['escalation', escalation],
    [
      'escalation without evidence',
      escalationView({ ...escalationPayload({ ...escalationFacts(), evidence: { missing: 'The evidence was not ready in time: open Details on the finding for it.' } }) }),
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
    ['data still loading', { name: 'huntFailed', header, failure: 'loading', message: 'The local data is still loading (DeviceFileCertificateInfo, 42 % read (4,200,000 events), for 12 s); hunt again in a minute.' }],
    ...watchViews(),
    ...incidentViews(escalation),
  ];
  const pageCount = toolsView(catalogPage(catalog, 1)).pageCount;
  for (let page = 1; page <= pageCount; page += 1) views.push([`tools page ${page}`, toolsView(catalogPage(catalog, page))]);
  views.push(['tools filtered, page 2', toolsView(catalogPage(catalog, 2, 'net'))], ['tools, no match', toolsView(catalogPage(catalog, 1, 'z'.repeat(100)))]);
  views.push([
    'help',
    {
      name: 'help',
      commands: Array.from({ length: 14 }, (_, i) => ({ usage: `command${i} <argument> [option] [device <name>]`, summary: 's'.repeat(200), example: 'e'.repeat(80) })),
      windows: WINDOW_HELP,
    },
  ]);
  return views;
}

/** A watch's post of new devices (each with a sanction mark naming many instances), the watches and the sanctions, at their largest. */
function watchViews(): Array<[string, View]> {
  const instances = (i: number) => Array.from({ length: 50 }, (_, j) => textOf(`${i}-${j}-tenant.`, 60) + '.screenconnect.com');
  const post = watchPostPayload({
    watch: { id: 123_456, intervalMs: 2 * 86_400_000 - 60_000, createdBy: longName },
    subject: 'ConnectWise ScreenConnect network connections',
    batch: 'new-devices',
    devices: 500,
    unsanctioned: 250,
    at: '2026-11-29T18:00:00Z',
    found: {
      huntId: 'AbCdEfGhIjKl',
      windowMs: 14 * 86_400_000,
      source: header.source,
      byTool: false,
      pageCount: 50,
      rows: Array.from({ length: HUNT_PAGE_SIZE }, (_, i) => ({
        row: String(i),
        deviceId: finding(i).deviceId,
        deviceName: deviceName(i),
        toolName: 'ConnectWise ScreenConnect',
        firstSeen: '2026-11-15T08:15:00Z',
        lastSeen: '2026-11-29T17:42:00Z',
        count: 1_234_567,
        ...(i % 2 ? {} : { unsanctionedInstances: instances(i) }),
      })),
    },
  });
  return [
    ["a watch's post of new devices, each with a sanction mark", watchPostView(post)],
    [
      'watches',
      {
        name: 'watches',
        watches: Array.from({ length: WATCHES_PAGE_SIZE }, (_, i) => ({
          id: 100_000 + i,
          subject: 'ConnectWise ScreenConnect network connections',
          hunt: `connectwise net 30d device ${deviceName(i)} in emea`,
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
  ];
}

/** The views of the incident life cycle and of Sentinel, with the largest realistic data. */
function incidentViews(escalation: Extract<View, { name: 'escalation' }>): Array<[string, View]> {
  const sentinelUrl = `https://portal.azure.com/#asset/Microsoft_Azure_Security_Insights/Incident/subscriptions/${'s'.repeat(36)}/resourceGroups/${'g'.repeat(90)}/providers/Microsoft.OperationalInsights/workspaces/${'w'.repeat(63)}/providers/Microsoft.SecurityInsights/incidents/${'i'.repeat(36)}`;
  const incident = { number: 123456, title: 't'.repeat(MAX_TITLE) };
  const reasons = CLOSE_REASONS.map((r) => ({ value: r.reason, title: r.title, description: r.description }));
  return [
    ['escalation, root card with Close and Sentinel', { ...escalation, closeable: true, sentinelUrl }],
    ['escalation, root card closed', { ...escalation, sentinelUrl, closed: `Closed by ${longName} at 2026-11-30 09:00 UTC: Malicious or unauthorised. ${'c'.repeat(MAX_CLOSE_NOTE)}` }],
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
    ['close form from the list, with error', { name: 'closeIncidentForm', incident, reasons, from: { kind: 'list', page: 3 }, sentinel: true, error: 'Choose why the incident is closed.' }],
    ['close form from the root card', { name: 'closeIncidentForm', incident, reasons, from: { kind: 'root' }, sentinel: false }],
    ['sentinel refused', { name: 'sentinelRefused', incident, message: 'm'.repeat(2000) }],
    [
      'exclusions sync',
      {
        name: 'exclusionsSync',
        watchlist: 'HuntOpsExclusions',
        workspace: 'w'.repeat(63),
        counts: Array.from({ length: 7 }, (_, i) => ({ title: `Found kind ${i}`, value: String(10_000 + i) })),
        sections: Array.from({ length: 4 }, (_, i) => ({ title: `Section ${i}`, lines: [...Array.from({ length: SYNC_LINES }, () => textOf(`IT-ADM-${'X'.repeat(200)}-* (every RMM hunt), excluded by ${longName}: ${'r'.repeat(MAX_REASON)}`, SYNC_LINE_LENGTH)), 'and 990 more'] })),
        canRestore: true,
        notes: [{ text: 'n'.repeat(400), tone: 'warning' }],
      },
    ],
  ];
}

/** An escalation's facts of an ordinary size (for the cases that are not about size). */
export function escalationFacts() {
  return {
    incident: { number: 1, title: 'Kaseya on ws-1' },
    deviceName: 'ws-1.contoso.com',
    deviceId: 'd1',
    toolName: 'Kaseya',
    windowMs: 5 * 86_400_000,
    firstSeen: '2026-11-24T08:15:00Z',
    lastSeen: '2026-11-29T17:42:00Z',
    count: 1,
    reportIds: ['1'],
    kql: "DeviceFileCertificateInfo\n| where Signer has 'Kaseya'\n| take 1",
    source: 'sample data',
    by: 'Ada',
    note: '',
    at: '2026-11-29T18:00:00Z',
  };
}

/**
 * Markup an attacker can put in a device name, a file name, a reason or a title: a link, emphasis,
 * code, an image, a Teams mention, HTML, and (on lines of their own) a heading, lists and a quote.
 */
export const HOSTILE_MARKUP =
  '# Heading [Re-auth HuntOps](https://evil.example/login) **bold** _em_ `code` ![img](https://evil.example/i.png) <at>HuntOps</at> <b>html</b> ~~del~~\n- item\n1. first\n> quote';

/**
 * Keys whose strings are not text from anyone: what a view is, colours, states, ids buttons carry,
 * links, and the ISO times presenters write from a `Date` (which templates cut to a date).
 */
const STRUCTURAL = new Set(['name', 'tone', 'kind', 'state', 'failure', 'huntId', 'row', 'id', 'url', 'deviceId', 'outcome', 'style', 'createdAt', 'expiresAt', 'at', 'lastRun', 'nextRun']);

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
