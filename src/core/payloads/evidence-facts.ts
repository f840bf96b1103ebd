/**
 * The evidence of one tool on one device as stored facts: what the evidence card (a stored Details
 * run) and an escalation's evidence summary keep, bounded twice — the queries bound every set, and
 * these facts keep only the first few items of each list and values of each set (with how many
 * were left out), each text clipped. Read back through a schema (version 1 of the evidence record
 * and version 2 of the escalation payload hold them); cards are made from them by
 * `presenters/evidence-display.ts`.
 */
import { z } from 'zod';
import type { Bounded, Evidence, Section } from '../../hunt/evidence';

const COUNT = z.number().int().nonnegative();
const SET = z.object({ values: z.array(z.string()), more: COUNT });
const LIST = <T extends z.ZodTypeAny>(item: T) => z.object({ items: z.array(item), more: COUNT });
const SEEN = { firstSeen: z.string(), lastSeen: z.string(), count: z.number() };

const DEVICE = z.object({
  reportedAt: z.string(),
  osPlatform: z.string(),
  osVersion: z.string(),
  deviceType: z.string(),
  machineGroup: z.string(),
  exposureLevel: z.string(),
  publicIp: z.string(),
  loggedOnUsers: SET,
  onboardingStatus: z.string(),
});

const BINARY = z.object({
  sha1: z.string(),
  fileNames: SET,
  folderPaths: SET,
  originUrls: SET,
  signature: z
    .object({ signer: z.string(), issuer: z.string(), isSigned: z.boolean().nullable(), isTrusted: z.boolean().nullable(), expires: z.string().nullable() })
    .optional(),
  ...SEEN,
  deviceCount: z.number().nullable(),
});

const PROCESS = z.object({
  fileName: z.string(),
  folderPath: z.string(),
  sha1: z.string(),
  account: z.string(),
  parent: z.string(),
  commandLines: SET,
  ...SEEN,
});

const CONNECTION = z.object({
  remoteUrl: z.string(),
  instance: z.string(),
  remotePort: z.number().nullable(),
  remoteIPs: SET,
  process: z.string(),
  ...SEEN,
  deviceCount: z.number().nullable(),
});

const INSTANCE = z.object({ instance: z.string(), deviceCount: z.number().nullable(), lastSeen: z.string() });

/** The stored facts' schema. */
export const EVIDENCE_FACTS = z.object({
  device: DEVICE.optional(),
  instances: LIST(INSTANCE),
  /** Absent for a tool without binaries (see `hunt/evidence-queries.ts`). */
  files: LIST(BINARY).optional(),
  processes: LIST(PROCESS).optional(),
  network: LIST(CONNECTION),
});

/** Evidence as stored. */
export type EvidenceFacts = z.infer<typeof EVIDENCE_FACTS>;
/** A device's context as stored. */
export type DeviceFacts = z.infer<typeof DEVICE>;

/** How much of the evidence is kept. */
export interface FactLimits {
  /** Items kept per list (binaries, processes, connections, instances). */
  readonly items: number;
  /** Values kept per set (names, paths, command lines, addresses, users). */
  readonly values: number;
}

/** What the evidence card keeps: three of each, two values of each set. */
export const CARD_FACTS: FactLimits = { items: 3, values: 2 };
/** What an escalation keeps: the summary the incident thread needs. */
export const SUMMARY_FACTS: FactLimits = { items: 2, values: 1 };

function setOf(set: Bounded<string>, limits: FactLimits): z.infer<typeof SET> {
  const values = set.values.slice(0, limits.values);
  return { values: [...values], more: set.total - values.length };
}

function listOf<T, U>(section: Section<T> | { readonly rows: readonly T[]; readonly total: number }, limits: FactLimits, map: (row: T) => U): { items: U[]; more: number } {
  const items = section.rows.slice(0, limits.items).map(map);
  return { items, more: Math.max(0, section.total - items.length) };
}

const iso = (date: Date): string => date.toISOString();

/** A device's context as stored. */
export function deviceFacts(device: NonNullable<Evidence['device']>, limits: FactLimits): DeviceFacts {
  return {
    reportedAt: iso(device.reportedAt),
    osPlatform: device.osPlatform,
    osVersion: device.osVersion,
    deviceType: device.deviceType,
    machineGroup: device.machineGroup,
    exposureLevel: device.exposureLevel,
    publicIp: device.publicIp,
    loggedOnUsers: setOf(device.loggedOnUsers, limits),
    onboardingStatus: device.onboardingStatus,
  };
}

/** The facts to store of `evidence`, keeping what `limits` allow. */
export function evidenceFacts(evidence: Evidence, limits: FactLimits): EvidenceFacts {
  const seen = (row: { firstSeen: Date; lastSeen: Date; count: number }) => ({ firstSeen: iso(row.firstSeen), lastSeen: iso(row.lastSeen), count: row.count });
  return {
    ...(evidence.device ? { device: deviceFacts(evidence.device, limits) } : {}),
    instances: listOf({ rows: evidence.instances, total: evidence.instances.length }, limits, (i) => ({ instance: i.instance, deviceCount: i.deviceCount, lastSeen: iso(i.lastSeen) })),
    ...(evidence.files
      ? {
          files: listOf(evidence.files, limits, (b) => ({
            sha1: b.sha1,
            fileNames: setOf(b.fileNames, limits),
            folderPaths: setOf(b.folderPaths, limits),
            originUrls: setOf(b.originUrls, limits),
            ...(b.signature ? { signature: { ...b.signature, expires: b.signature.expires ? iso(b.signature.expires) : null } } : {}),
            ...seen(b),
            deviceCount: b.deviceCount,
          })),
        }
      : {}),
    ...(evidence.processes
      ? {
          processes: listOf(evidence.processes, limits, (p) => ({
            fileName: p.fileName,
            folderPath: p.folderPath,
            sha1: p.sha1,
            account: p.account,
            parent: p.parent,
            commandLines: setOf(p.commandLines, limits),
            ...seen(p),
          })),
        }
      : {}),
    network: listOf(evidence.network, limits, (c) => ({
      remoteUrl: c.remoteUrl,
      instance: c.instance,
      remotePort: c.remotePort,
      remoteIPs: setOf(c.remoteIPs, limits),
      process: c.process,
      ...seen(c),
      deviceCount: c.deviceCount,
    })),
  };
}
