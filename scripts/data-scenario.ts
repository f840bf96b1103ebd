/**
 * The planted scenario of the generated data: which device had which RMM tool (or a look-alike
 * that no hunt may find), when, and with which certificate subject. It is written by hand so
 * that tests and `data/sample/README.md` can state the expected devices of a hunt by hand.
 * Times are days before the data set's anchor; the default hunt window is the last 5 days. The
 * Kaseya stories of the evidence tables (`data-stories.ts`) give three of these sightings their
 * profiles.
 */
import { KASEYA_AGENT, OUTSIDE_AGENT_FOLDER, STORY_PROFILES } from './data-stories';

/** A program as Defender sees it: its file, version information, signature and where it connects. */
export interface VendorProfile {
  /** The catalog id of the tool whose hunts should find it; absent for a look-alike. */
  readonly tool?: string;
  readonly fileName: string;
  /** The folder of the file, ending with `\`. */
  readonly folder: string;
  readonly company: string;
  readonly product: string;
  readonly description: string;
  readonly version: string;
  /** The certificate authority that issued the signing certificate. */
  readonly issuer: string;
  /** Hosts the program connects to (`RemoteUrl`). */
  readonly urls: readonly string[];
}

/** One planted presence of a program on a device. */
export interface Sighting {
  /** Bare lower-case host name, as in the device inventory (`ws-fin-014`). */
  readonly device: string;
  /** Key of {@link PROFILES}. */
  readonly profile: string;
  /** The certificate subject Defender records as `Signer`. */
  readonly signer: string;
  /** Days before the anchor of the first and the last event, first ≥ last. */
  readonly daysAgo: readonly [number, number];
  /** `DeviceFileCertificateInfo` rows (0: the program's file was not seen by the certificate scan). */
  readonly certificates: number;
  /** Also start the program (`DeviceProcessEvents`, one per certificate row, at least one). */
  readonly process: boolean;
  /** Also connect to its hosts (`DeviceNetworkEvents`, one per certificate row, at least one). */
  readonly network: boolean;
  /** Why it is in the scenario. */
  readonly why: string;
}

const DIGICERT_G4 = 'DigiCert Trusted G4 Code Signing RSA4096 SHA384 2021 CA1';
const DIGICERT_SHA2 = 'DigiCert SHA2 Assured ID Code Signing CA';
const SECTIGO = 'Sectigo Public Code Signing CA R36';
const SECTIGO_EV = 'Sectigo Public Code Signing CA EV R36';
const GLOBALSIGN_EV = 'GlobalSign GCC R45 EV CodeSigning CA 2020';

function lookAlike(fileName: string, company: string, product: string, url: string): VendorProfile {
  return { fileName, folder: `C:\\Program Files\\${product}\\`, company, product, description: product, version: '2.1.0.4', issuer: SECTIGO, urls: [url] };
}

/** The programs of the scenario, real RMM agents and look-alikes. */
export const PROFILES: Readonly<Record<string, VendorProfile>> = {
  kaseya: { ...KASEYA_AGENT, folder: OUTSIDE_AGENT_FOLDER, urls: ['vsa.kaseya.net', 'managedsupport.kaseya.net'] },
  ...STORY_PROFILES,
  anydesk: {
    tool: 'anydesk',
    fileName: 'AnyDesk.exe',
    folder: 'C:\\Program Files (x86)\\AnyDesk\\',
    company: 'AnyDesk Software GmbH',
    product: 'AnyDesk',
    description: 'AnyDesk',
    version: '8.0.9',
    issuer: DIGICERT_G4,
    urls: ['relay-a1b2c3d4.net.anydesk.com', 'boot.net.anydesk.com'],
  },
  teamviewer: {
    tool: 'teamviewer',
    fileName: 'TeamViewer.exe',
    folder: 'C:\\Program Files\\TeamViewer\\',
    company: 'TeamViewer Germany GmbH',
    product: 'TeamViewer',
    description: 'TeamViewer 15',
    version: '15.51.6',
    issuer: DIGICERT_G4,
    urls: ['router15.teamviewer.com', 'client.teamviewer.com'],
  },
  screenconnect: {
    tool: 'connectwise',
    fileName: 'ScreenConnect.ClientService.exe',
    folder: 'C:\\Program Files (x86)\\ScreenConnect Client (4f1a2b3c4d5e6f70)\\',
    company: 'ScreenConnect Software',
    product: 'ScreenConnect',
    description: 'ScreenConnect Client Service',
    version: '23.9.8.8811',
    issuer: DIGICERT_G4,
    urls: ['instance-k2x9qz-relay.screenconnect.com'],
  },
  atera: {
    tool: 'atera',
    fileName: 'AteraAgent.exe',
    folder: 'C:\\Program Files\\ATERA Networks\\AteraAgent\\',
    company: 'Atera Networks Ltd.',
    product: 'AteraAgent',
    description: 'AteraAgent',
    version: '1.8.7.2',
    issuer: DIGICERT_SHA2,
    urls: ['agent-api.atera.com'],
  },
  splashtop: {
    tool: 'splashtop',
    fileName: 'SRService.exe',
    folder: 'C:\\Program Files (x86)\\Splashtop\\Splashtop Remote\\Server\\',
    company: 'Splashtop Inc.',
    product: 'Splashtop® Streamer',
    description: 'Splashtop Remote Service',
    version: '3.6.4.0',
    issuer: DIGICERT_G4,
    urls: ['st2-v3-dc.splashtop.com'],
  },
  ninjarmm: {
    tool: 'ninjarmm',
    fileName: 'NinjaRMMAgent.exe',
    folder: 'C:\\Program Files (x86)\\contoso-5f3c\\',
    company: 'NinjaRMM LLC',
    product: 'NinjaRMM Agent',
    description: 'NinjaRMM Agent Service',
    version: '5.9.1158',
    issuer: DIGICERT_G4,
    urls: ['app.ninjarmm.com'],
  },
  dwservice: {
    tool: 'dwservice',
    fileName: 'dwagent.exe',
    folder: 'C:\\Program Files\\DWAgent\\runtime\\',
    company: 'DWSNET OÜ',
    product: 'DWAgent',
    description: 'DWAgent',
    version: '1.10',
    issuer: SECTIGO,
    urls: ['node12.dwservice.net'],
  },
  servereye: {
    tool: 'server-eye',
    fileName: 'service.exe',
    folder: 'C:\\Program Files (x86)\\Server-Eye\\',
    company: 'Krämer IT Solutions GmbH',
    product: 'Server-Eye',
    description: 'Server-Eye Agent',
    version: '4.0.1',
    issuer: GLOBALSIGN_EV,
    urls: ['occ.server-eye.de'],
  },
  action1: {
    tool: 'action1',
    fileName: 'action1_agent.exe',
    folder: 'C:\\Windows\\Action1\\',
    company: 'Action1 Corporation',
    product: 'Action1 Agent',
    description: 'Action1 Endpoint Agent',
    version: '5.212.0',
    issuer: SECTIGO_EV,
    urls: ['server.action1.com'],
  },
  netsupport: {
    tool: 'netsupport',
    fileName: 'client32.exe',
    folder: 'C:\\ProgramData\\SupportTools\\',
    company: 'NetSupport Ltd',
    product: 'NetSupport Remote Control',
    description: 'NetSupport Client Application',
    version: '12.10.0',
    issuer: DIGICERT_SHA2,
    urls: ['geo.netsupportsoftware.com'],
  },
  'chrome-kaseya-site': {
    fileName: 'chrome.exe',
    folder: 'C:\\Program Files\\Google\\Chrome\\Application\\',
    company: 'Google LLC',
    product: 'Google Chrome',
    description: 'Google Chrome',
    version: '126.0.6478.127',
    issuer: DIGICERT_G4,
    urls: ['www.kaseya.com'],
  },
  kaseyatools: lookAlike('KTHelper.exe', 'KaseyaTools Ltd', 'KaseyaTools Helper', 'updates.kaseyatools.example'),
  notkaseya: lookAlike('nkagent.exe', 'NotKaseya Software', 'NotKaseya Agent', 'notkaseya.example'),
  mykaseyahelper: lookAlike('mkh.exe', 'MyKaseyaHelper Inc', 'MyKaseyaHelper', 'mykaseyahelper.example'),
  anydesktop: lookAlike('AnyDesktop.exe', 'AnyDesktop Software Ltd', 'AnyDesktop', 'cloud.anydesktop.example'),
  philandrosoftwares: lookAlike('pview.exe', 'philandro Softwares Ltd', 'philandro Viewer', 'philandro-softwares.example'),
  teamviewerx: lookAlike('TeamViewerX.exe', 'TeamViewerX GmbH', 'TeamViewerX', 'cdn.teamviewerx.example'),
  screenconnecting: lookAlike('sconn.exe', 'ScreenConnecting Services Ltd', 'ScreenConnecting', 'screenconnecting.example'),
  connectwiser: lookAlike('cwiser.exe', 'ConnectWiser Inc', 'ConnectWiser', 'connectwiser.example'),
  ateranetworking: lookAlike('ans.exe', 'Atera Networking Solutions', 'Atera Networking', 'ateranetworking.example'),
  ateranetwork: lookAlike('anl.exe', 'Atera Network Ltd', 'Atera Network', 'ateranetwork.example'),
  splashtopia: lookAlike('splashtopia.exe', 'Splashtopia LLC', 'Splashtopia', 'splashtopia.example'),
  ninjarmmtools: lookAlike('nrt.exe', 'NinjaRMMTools Inc', 'NinjaRMMTools', 'ninjarmmtools.example'),
  dwsnetoy: lookAlike('dwsy.exe', 'DWSNET OY', 'DWSNET Sync', 'dwsnet-oy.example'),
  kramer: lookAlike('kits.exe', 'Kramer IT Solutions GmbH', 'Kramer Monitor', 'kramer-it.example'),
  action10: lookAlike('a10.exe', 'Action10 Corporation', 'Action10 Planner', 'action10.example'),
  action1corp: lookAlike('a1c.exe', 'Action1 Corp', 'Action1 Corp Tools', 'action1corp.example'),
  netsupporter: lookAlike('nsr.exe', 'NetSupporter GmbH', 'NetSupporter', 'netsupporter.example'),
};

/** Devices of the scenario that are not joined to the domain: Defender shows their bare name. */
export const WORKGROUP_DEVICES: readonly string[] = ['lt-sal-305', 'lt-sal-118'];

function sighting(device: string, profile: string, signer: string, daysAgo: [number, number], certificates: number, why: string, also: { process?: boolean; network?: boolean } = {}): Sighting {
  return { device, profile, signer, daysAgo, certificates, process: also.process ?? false, network: also.network ?? false, why };
}

const PROC = { process: true };
const NET = { network: true };
const BOTH = { process: true, network: true };

/** The planted sightings. */
export const SIGHTINGS: readonly Sighting[] = [
  sighting('ws-fin-014', 'kaseya-foreign', 'Kaseya Holdings Inc.', [4.2, 0.3], 6, "Kaseya agent on a finance workstation, installed from the user's Downloads folder, talking to an unknown tenant: the case to chase", BOTH),
  sighting('lt-hr-207', 'kaseya', 'Kaseya US LLC', [2.5, 1.5], 3, 'laptop enrolled by an outside MSP', PROC),
  sighting('it-adm-003', 'kaseya-contoso', 'KASEYA HOLDINGS INC', [3.0, 0.5], 4, "known false positive: IT admin workstation whose agent talks to Contoso's own VSA server (subject in upper case)", BOTH),
  sighting('srv-mgmt-01', 'kaseya-vsa-server', 'Kaseya Limited', [4.5, 0.2], 8, "known false positive: management server hosting Contoso's VSA", NET),
  sighting('ws-eng-112', 'kaseya', 'Kaseya Holdings Inc.', [9, 7], 3, 'outside the 5-day window (7 to 9 days ago)'),
  sighting('ws-mkt-031', 'kaseyatools', 'KaseyaTools Ltd', [3, 1], 2, "look-alike: 'Kaseya' only inside a longer term", BOTH),
  sighting('ws-ops-044', 'notkaseya', 'NotKaseya Software', [2, 2], 1, "look-alike: 'Kaseya' only inside a longer term"),
  sighting('lt-sal-118', 'mykaseyahelper', 'MyKaseyaHelper Inc', [1, 1], 1, "look-alike: 'Kaseya' only inside a longer term"),
  sighting('ws-hr-019', 'chrome-kaseya-site', 'Google LLC', [1.5, 1.5], 1, "a browser visiting www.kaseya.com: not Kaseya's agent", NET),

  sighting('lt-sal-305', 'anydesk', 'AnyDesk Software GmbH', [3.5, 0.4], 5, 'AnyDesk on an off-domain sales laptop', BOTH),
  sighting('ws-fin-022', 'anydesk', 'philandro Software GmbH', [2.0, 1.0], 2, 'older AnyDesk build, signed by philandro', PROC),
  sighting('it-adm-001', 'anydesk', 'AnyDesk Software GmbH', [4.0, 0.8], 3, 'known false positive: IT admin workstation'),
  sighting('lt-mkt-221', 'anydesk', 'AnyDesk Software GmbH', [14, 12], 2, 'outside the 5-day window (12 to 14 days ago)'),
  sighting('ws-eng-140', 'anydesktop', 'AnyDesktop Software Ltd', [2, 1], 2, "look-alike: 'AnyDesktop' is not 'anydesk'", NET),
  sighting('ws-hr-009', 'philandrosoftwares', 'philandro Softwares Ltd', [1, 1], 1, "look-alike: 'Softwares' is not 'software'"),

  sighting('ws-hr-051', 'teamviewer', 'TeamViewer Germany GmbH', [1.2, 0.2], 4, 'TeamViewer started by a user', BOTH),
  sighting('srv-mgmt-02', 'teamviewer', 'TeamViewer GmbH', [4.6, 0.1], 6, 'known false positive: management server'),
  sighting('it-adm-002', 'teamviewer', 'TeamViewer Germany GmbH', [3.3, 2.2], 2, 'known false positive: IT admin workstation'),
  sighting('ws-leg-004', 'teamviewer', 'TeamViewer GmbH', [6.0, 5.6], 2, 'just outside the 5-day window (5.6 to 6 days ago)'),
  sighting('ws-ops-077', 'teamviewerx', 'TeamViewerX GmbH', [2.5, 2.5], 1, "look-alike: 'TeamViewerX' is not 'TeamViewer'", BOTH),

  sighting('ws-fin-031', 'screenconnect', 'ScreenConnect Software', [0.9, 0.1], 3, 'ScreenConnect client installed yesterday on a finance workstation', BOTH),
  sighting('srv-mgmt-01', 'screenconnect', 'ConnectWise, LLC', [4.4, 0.6], 5, 'known false positive: management server (its second tool)'),
  sighting('lt-eng-260', 'screenconnect', 'Continuum Managed Services LLC', [3.8, 3.1], 2, 'signed by Continuum Managed Services'),
  sighting('ws-ops-019', 'screenconnect', 'ConnectWise, Inc.', [20, 18], 2, 'outside the 5-day window (18 to 20 days ago)'),
  sighting('ws-sal-066', 'screenconnecting', 'ScreenConnecting Services Ltd', [1.5, 1.5], 1, "look-alike: 'ScreenConnecting' is not 'ScreenConnect'"),
  sighting('ws-eng-118', 'connectwiser', 'ConnectWiser Inc', [2.2, 2.2], 1, "look-alike: 'ConnectWiser' is not 'ConnectWise'"),

  sighting('ws-mkt-012', 'atera', 'Atera Networks Ltd', [2.8, 0.7], 4, 'Atera agent on a marketing workstation', BOTH),
  sighting('it-adm-004', 'atera', 'Atera Networks Ltd', [9.5, 8.0], 2, 'outside the 5-day window (8 to 9.5 days ago)'),
  sighting('ws-fin-045', 'ateranetworking', 'Atera Networking Solutions', [1.1, 1.1], 1, "look-alike: 'Networking' is not 'Networks'"),
  sighting('lt-hr-233', 'ateranetwork', 'Atera Network Ltd', [3, 3], 1, "look-alike: 'Network' is not 'Networks'"),

  sighting('lt-mkt-214', 'splashtop', 'Splashtop Inc.', [3.9, 1.9], 3, 'Splashtop Streamer on a marketing laptop', BOTH),
  sighting('ws-ops-090', 'splashtopia', 'Splashtopia LLC', [2, 2], 1, "look-alike: 'Splashtopia' is not 'Splashtop'"),

  sighting('srv-mgmt-03', 'ninjarmm', 'NinjaRMM LLC', [4.7, 0.3], 6, 'known false positive: management server', BOTH),
  sighting('ws-sal-023', 'ninjarmm', 'NinjaRMM LLC', [1.6, 0.6], 2, 'NinjaRMM agent on a sales workstation', PROC),
  sighting('ws-eng-155', 'ninjarmmtools', 'NinjaRMMTools Inc', [1, 1], 1, "look-alike: 'NinjaRMMTools' is not 'NinjaRMM'"),

  sighting('lt-eng-271', 'dwservice', 'DWSNET OÜ', [2.3, 0.9], 3, 'DWService agent: a non-ASCII signer', BOTH),
  sighting('ws-hr-064', 'dwsnetoy', 'DWSNET OY', [1.4, 1.4], 1, "look-alike: 'OY' is not 'OÜ'"),

  sighting('srv-file-01', 'servereye', 'Krämer IT Solutions GmbH', [4.1, 0.4], 4, 'Server-Eye monitoring on a file server: a non-ASCII signer', BOTH),
  sighting('ws-fin-058', 'kramer', 'Kramer IT Solutions GmbH', [2, 2], 1, "look-alike: 'Kramer' is not 'Krämer'"),

  sighting('ws-leg-011', 'action1', 'Action1 Corporation', [3.4, 0.9], 3, 'Action1 agent on a legal workstation', BOTH),
  sighting('ws-leg-015', 'action10', 'Action10 Corporation', [2, 2], 1, "look-alike: 'Action10' is not 'Action1'"),
  sighting('ws-hr-077', 'action1corp', 'Action1 Corp', [1, 1], 1, "look-alike: 'Corp' is not 'Corporation'"),

  sighting('ws-sal-047', 'netsupport', 'NetSupport Ltd', [0.6, 0.1], 2, 'NetSupport client run from ProgramData (the NetSupport RAT pattern)', BOTH),
  sighting('ws-sal-048', 'netsupporter', 'NetSupporter GmbH', [1, 1], 1, "look-alike: 'NetSupporter' is not 'netsupport'"),
];

/**
 * The devices the file-signature hunt of each planted tool finds over the default 5-day window,
 * worked out by hand from {@link SIGHTINGS}, bare names, sorted.
 */
export const EXPECTED_5D_FILE_SIGNATURE: Readonly<Record<string, readonly string[]>> = {
  kaseya: ['it-adm-003', 'lt-hr-207', 'srv-mgmt-01', 'ws-fin-014'],
  anydesk: ['it-adm-001', 'lt-sal-305', 'ws-fin-022'],
  teamviewer: ['it-adm-002', 'srv-mgmt-02', 'ws-hr-051'],
  connectwise: ['lt-eng-260', 'srv-mgmt-01', 'ws-fin-031'],
  atera: ['ws-mkt-012'],
  splashtop: ['lt-mkt-214'],
  ninjarmm: ['srv-mgmt-03', 'ws-sal-023'],
  dwservice: ['lt-eng-271'],
  'server-eye': ['srv-file-01'],
  action1: ['ws-leg-011'],
  netsupport: ['ws-sal-047'],
};

/** The devices the process hunt of each planted tool finds over the default 5-day window (by hand). */
export const EXPECTED_5D_PROCESS: Readonly<Record<string, readonly string[]>> = {
  kaseya: ['it-adm-003', 'lt-hr-207', 'ws-fin-014'],
  anydesk: ['lt-sal-305', 'ws-fin-022'],
  teamviewer: ['ws-hr-051'],
  connectwise: ['ws-fin-031'],
  atera: ['ws-mkt-012'],
  splashtop: ['lt-mkt-214'],
  ninjarmm: ['srv-mgmt-03', 'ws-sal-023'],
  dwservice: ['lt-eng-271'],
  'server-eye': ['srv-file-01'],
  action1: ['ws-leg-011'],
  netsupport: ['ws-sal-047'],
};

/** The devices the network hunt of each planted tool finds over the default 5-day window (by hand). */
export const EXPECTED_5D_NETWORK: Readonly<Record<string, readonly string[]>> = {
  kaseya: ['srv-mgmt-01', 'ws-fin-014'],
  anydesk: ['lt-sal-305'],
  teamviewer: ['ws-hr-051'],
  connectwise: ['ws-fin-031'],
  atera: ['ws-mkt-012'],
  splashtop: ['lt-mkt-214'],
  ninjarmm: ['srv-mgmt-03'],
  dwservice: ['lt-eng-271'],
  'server-eye': ['srv-file-01'],
  action1: ['ws-leg-011'],
  netsupport: ['ws-sal-047'],
};
