/**
 * The catalog's curated knowledge: the judgements a human made about the LOLRMM data, in one
 * declarative place, each with the reason the review file prints. Everything else the extractor
 * decides by rule (see `vetting.ts`).
 */

/**
 * LOLRMM `RAT` entries that are not remote-control tools. They are left out of the catalog (the
 * review file lists each with its reason); every other `RAT` entry — VNC and RDP clients and
 * servers, remote-desktop streaming, connection managers, remote-shell services, commodity RATs —
 * is kept, with the category `RAT`.
 */
export const NOT_REMOTE_CONTROL: Readonly<Record<string, string>> = {
  ...group('file transfer, sync, backup or cloud storage, not remote control', [
    'beinsync.yaml',
    'dragondisk.yaml',
    'duplicati.yaml',
    'idrive.yaml',
    'insync.yaml',
    'koofr.yaml',
    'megasync.yaml',
    'multcloud.yaml',
    'nordlocker.yaml',
    'onionshare.yaml',
    's3_browser.yaml',
    'smartftp.yaml',
    'syncthing.yaml',
    'winscp.yaml',
    'yandex.disk.yaml',
  ]),
  ...group('project management, not remote control', ['basecamp.yaml']),
  ...group('an SSH or terminal client or server, not remote control', [
    'bitvise_ssh_client.yaml',
    'bitvise_ssh_server.yaml',
    'chrome_ssh_extension.yaml',
    'extraputty.yaml',
    'kitty.yaml',
    'mobaxterm.yaml',
    'putty.yaml',
    'putty_tray.yaml',
    'securecrt.yaml',
    'smartty.yaml',
    'solar-putty.yaml',
    'superputty.yaml',
    'xshell.yaml',
    'zoc.yaml',
  ]),
  ...group('a network tunnel or VPN, not remote control', [
    'cloudflare_tunnel.yaml',
    'dev_tunnels_(aka_visual_studio_dev_tunnel).yaml',
    'visual_studio_dev_tunnel.yaml',
    'localxpose.yaml',
    'ngrok.yaml',
    'pitunnel.yaml',
    'rdp2tcp.yaml',
    'netbird.yaml',
    'tailscale.yaml',
    'zerotier.yaml',
  ]),
  ...group('keyboard and mouse sharing between desks, not remote control', ['mousewithoutborders.yaml', 'synergy.yaml']),
  ...group("Windows' own Remote Desktop client, on every Windows device", ['mstsc.yaml']),
  ...group('remote command execution (PsExec and its clones), not remote control', ['psexec.yaml', 'psexec_(clone).yaml']),
  ...group('a network utility, not remote control', ['free_ping_tool.yaml']),
};

function group(reason: string, files: readonly string[]): Record<string, string> {
  return Object.fromEntries(files.map((file) => [file, reason]));
}

/**
 * LOLRMM files that are one tool under another name: merged into the tool with this id (a public
 * rule's tool, or the LOLRMM tool the id names). Entries whose names or aliases coincide are
 * merged without being listed here.
 */
export const MERGES: Readonly<Record<string, string>> = {
  '247ithelp.com_(connectwise).yaml': 'connectwise',
  'itsupport247_(connectwise).yaml': 'connectwise',
  'itsupport247connectwise.yaml': 'connectwise',
  'labteachconnectwiseautomate.yaml': 'connectwise',
  'labtech_rmm_(now_connectwise_automate).yaml': 'connectwise',
  'screenconnect.yaml': 'connectwise',
  'gotoassist.yaml': 'logmein',
  'gotoassist_(goto_resolve).yaml': 'logmein',
  'gotoassist_agent_desktop_console.yaml': 'logmein',
  'goto_opener.yaml': 'logmein',
  'logmein_rescue.yaml': 'logmein',
  'beyondtrust.yaml': 'beyondtrust',
  'beyondtrust_(bomgar).yaml': 'beyondtrust',
  'ninjaone_(formerly_ninjarmm).yaml': 'ninjarmm',
  'ninjarmm.yaml': 'ninjarmm',
  'centrastage_(now_datto).yaml': 'datto',
  'fixme.yaml': 'techinline',
  'n-able_advanced_monitoring_agent.yaml': 'n-able',
  'n-ableadvancedmonitoringagent.yaml': 'n-able',
  'n-able_remote_access_software.yaml': 'n-able',
  'beanywhere.yaml': 'n-able',
  'microsoft_quick_assist.yaml': 'quick-assist',
  'quickassist.yaml': 'quick-assist',
  'devolutions_remote_desktop_manager.yaml': 'remote-desktop-manager',
  'remote_desktop_manager_(devolutions).yaml': 'remote-desktop-manager',
  'vnc_connect.yaml': 'realvnc',
  'ultra_vnc.yaml': 'ultravnc',
  'ultravnc.yaml': 'ultravnc',
  'netop.yaml': 'netop',
  'netop_remote_control_(aka_impero_connect).yaml': 'netop',
  'netop_remote_control_(impero_connect).yaml': 'netop',
  'imperoconnect.yaml': 'netop',
  'pandora_rc_(ehorus).yaml': 'ehorus',
  'pocket_controller_(soti_xsight).yaml': 'pocket-controller',
  'netviewer_(gotomeet).yaml': 'netviewer',
  'splashtop_remote.yaml': 'splashtop',
  'electric_ai_(kaseya).yaml': 'electric-ai',
  'kabuto.yaml': 'syncro',
  'manage_engine_(desktop_central).yaml': 'manageengine',
  'manageengine.yaml': 'manageengine',
  'fleetdeck.yaml': 'fleetdeck',
};

/** Display names and aliases of tools that only LOLRMM names, where its own name does not do. */
export const IDENTITIES: Readonly<Record<string, { readonly name: string; readonly aliases?: readonly string[] }>> = {
  'quick-assist': { name: 'Quick Assist', aliases: ['microsoft quick assist', 'quickassist'] },
  'remote-desktop-manager': { name: 'Remote Desktop Manager', aliases: ['devolutions', 'devolutions remote desktop manager', 'rdm'] },
  ultravnc: { name: 'UltraVNC', aliases: ['ultra vnc', 'uvnc'] },
  netop: { name: 'Netop Remote Control', aliases: ['netop', 'impero connect', 'imperoconnect'] },
  ehorus: { name: 'eHorus', aliases: ['pandora rc'] },
  'pocket-controller': { name: 'Pocket Controller', aliases: ['soti xsight'] },
  netviewer: { name: 'Netviewer', aliases: [] },
  'electric-ai': { name: 'Electric AI', aliases: [] },
  vnc: { name: 'VNC', aliases: [] },
  manageengine: { name: 'ManageEngine', aliases: ['manage engine', 'desktop central', 'endpoint central'] },
};

/**
 * Signers of general-purpose vendors: they sign much of every Windows machine, so they never hunt
 * a tool by file signature, whatever the tool (its process or network evidence hunts it instead).
 */
export const GENERAL_PURPOSE_SIGNERS: ReadonlyArray<{ readonly pattern: RegExp; readonly vendor: string }> = [
  { pattern: /^microsoft\b/i, vendor: 'Microsoft' },
  { pattern: /^(codesigningmico|globalsigningdig)$/i, vendor: 'Microsoft (truncated names of its signing chain)' },
  { pattern: /^google\b/i, vendor: 'Google' },
  { pattern: /^apple\b/i, vendor: 'Apple' },
  { pattern: /^adobe\b/i, vendor: 'Adobe' },
  { pattern: /^amazon\b/i, vendor: 'Amazon' },
  { pattern: /^symantec\b/i, vendor: 'Symantec' },
  { pattern: /^oracle\b/i, vendor: 'Oracle' },
  { pattern: /^intel\b/i, vendor: 'Intel' },
  { pattern: /^github\b/i, vendor: 'GitHub' },
  { pattern: /^\.net$/i, vendor: '.NET' },
  { pattern: /^certification authority$/i, vendor: 'a certification authority' },
];

/**
 * Software that LOLRMM lists under remote-access tools but that is another product: its signers and
 * file names never hunt an RMM tool (a device with only PuTTY or WinSCP on it is no RMM finding).
 */
export const OTHER_PRODUCTS: ReadonlyArray<{ readonly product: string; readonly signers: readonly RegExp[]; readonly fileNames: readonly string[] }> = [
  { product: 'PuTTY', signers: [/^simon tatham$/i], fileNames: ['putty.exe', 'plink.exe', 'pscp.exe', 'psftp.exe', 'puttygen.exe', 'pageant.exe', 'puttytel.exe'] },
  { product: 'WinSCP', signers: [/^martin prikryl$/i], fileNames: ['winscp.exe', 'winscp.com'] },
  { product: 'Bitvise SSH', signers: [/^bitvise\b/i], fileNames: ['bvssh.exe', 'bvsshserver.exe', 'bvsshclient-inst.exe', 'bvsshserver-inst.exe'] },
  { product: 'WinRAR', signers: [/^win\.rar\b/i, /^alexander roshal$/i], fileNames: ['winrar.exe', 'rar.exe', 'unrar.exe'] },
  { product: 'OpenVPN', signers: [/^openvpn\b/i], fileNames: ['openvpn.exe'] },
  { product: 'Unity and Oculus', signers: [/^unity technologies\b/i, /^oculus\b/i], fileNames: [] },
  { product: 'Tuxera NTFS', signers: [/^tuxera\b/i], fileNames: [] },
];

/**
 * Registrable domains of general-purpose vendors and shared platforms: a host under one of them is
 * too generic to hunt a tool on — except a vendor's host for that vendor's own product (the tool's
 * website is on the same domain), and a cloud tenant's own host (`<account>.blob.core.windows.net`,
 * a registrable domain under one of the Public Suffix List's private suffixes).
 */
export const GENERIC_DOMAINS: ReadonlyMap<string, { readonly reason: string; readonly allows?: 'own-product' | 'tenants' }> = new Map([
  ...domains({ reason: 'a code-hosting site' }, ['github.com', 'githubusercontent.com', 'github.io', 'ghcr.io', 'gitlab.com']),
  ...domains({ reason: 'a general-purpose vendor', allows: 'own-product' }, ['microsoft.com', 'google.com', 'googleapis.com', 'gstatic.com', 'apple.com', 'amazon.com', 'visualstudio.com']),
  ...domains({ reason: 'a cloud platform', allows: 'tenants' }, [
    'amazonaws.com',
    'windows.net',
    'azurewebsites.net',
    'cloudflare.com',
    'cloudflare.net',
    'cloudflarestorage.com',
    'cloudfront.net',
    'firebaseapp.com',
    'web.app',
    'pages.dev',
  ]),
  ...domains({ reason: 'a software download portal' }, ['softonic.com', 'informer.com', 'downloads.io']),
  ...domains({ reason: 'a public STUN server' }, ['stunprotocol.org']),
]);

function domains<T>(value: T, names: readonly string[]): Array<[string, T]> {
  return names.map((name) => [name, value]);
}

/** File names every kind of software uses: too generic to hunt a tool on. */
export const GENERIC_FILE_NAMES: ReadonlySet<string> = new Set([
  'agent.exe',
  'autoupdate.exe',
  'client.exe',
  'connect.exe',
  'httpget.exe',
  'install.exe',
  'installer.exe',
  'installshield setup.exe',
  'launcher.exe',
  'notificationhelper.exe',
  'online backup.exe',
  'recycler.exe',
  'remote access.exe',
  'remote desktop.exe',
  'selfupdater.exe',
  'server.exe',
  'service.exe',
  'setup.exe',
  'supporttool.exe',
  'uninstall.exe',
  'update.exe',
  'updater.exe',
  'upload.exe',
]);

/** Windows' own programs: on every Windows device, they never hunt a tool. */
export const WINDOWS_FILE_NAMES: ReadonlySet<string> = new Set([
  'cmd.exe',
  'conhost.exe',
  'dwm.exe',
  'explorer.exe',
  'msiexec.exe',
  'msra.exe',
  'mstsc.exe',
  'powershell.exe',
  'rundll32.exe',
  'svchost.exe',
]);

/** Words of company names that say nothing about which company it is. */
export const LEGAL_WORDS: ReadonlySet<string> = new Set([
  'ab', 'ag', 'aps', 'as', 'bv', 'bvba', 'co', 'company', 'corp', 'corporation', 'd', 'doo', 'gmbh', 'inc', 'incorporated', 'ip',
  'kft', 'l', 'limited', 'llc', 'ltd', 'ltda', 'nv', 'o', 'oy', 'oü', 'plc', 'private', 'pte', 'pty', 'pvt', 'r', 's', 'sa', 'sarl',
  'sas', 'sl', 'spa', 'spol', 'srl', 'sro', 'the',
]);

/** Words too common in product and company names to tie a signer to one tool on their own. */
export const COMMON_WORDS: ReadonlySet<string> = new Set([
  'access', 'admin', 'agent', 'app', 'apps', 'assist', 'china', 'cloud', 'communications', 'computing', 'connect', 'control',
  'data', 'design', 'desktop', 'development', 'digital', 'group', 'help', 'holdings', 'information', 'international', 'it',
  'lab', 'labs', 'management', 'manager', 'monitoring', 'network', 'networks', 'online', 'pc', 'remote', 'rmm', 'security',
  'server', 'service', 'services', 'software', 'solutions', 'support', 'system', 'systems', 'tech', 'technologies',
  'technology', 'tools', 'utilities', 'viewer', 'web', 'www',
]);
