/**
 * Stored evidence facts as cards show them: the device's context as labelled facts, then the
 * instances the device talks to, its binaries, its process starts and its connections — each item a
 * title, how many devices of the organisation share it, and a few short lines. Shared by the
 * evidence card, the escalation card's summary and the device check (the device's context). All of
 * it is telemetry: it reaches the card as literal text (`src/cards/literal-text.ts`), cut to lengths
 * that keep the card under its size limit.
 */
import type { DeviceFacts, EvidenceFacts } from '../payloads/evidence-facts';
import type { DeviceContextView, EvidenceDisplay, EvidenceItem, EvidenceLine, EvidenceSection, Fact } from '../views';
import { agoText, continuationLines, eventsText, plural, seenText, shortText, utcDate } from './format';

/** The longest text shown of each kind of value (characters). */
export const SHOWN = { name: 80, path: 260, url: 160, commandLine: 512, label: 80, fact: 64 } as const;

/** Characters of a token a phone's line holds (small text, 360 px). */
export const LINE_CHARS = 40;

const line = (text: string, style: EvidenceLine['style'] = 'default', more?: string): EvidenceLine => ({ text, style, ...(more ? { more } : {}) });

/** The item's lines, each token too long for a phone's line continued on the next ({@link continuationLines}). */
function fitted(lines: readonly EvidenceLine[]): EvidenceLine[] {
  return lines.flatMap((l) => {
    const parts = continuationLines(l.text, LINE_CHARS);
    return parts.map((text, i) => (i === parts.length - 1 ? { ...l, text } : { text, style: l.style }));
  });
}

/** "a, b and 3 more", or '' for nothing. */
function listed(values: readonly string[], more: number, max: number): string {
  const shown = values.map((v) => shortText(v, max)).join(', ');
  if (more <= 0) return shown;
  return shown ? `${shown} and ${more} more` : `${more} not shown`;
}

/**
 * The first value of a set on its own line (a path, a command line: long, and what matters), and
 * "and N more" when there are others.
 */
function setLines(set: { readonly values: readonly string[]; readonly more: number }, max: number, style: EvidenceLine['style'], what: string): EvidenceLine[] {
  const [first] = set.values;
  const more = set.more + Math.max(0, set.values.length - 1);
  const others = more > 0 ? `and ${plural(more, `more ${what}`, `more ${what}s`)}` : undefined;
  if (first === undefined) return others ? [line(others, 'subtle')] : [];
  return [line(shortText(first, max), style, others)];
}

function prevalence(deviceCount: number | null): string | undefined {
  return deviceCount === null ? undefined : `on ${plural(deviceCount, 'device', 'devices')}`;
}

function seenLine(row: { readonly firstSeen: string; readonly lastSeen: string; readonly count: number }, asOf: Date): EvidenceLine {
  return line(`${eventsText(row.count)} · ${seenText(new Date(row.firstSeen), new Date(row.lastSeen), asOf)}`, 'subtle');
}

function trust(value: boolean | null, yes: string, no: string): string[] {
  return value === null ? [] : [value ? yes : no];
}

/** The device's context as facts; empty values are left out. */
export function deviceContextView(device: DeviceFacts, asOf: Date): DeviceContextView {
  const os = [device.osPlatform, device.osVersion].filter((v) => v !== '').join(' ');
  const candidates: Array<[string, string]> = [
    ['OS', os],
    ['Type', device.deviceType],
    ['Group', device.machineGroup],
    ['Exposure', device.exposureLevel],
    ['Public IP', device.publicIp],
    ['Users', listed(device.loggedOnUsers.values, device.loggedOnUsers.more, SHOWN.fact)],
    ['Onboarding', device.onboardingStatus],
  ];
  const facts: Fact[] = candidates.filter(([, value]) => value !== '').map(([label, value]) => ({ label, value: shortText(value, label === 'Users' ? SHOWN.label * 2 : SHOWN.fact) }));
  return { facts, reported: `reported ${agoText(new Date(device.reportedAt), asOf)}` };
}

function section(title: string, list: { readonly items: readonly unknown[]; readonly more: number }, items: EvidenceItem[], what: readonly [string, string], empty: string): EvidenceSection {
  const total = list.items.length + list.more;
  return {
    title: total > 0 ? `${title} (${total.toLocaleString('en-US')})` : title,
    items: items.map((item) => ({ ...item, lines: fitted(item.lines) })),
    ...(list.more > 0 ? { more: `and ${plural(list.more, `more ${what[0]}`, `more ${what[1]}`)}` } : {}),
    ...(total === 0 ? { empty } : {}),
  };
}

function binaries(files: NonNullable<EvidenceFacts['files']>, asOf: Date): EvidenceSection {
  const items = files.items.map((b): EvidenceItem => {
    const [first, ...otherNames] = b.fileNames.values;
    const signature = b.signature
      ? line(
          [
            b.signature.signer ? `Signed by ${shortText(b.signature.signer, SHOWN.label)}` : 'Signer not reported',
            ...(b.signature.issuer ? [`issued by ${shortText(b.signature.issuer, SHOWN.label)}`] : []),
            ...trust(b.signature.isSigned, 'signed', 'not signed'),
            ...trust(b.signature.isTrusted, 'trusted', 'not trusted'),
            ...(b.signature.expires ? [`expires ${utcDate(new Date(b.signature.expires))}`] : []),
          ].join(', '),
        )
      : line('No certificate reported in the window');
    return {
      title: shortText(first ?? b.sha1, SHOWN.name),
      ...(prevalence(b.deviceCount) ? { prevalence: prevalence(b.deviceCount)! } : {}),
      lines: [
        ...(otherNames.length + b.fileNames.more > 0 ? [line(`also named ${listed(otherNames, b.fileNames.more, SHOWN.name)}`, 'subtle')] : []),
        ...setLines(b.folderPaths, SHOWN.path, 'mono', 'path'),
        ...setLines({ values: b.originUrls.values.map((url) => `downloaded from ${url}`), more: b.originUrls.more }, SHOWN.url, 'default', 'download'),
        signature,
        line(`SHA1 ${b.sha1}`, 'mono'),
        seenLine(b, asOf),
      ],
      marks: [],
    };
  });
  return section('Binaries', files, items, ['binary', 'binaries'], 'No binary of the tool was seen on the device in the window.');
}

function processes(list: NonNullable<EvidenceFacts['processes']>, asOf: Date): EvidenceSection {
  const items = list.items.map(
    (p): EvidenceItem => ({
      title: shortText(p.fileName || p.sha1, SHOWN.name),
      lines: [
        ...(p.folderPath ? [line(shortText(p.folderPath, SHOWN.path), 'mono')] : []),
        line([p.account ? `as ${shortText(p.account, SHOWN.label)}` : '', p.parent ? `started by ${shortText(p.parent, SHOWN.name)}` : ''].filter(Boolean).join(', ') || 'account and parent not reported'),
        ...setLines(p.commandLines, SHOWN.commandLine, 'mono', 'command line'),
        seenLine(p, asOf),
      ],
      marks: [],
    }),
  );
  return section('Processes', list, items, ['process', 'processes'], 'The tool started no process on the device in the window.');
}

function connections(list: EvidenceFacts['network'], asOf: Date): EvidenceSection {
  const items = list.items.map((c): EvidenceItem => {
    const end = c.remoteUrl || c.remoteIPs.values[0] || c.instance;
    const where = c.remotePort === null ? end : `${end} port ${c.remotePort}`;
    return {
      title: shortText(where, SHOWN.url),
      ...(prevalence(c.deviceCount) ? { prevalence: prevalence(c.deviceCount)! } : {}),
      lines: [
        ...(c.process ? [line(`by ${shortText(c.process, SHOWN.name)}`)] : []),
        ...(c.remoteUrl && c.remoteIPs.values.length + c.remoteIPs.more > 0 ? [line(`addresses ${listed(c.remoteIPs.values, c.remoteIPs.more, SHOWN.fact)}`, 'mono')] : []),
        seenLine(c, asOf),
      ],
      marks: [],
    };
  });
  return section('Connections', list, items, ['connection', 'connections'], 'The tool made no connection from the device in the window.');
}

function instances(list: EvidenceFacts['instances'], asOf: Date): EvidenceSection {
  const items = list.items.map(
    (i): EvidenceItem => ({
      title: shortText(i.instance, SHOWN.url),
      ...(prevalence(i.deviceCount) ? { prevalence: prevalence(i.deviceCount)! } : {}),
      lines: [line(`last ${agoText(new Date(i.lastSeen), asOf)}`, 'subtle')],
      marks: [],
    }),
  );
  return section('Talks to', list, items, ['instance', 'instances'], 'No instance: the tool made no connection in the window.');
}

/** The evidence as the evidence card and the escalation card show it. */
export function evidenceDisplay(facts: EvidenceFacts, asOf: Date): EvidenceDisplay {
  return {
    ...(facts.device ? { device: deviceContextView(facts.device, asOf) } : {}),
    sections: [
      instances(facts.instances, asOf),
      ...(facts.files ? [binaries(facts.files, asOf)] : []),
      ...(facts.processes ? [processes(facts.processes, asOf)] : []),
      connections(facts.network, asOf),
    ],
  };
}
