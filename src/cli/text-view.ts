/**
 * Views as plain text for the terminal: the same answers the cards give, as readable tables.
 */
import type { FindingRow, View } from '../core/views';

/** Aligns rows under a header; columns separated by two spaces. */
export function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

function utc(iso: string): string {
  return iso.replace('T', ' ').replace(/:\d\d(\.\d+)?Z$/, 'Z');
}

/** The devices of a hunt as a table. */
export function findingsTable(rows: readonly FindingRow[]): string {
  return table(
    ['Device', 'First seen (UTC)', 'Last seen (UTC)', 'Count', 'Decided'],
    rows.map((r) => [r.deviceName, utc(r.firstSeen), utc(r.lastSeen), String(r.count), r.state?.text ?? '']),
  );
}

/** A view as text. For a paged hunt result pass every page's rows in `allRows`. */
export function viewText(view: View, allRows?: readonly FindingRow[]): string {
  switch (view.name) {
    case 'notice':
      return [view.title, view.text, ...(view.usage?.length ? ['', 'Usage:', ...view.usage.map((u) => `  ${u}`)] : [])]
        .filter((l) => l !== '')
        .join('\n');
    case 'help':
      return [
        'HuntOps commands',
        '',
        table(['Command', 'What it does', 'Example'], view.commands.map((c) => [c.usage, c.summary, c.example])),
        '',
        view.windows,
      ].join('\n');
    case 'tools':
      return [
        `RMM tools (${view.total}), page ${view.page} of ${view.pageCount}`,
        '',
        table(['Tool', 'Also known as', 'Hunts'], view.tools.map((t) => [t.name, [t.id, ...t.aliases].join(', '), t.hunts.join(', ')])),
      ].join('\n');
    case 'huntProgress':
      return `Hunting ${view.header.toolName} over the last ${view.header.windowText}…`;
    case 'huntResult': {
      const { header } = view;
      return [
        `${header.toolName}: ${view.deviceCount} device${view.deviceCount === 1 ? '' : 's'} in the last ${header.windowText}${header.device ? ` on ${header.device}` : ''}`,
        `Source: ${header.source}; query time ${view.queryMs} ms`,
        ...(view.banner ? [view.banner.text] : []),
        '',
        findingsTable(allRows ?? view.rows),
      ].join('\n');
    }
    case 'huntEmpty':
      return [
        `${view.header.toolName}: no devices in the last ${view.header.windowText}${view.header.device ? ` on ${view.header.device}` : ''}`,
        ...(view.hiddenCount > 0 ? [`${view.hiddenCount} hidden by exclusions`] : []),
        `Source: ${view.header.source}; query time ${view.queryMs} ms`,
      ].join('\n');
    case 'huntFailed':
      return `The ${view.header.toolName} hunt failed: ${view.message}\nSource: ${view.header.source}`;
    case 'excludeForm':
    case 'escalateForm':
      return `${view.name === 'excludeForm' ? 'Exclude' : 'Escalate'} ${view.subject.deviceName}: use the card in Teams.${view.error ? `\n${view.error}` : ''}`;
    case 'exclusions':
      return [
        ...(view.banner ? [view.banner.text, ''] : []),
        `Active exclusions (${view.total}), page ${view.page} of ${view.pageCount}`,
        '',
        table(
          ['Device or pattern', 'Covers', 'Reason', 'By', 'Expires (UTC)'],
          view.exclusions.map((e) => [e.pattern, e.scope, e.reason, e.by, e.expiresAt ? utc(e.expiresAt) : 'never']),
        ),
      ].join('\n');
    case 'audit':
      return table(
        ['When (UTC)', 'Who', 'Action', 'Outcome', 'What', 'Where'],
        view.entries.map((e) => [utc(e.at), e.who, e.action, e.outcome, e.what, e.where]),
      );
    case 'escalation':
      return `Incident ${view.incident.number}: ${view.incident.title}\n${view.toolName} on ${view.deviceName}, escalated by ${view.by}: ${view.note}`;
  }
}
