/**
 * Views as plain text for the terminal: the same answers the cards give, as readable tables.
 */
import type { FindingRow, HuntHeader, Note, ResultGroup, View } from '../core/views';

/** Aligns rows under a header; columns separated by two spaces. */
export function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

function utc(iso: string): string {
  return iso.replace('T', ' ').replace(/:\d\d(\.\d+)?Z$/, 'Z');
}

function where(header: HuntHeader): string {
  return `the last ${header.windowText}${header.device ? ` on ${header.device}` : ''}`;
}

function notes(list: readonly Note[]): string[] {
  return list.map((n) => n.text);
}

/** The devices of a hunt as a table, with a Tool column when they are grouped by tool. */
export function findingsTable(groups: readonly ResultGroup[]): string {
  const byTool = groups.some((g) => g.title !== undefined);
  const rows = groups.flatMap((g) =>
    g.rows.map((r: FindingRow) => [
      ...(byTool ? [g.title ?? ''] : []),
      r.deviceName,
      utc(r.firstSeen),
      utc(r.lastSeen),
      String(r.count),
      (r.marks ?? []).map((m) => m.text).join('; '),
      r.state?.text ?? '',
    ]),
  );
  return table([...(byTool ? ['Tool'] : []), 'Device', 'First seen (UTC)', 'Last seen (UTC)', 'Count', 'Sanction', 'Decided'], rows);
}

/** A view as text. For a paged hunt result pass every page's groups in `allGroups`. */
export function viewText(view: View, allGroups?: readonly ResultGroup[]): string {
  switch (view.name) {
    case 'notice':
      return [view.title, view.text, ...(view.usage?.length ? ['', 'Usage:', ...view.usage.map((u) => `  ${u}`)] : [])].filter((l) => l !== '').join('\n');
    case 'help':
      return ['HuntOps commands', '', table(['Command', 'What it does', 'Example'], view.commands.map((c) => [c.usage, c.summary, c.example])), '', view.windows].join('\n');
    case 'tools':
      return [
        `RMM tools${view.filter ? ` matching "${view.filter}"` : ''} (${view.total}), page ${view.page} of ${view.pageCount}`,
        '',
        table(['Tool', 'Also known as', 'Hunts'], view.tools.map((t) => [t.name, [t.id, ...t.aliases].join(', '), t.hunts.join(', ')])),
      ].join('\n');
    case 'rules':
      return [
        view.configured ? `Rules (${view.total}), page ${view.page} of ${view.pageCount}` : 'No rules folder is configured (HUNT_RULES_DIR).',
        ...(view.rules.length ? ['', table(['Id', 'Name', 'Tables'], view.rules.map((r) => [r.id, r.name, r.tables]))] : []),
        ...(view.problems.length ? ['', 'Could not read:', ...view.problems.map((p) => `  ${p}`)] : []),
      ].join('\n');
    case 'huntProgress':
      return `Hunting ${view.header.subject} over ${where(view.header)}…`;
    case 'huntResult':
      return [
        view.title ?? `${view.header.subject}: ${view.deviceCount} device${view.deviceCount === 1 ? '' : 's'} in ${where(view.header)}`,
        `Source: ${view.header.source}${view.queryMs !== undefined ? `; query time ${view.queryMs} ms` : ''}`,
        ...notes(view.notes),
        ...(view.portal ? [`${view.portal.title}: ${view.portal.url}`] : []),
        '',
        findingsTable(allGroups ?? view.groups),
      ].join('\n');
    case 'huntEmpty':
      return [`${view.header.subject}: no devices in ${where(view.header)}`, ...notes(view.notes), `Source: ${view.header.source}; query time ${view.queryMs} ms`].join('\n');
    case 'huntFailed':
      return `${view.header.subject} failed: ${view.message}\nSource: ${view.header.source}`;
    case 'deviceCheck':
      return [
        `${view.header.subject} in the last ${view.header.windowText}: ${view.tools.length === 0 ? 'none' : view.tools.map((t) => t.toolName).join(', ')}`,
        `Source: ${view.header.source}; query time ${view.queryMs} ms`,
        ...notes(view.notes),
        ...(view.tools.length
          ? [
              '',
              table(
                ['Tool', 'Evidence', 'First seen (UTC)', 'Last seen (UTC)', 'Count', 'Sanction', 'Excluded'],
                view.tools.map((t) => [t.toolName, t.evidence, utc(t.firstSeen), utc(t.lastSeen), String(t.count), (t.marks ?? []).map((m) => m.text).join('; '), t.excluded ?? '']),
              ),
            ]
          : []),
      ].join('\n');
    case 'excludeForm':
    case 'escalateForm':
      return `${view.name === 'excludeForm' ? 'Exclude' : 'Escalate'} ${view.subject.deviceName}: use the card in Teams.${view.error ? `\n${view.error}` : ''}`;
    case 'exclusions':
      return [
        ...notes(view.notes),
        `Active exclusions (${view.total}), page ${view.page} of ${view.pageCount}`,
        '',
        table(
          ['Device or pattern', 'Covers', 'Reason', 'By', 'Expires (UTC)'],
          view.exclusions.map((e) => [e.pattern, e.scope, e.reason, e.by, e.expiresAt ? utc(e.expiresAt) : 'never']),
        ),
      ].join('\n');
    case 'watches':
      return [
        ...notes(view.notes),
        `Active watches (${view.total}), page ${view.page} of ${view.pageCount}`,
        '',
        table(
          ['Id', 'Hunt', 'Every', 'Where', 'By', 'Last run (UTC)', 'Last result'],
          view.watches.map((w) => [String(w.id), w.hunt, w.every, w.where, w.by, w.lastRun ? utc(w.lastRun) : 'not yet', w.lastResult ?? '']),
        ),
      ].join('\n');
    case 'sanctions':
      return [
        ...notes(view.notes),
        `Sanctioned tools (${view.total}), page ${view.page} of ${view.pageCount}`,
        '',
        table(['Tool', 'Instances', 'Reason', 'By', 'Since (UTC)'], view.sanctions.map((x) => [x.toolName, x.instances, x.reason, x.by, utc(x.at)])),
      ].join('\n');
    case 'audit':
      return table(['When (UTC)', 'Who', 'Action', 'Outcome', 'What', 'Where'], view.entries.map((e) => [utc(e.at), e.who, e.action, e.outcome, e.what, e.where]));
    case 'escalation':
      return `Incident ${view.incident.number}: ${view.incident.title}\n${view.toolName} on ${view.deviceName}, escalated by ${view.by}: ${view.note}`;
    case 'incidents':
      return [
        ...notes(view.notes),
        `Open incidents (${view.total}), page ${view.page} of ${view.pageCount}`,
        '',
        table(['Incident', 'Title', 'Findings', 'Opened by', 'Open for'], view.incidents.map((i) => [String(i.number), i.title, String(i.findings), i.openedBy, i.age])),
      ].join('\n');
    case 'closeIncidentForm':
      return `Close incident ${view.incident.number}: use the card in Teams.${view.error ? `\n${view.error}` : ''}`;
    case 'exclusionsSync':
      return [
        ...notes(view.notes),
        `Exclusions and Microsoft Sentinel watchlist ${view.watchlist} (workspace ${view.workspace})`,
        '',
        table(['Found', 'Exclusions'], view.counts.map((c) => [c.title, c.value])),
        ...view.sections.flatMap((section) => ['', `${section.title}:`, ...section.lines.map((line) => `  ${line}`)]),
      ].join('\n');
    case 'sentinelRefused':
      return `Incident ${view.incident.number}: ${view.incident.title}\nMicrosoft Sentinel: ${view.message}`;
  }
}
