/**
 * The LOLRMM story of the sample data: devices with tools only LOLRMM names (found by the catalog's
 * LOLRMM hunts), and a device with only PuTTY and WinSCP on it, which no RMM hunt may list. Its
 * devices are its own (not in the inventory) and its rows come after every other row of a table,
 * from their own random stream, so that nothing else in the data set changes.
 */
import type { Device } from './data-devices';
import { DOMAIN } from './data-devices';
import type { SeededRandom } from './data-random';
import type { Sighting, VendorProfile } from './data-scenario';

const SECTIGO = 'Sectigo Public Code Signing CA R36';
const DIGICERT_G4 = 'DigiCert Trusted G4 Code Signing RSA4096 SHA384 2021 CA1';

/** The programs of the story. */
export const LOLRMM_PROFILES: Readonly<Record<string, VendorProfile>> = {
  todesk: {
    tool: 'todesk',
    fileName: 'ToDesk.exe',
    folder: 'C:\\Program Files\\ToDesk\\',
    company: 'Hainan YouQu Technology Co., Ltd',
    product: 'ToDesk',
    description: 'ToDesk Remote Desktop',
    version: '4.7.2.0',
    issuer: DIGICERT_G4,
    urls: ['api.todesk.com'],
  },
  hoptodesk: {
    tool: 'hoptodesk',
    fileName: 'HopToDesk.exe',
    folder: 'C:\\Users\\Public\\Downloads\\',
    company: 'Begonia Holdings LLC',
    product: 'HopToDesk',
    description: 'HopToDesk',
    version: '1.42.8',
    issuer: SECTIGO,
    urls: ['signal.hoptodesk.com', 'turn.hoptodesk.com'],
  },
  sunlogin: {
    tool: 'sunlogin',
    fileName: 'OrayRemoteService.exe',
    folder: 'C:\\Program Files\\Oray\\SunLogin\\SunloginClient\\',
    company: 'Shanghai Best Oray Information Technology Co., Ltd.',
    product: 'SunloginClient',
    description: 'Sunlogin Remote Service',
    version: '15.2.0.63064',
    issuer: DIGICERT_G4,
    urls: ['client.oray.net'],
  },
  absolute: {
    tool: 'absolute',
    fileName: 'rpcnet.exe',
    folder: 'C:\\Windows\\SysWOW64\\',
    company: 'Absolute Software Corp.',
    product: 'Absolute Persistence',
    description: 'Absolute Persistence Module',
    version: '7.1.0.12',
    issuer: DIGICERT_G4,
    urls: ['search.namequery.com'],
  },
  putty: {
    fileName: 'putty.exe',
    folder: 'C:\\Program Files\\PuTTY\\',
    company: 'Simon Tatham',
    product: 'PuTTY suite',
    description: 'SSH, Telnet, Rlogin, and SUPDUP client',
    version: '0.81.0.0',
    issuer: SECTIGO,
    urls: ['bastion.corp.contoso.com'],
  },
  winscp: {
    fileName: 'WinSCP.exe',
    folder: 'C:\\Program Files (x86)\\WinSCP\\',
    company: 'Martin Prikryl',
    product: 'WinSCP',
    description: 'WinSCP: SFTP, FTP, WebDAV, S3 and SCP client',
    version: '6.3.4.0',
    issuer: SECTIGO,
    urls: ['sftp.corp.contoso.com'],
  },
};

/** The story's sightings, each on a device of its own. */
export const LOLRMM_SIGHTINGS: readonly Sighting[] = [
  { device: 'ws-ops-203', profile: 'todesk', signer: 'Hainan YouQu Technology Co., Ltd', daysAgo: [2.6, 0.7], certificates: 2, process: true, network: true, why: 'ToDesk, a tool only LOLRMM names' },
  { device: 'lt-sal-341', profile: 'hoptodesk', signer: 'Begonia Holdings LLC', daysAgo: [1.2, 0.4], certificates: 2, process: true, network: true, why: 'HopToDesk run from a Downloads folder' },
  { device: 'ws-eng-207', profile: 'sunlogin', signer: 'Shanghai Best Oray Information Technology Co., Ltd.', daysAgo: [3.4, 1.1], certificates: 2, process: true, network: true, why: 'SunLogin remote control' },
  { device: 'lt-fin-322', profile: 'absolute', signer: 'Absolute Software Corp.', daysAgo: [4.1, 0.5], certificates: 3, process: true, network: true, why: "Absolute's persistence agent: LOLRMM's own signer, program and domain" },
  { device: 'ws-eng-214', profile: 'putty', signer: 'Simon Tatham', daysAgo: [3.0, 0.2], certificates: 3, process: true, network: true, why: 'only PuTTY: no RMM hunt may list it' },
  { device: 'ws-eng-214', profile: 'winscp', signer: 'Martin Prikryl', daysAgo: [2.0, 0.6], certificates: 2, process: true, network: true, why: 'only WinSCP besides PuTTY: no RMM hunt may list it' },
];

/** The devices the LOLRMM hunts find over the default 5-day window, by hand: tool id → kind → bare names. */
export const EXPECTED_5D_LOLRMM: Readonly<Record<string, Readonly<Record<'file-signature' | 'process' | 'network', readonly string[]>>>> = {
  todesk: { 'file-signature': [], process: ['ws-ops-203'], network: ['ws-ops-203'] },
  hoptodesk: { 'file-signature': [], process: ['lt-sal-341'], network: ['lt-sal-341'] },
  sunlogin: { 'file-signature': [], process: ['ws-eng-207'], network: ['ws-eng-207'] },
  absolute: { 'file-signature': ['lt-fin-322'], process: ['lt-fin-322'], network: ['lt-fin-322'] },
};

/** The device with only PuTTY and WinSCP on it. */
export const PUTTY_WINSCP_DEVICE = 'ws-eng-214';

/** The story's devices, domain-joined workstations and laptops with their own ids and users. */
export function lolrmmDevices(random: SeededRandom): Map<string, Device> {
  const hosts = [...new Set(LOLRMM_SIGHTINGS.map((s) => s.device))];
  return new Map(
    hosts.map((host, index) => {
      const name = `user${index + 1}.${host.split('-')[1]}`;
      const device: Device = {
        host,
        deviceName: `${host}.${DOMAIN}`,
        deviceId: random.hex(40),
        ip: `10.30.${index + 1}.${random.int(10, 250)}`,
        role: host.startsWith('lt-') ? 'laptop' : 'workstation',
        user: { domain: 'contoso', name, sid: `S-1-5-21-1004336348-1177238915-682003330-${random.int(1100, 99999)}`, upn: `${name}@contoso.com`, objectId: random.guid() },
      };
      return [host, device];
    }),
  );
}
