/**
 * The device inventory of a generated data set: workstations (`ws-fin-014`), laptops
 * (`lt-hr-207`), IT admin workstations (`it-adm-003`) and servers (`srv-mgmt-01`), each with
 * its Defender device id, address and primary user.
 *
 * Names: Defender shows `DeviceName` in lower case, as the fully qualified name for a device
 * joined to the domain (`ws-fin-014.corp.contoso.com`) and as the bare host name for one that
 * is not (`lt-sal-305`).
 */
import type { SeededRandom } from './data-random';

/** The DNS domain of the generated organisation. */
export const DOMAIN = 'corp.contoso.com';
const NETBIOS_DOMAIN = 'CONTOSO';

/** An account as Defender records it. */
export interface Account {
  readonly domain: string;
  readonly name: string;
  readonly sid: string;
  /** Empty for local and system accounts. */
  readonly upn: string;
  /** Empty for local and system accounts. */
  readonly objectId: string;
}

/** What a device is for. */
export type DeviceRole = 'workstation' | 'laptop' | 'admin' | 'server';

/** One device. */
export interface Device {
  /** Bare lower-case host name: `ws-fin-014`. */
  readonly host: string;
  /** `DeviceName` as Defender shows it. */
  readonly deviceName: string;
  /** 40 hexadecimal digits, as Defender's `DeviceId`. */
  readonly deviceId: string;
  readonly ip: string;
  readonly role: DeviceRole;
  readonly user: Account;
}

/** The `SYSTEM` account, as Defender records it. */
export const SYSTEM_ACCOUNT: Account = { domain: 'nt authority', name: 'system', sid: 'S-1-5-18', upn: '', objectId: '' };

const DEPARTMENTS = ['fin', 'hr', 'eng', 'mkt', 'sal', 'ops', 'leg'] as const;
const WORKSTATION_SHARE: Readonly<Record<(typeof DEPARTMENTS)[number], number>> = { fin: 40, hr: 25, eng: 55, mkt: 25, sal: 40, ops: 30, leg: 12 };
const SERVERS = ['srv-mgmt-01', 'srv-mgmt-02', 'srv-mgmt-03', 'srv-file-01', 'srv-file-02', 'srv-sql-01', 'srv-sql-02', 'srv-dc-01', 'srv-dc-02', 'srv-app-01', 'srv-app-02', 'srv-app-03', 'srv-web-01', 'srv-web-02'];
const FIRST_NAMES = ['anna', 'ben', 'carla', 'david', 'elena', 'farid', 'greta', 'hugo', 'ines', 'jonas', 'kim', 'lea', 'marco', 'nora', 'omar', 'paula', 'quentin', 'rosa', 'sven', 'tara', 'ugo', 'vera', 'wei', 'yara', 'zoe'];
const LAST_NAMES = ['berg', 'costa', 'dahl', 'evans', 'fischer', 'garcia', 'hansen', 'ito', 'jansen', 'kowalski', 'lopez', 'meyer', 'novak', 'olsen', 'petit', 'rossi', 'schmidt', 'tanaka', 'weber', 'young'];

/** How many devices of each kind an inventory has. */
export interface InventorySize {
  /** Workstations per department are this times a department's share (fin 40, hr 25, ...). */
  readonly scale: number;
  /** Digits of the device number: 3 for `ws-fin-014`. */
  readonly digits: number;
}

function account(random: SeededRandom, host: string, role: DeviceRole): Account {
  const first = random.pick(FIRST_NAMES);
  const last = random.pick(LAST_NAMES);
  const name = role === 'admin' ? `adm-${first[0]}${last}` : role === 'server' ? `svc-${host.split('-')[1]}` : `${first}.${last}`;
  return {
    domain: NETBIOS_DOMAIN.toLowerCase(),
    name,
    sid: `S-1-5-21-1004336348-1177238915-682003330-${random.int(1100, 99999)}`,
    upn: `${name}@contoso.com`,
    objectId: random.guid(),
  };
}

/**
 * Builds the inventory: generated names plus every name in `required` (the planted scenario's
 * devices), in a stable order. Devices in `workgroup` are not domain-joined.
 */
export function buildInventory(random: SeededRandom, size: InventorySize, required: readonly string[], workgroup: readonly string[]): Device[] {
  const limit = 10 ** size.digits - 1;
  const hosts = new Set<string>(required);
  const add = (prefix: string, count: number, from: number) => {
    let added = 0;
    while (added < count) {
      const host = `${prefix}-${String(random.int(from, limit)).padStart(size.digits, '0')}`;
      if (!hosts.has(host)) {
        hosts.add(host);
        added++;
      }
    }
  };
  for (const dept of DEPARTMENTS) add(`ws-${dept}`, WORKSTATION_SHARE[dept] * size.scale, 1);
  for (const dept of DEPARTMENTS) add(`lt-${dept}`, Math.ceil((WORKSTATION_SHARE[dept] * size.scale) / 5), Math.floor(limit / 5));
  for (let i = 1; i <= 6 * size.scale; i++) hosts.add(`it-adm-${String(i).padStart(size.digits, '0')}`);
  for (const server of SERVERS) hosts.add(server);

  const workgroupSet = new Set(workgroup);
  return [...hosts].sort().map((host, index) => {
    const role: DeviceRole = host.startsWith('srv-') ? 'server' : host.startsWith('it-adm-') ? 'admin' : host.startsWith('lt-') ? 'laptop' : 'workstation';
    const offDomain = workgroupSet.has(host) || (role === 'laptop' && !required.includes(host) && random.chance(0.1));
    return {
      host,
      deviceName: offDomain ? host : `${host}.${DOMAIN}`,
      deviceId: random.hex(40),
      ip: role === 'server' ? `10.10.0.${10 + (index % 240)}` : `10.${20 + (Math.floor(index / 240) % 200)}.${1 + (index % 240)}.${random.int(10, 250)}`,
      role,
      user: account(random, host, role),
    };
  });
}
