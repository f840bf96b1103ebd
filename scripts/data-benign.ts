/**
 * The everyday software of the generated organisation: what fills the tables around the planted
 * scenario. None of it is an RMM tool, and no signer here contains a catalog signer as whole
 * terms (the generator's test checks that).
 */

/** A benign program. */
export interface BenignProgram {
  readonly signer: string;
  readonly issuer: string;
  readonly fileName: string;
  /** The folder of the file, ending with `\`. */
  readonly folder: string;
  readonly company: string;
  readonly product: string;
  readonly description: string;
  readonly version: string;
  /** Hosts it connects to; empty when it makes no connections worth recording. */
  readonly urls: readonly string[];
  /** Relative frequency. */
  readonly weight: number;
  /** Signed by Microsoft's own root. */
  readonly microsoftRoot?: boolean;
  /** Verified through a catalog file rather than an embedded signature (Windows binaries). */
  readonly catalogSigned?: boolean;
}

const MS_PCA = 'Microsoft Code Signing PCA 2011';
const MS_WINDOWS_PCA = 'Microsoft Windows Production PCA 2011';
const DIGICERT_G4 = 'DigiCert Trusted G4 Code Signing RSA4096 SHA384 2021 CA1';
const DIGICERT_SHA2 = 'DigiCert SHA2 Assured ID Code Signing CA';
const SECTIGO = 'Sectigo Public Code Signing CA R36';
const GLOBALSIGN = 'GlobalSign GCC R45 CodeSigning CA 2020';
const ENTRUST = 'Entrust Code Signing CA - OVCS2';

/** The benign programs, with how often each is seen. */
export const BENIGN_PROGRAMS: readonly BenignProgram[] = [
  { signer: 'Microsoft Windows', issuer: MS_WINDOWS_PCA, fileName: 'svchost.exe', folder: 'C:\\Windows\\System32\\', company: 'Microsoft Corporation', product: 'Microsoft® Windows® Operating System', description: 'Host Process for Windows Services', version: '10.0.22621.3527', urls: ['settings-win.data.microsoft.com', 'v10.events.data.microsoft.com'], weight: 14, microsoftRoot: true, catalogSigned: true },
  { signer: 'Microsoft Windows', issuer: MS_WINDOWS_PCA, fileName: 'explorer.exe', folder: 'C:\\Windows\\', company: 'Microsoft Corporation', product: 'Microsoft® Windows® Operating System', description: 'Windows Explorer', version: '10.0.22621.3672', urls: [], weight: 8, microsoftRoot: true, catalogSigned: true },
  { signer: 'Microsoft Windows', issuer: MS_WINDOWS_PCA, fileName: 'powershell.exe', folder: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\', company: 'Microsoft Corporation', product: 'Microsoft® Windows® Operating System', description: 'Windows PowerShell', version: '10.0.22621.3085', urls: [], weight: 4, microsoftRoot: true, catalogSigned: true },
  { signer: 'Microsoft Windows Publisher', issuer: MS_WINDOWS_PCA, fileName: 'MsMpEng.exe', folder: 'C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.24050.7-0\\', company: 'Microsoft Corporation', product: 'Microsoft® Windows® Operating System', description: 'Antimalware Service Executable', version: '4.18.24050.7', urls: ['wdcp.microsoft.com'], weight: 5, microsoftRoot: true },
  { signer: 'Microsoft Corporation', issuer: MS_PCA, fileName: 'msedge.exe', folder: 'C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\', company: 'Microsoft Corporation', product: 'Microsoft Edge', description: 'Microsoft Edge', version: '126.0.2592.87', urls: ['www.bing.com', 'login.microsoftonline.com', 'contoso.sharepoint.com'], weight: 10, microsoftRoot: true },
  { signer: 'Microsoft Corporation', issuer: MS_PCA, fileName: 'ms-teams.exe', folder: 'C:\\Program Files\\WindowsApps\\MSTeams_24152.412.2958.916_x64__8wekyb3d8bbwe\\', company: 'Microsoft Corporation', product: 'Microsoft Teams', description: 'Microsoft Teams', version: '24152.412.2958.916', urls: ['teams.microsoft.com', 'teams.events.data.microsoft.com'], weight: 9, microsoftRoot: true },
  { signer: 'Microsoft Corporation', issuer: MS_PCA, fileName: 'OUTLOOK.EXE', folder: 'C:\\Program Files\\Microsoft Office\\root\\Office16\\', company: 'Microsoft Corporation', product: 'Microsoft Outlook', description: 'Microsoft Outlook', version: '16.0.17628.20144', urls: ['outlook.office365.com'], weight: 8, microsoftRoot: true },
  { signer: 'Microsoft Corporation', issuer: MS_PCA, fileName: 'OneDrive.exe', folder: 'C:\\Program Files\\Microsoft OneDrive\\', company: 'Microsoft Corporation', product: 'Microsoft OneDrive', description: 'Microsoft OneDrive', version: '24.116.0609.0004', urls: ['contoso-my.sharepoint.com', 'g.live.com'], weight: 6, microsoftRoot: true },
  { signer: 'Microsoft Corporation', issuer: MS_PCA, fileName: 'Code.exe', folder: 'C:\\Program Files\\Microsoft VS Code\\', company: 'Microsoft Corporation', product: 'Visual Studio Code', description: 'Visual Studio Code', version: '1.90.2', urls: ['marketplace.visualstudio.com', 'update.code.visualstudio.com'], weight: 3, microsoftRoot: true },
  { signer: 'Google LLC', issuer: DIGICERT_G4, fileName: 'chrome.exe', folder: 'C:\\Program Files\\Google\\Chrome\\Application\\', company: 'Google LLC', product: 'Google Chrome', description: 'Google Chrome', version: '126.0.6478.127', urls: ['www.google.com', 'update.googleapis.com', 'clients2.google.com'], weight: 9 },
  { signer: 'Google LLC', issuer: DIGICERT_G4, fileName: 'GoogleUpdate.exe', folder: 'C:\\Program Files (x86)\\Google\\Update\\', company: 'Google LLC', product: 'Google Update', description: 'Google Installer', version: '1.3.36.372', urls: ['update.googleapis.com'], weight: 3 },
  { signer: 'Adobe Inc.', issuer: DIGICERT_G4, fileName: 'Acrobat.exe', folder: 'C:\\Program Files\\Adobe\\Acrobat DC\\Acrobat\\', company: 'Adobe Systems Incorporated', product: 'Adobe Acrobat', description: 'Adobe Acrobat', version: '24.2.20857.0', urls: ['acroipm2.adobe.com'], weight: 4 },
  { signer: 'Mozilla Corporation', issuer: DIGICERT_SHA2, fileName: 'firefox.exe', folder: 'C:\\Program Files\\Mozilla Firefox\\', company: 'Mozilla Corporation', product: 'Firefox', description: 'Firefox', version: '127.0.2', urls: ['www.mozilla.org', 'firefox.settings.services.mozilla.com'], weight: 3 },
  { signer: 'Zoom Video Communications, Inc.', issuer: DIGICERT_G4, fileName: 'Zoom.exe', folder: 'C:\\Users\\Public\\AppData\\Roaming\\Zoom\\bin\\', company: 'Zoom Video Communications, Inc.', product: 'Zoom', description: 'Zoom Meetings', version: '6.1.1.36333', urls: ['zoom.us'], weight: 3 },
  { signer: 'Cisco Systems, Inc.', issuer: DIGICERT_SHA2, fileName: 'vpnui.exe', folder: 'C:\\Program Files (x86)\\Cisco\\Cisco Secure Client\\', company: 'Cisco Systems, Inc.', product: 'Cisco Secure Client', description: 'Cisco Secure Client User Interface', version: '5.1.3.62', urls: ['vpn.contoso.com'], weight: 3 },
  { signer: 'Slack Technologies, LLC', issuer: DIGICERT_G4, fileName: 'slack.exe', folder: 'C:\\Program Files\\Slack\\', company: 'Slack Technologies Inc.', product: 'Slack', description: 'Slack', version: '4.38.125', urls: ['app.slack.com'], weight: 2 },
  { signer: 'Dropbox, Inc', issuer: DIGICERT_SHA2, fileName: 'Dropbox.exe', folder: 'C:\\Program Files (x86)\\Dropbox\\Client\\', company: 'Dropbox, Inc.', product: 'Dropbox', description: 'Dropbox', version: '201.4.5623', urls: ['client.dropbox.com'], weight: 1 },
  { signer: 'Oracle America, Inc.', issuer: DIGICERT_SHA2, fileName: 'java.exe', folder: 'C:\\Program Files\\Java\\jre-1.8\\bin\\', company: 'Oracle Corporation', product: 'Java(TM) Platform SE 8', description: 'Java(TM) Platform SE binary', version: '8.0.4110.9', urls: ['javadl-esd-secure.oracle.com'], weight: 1 },
  { signer: 'Dell Inc', issuer: DIGICERT_SHA2, fileName: 'SupportAssistAgent.exe', folder: 'C:\\Program Files\\Dell\\SupportAssistAgent\\bin\\', company: 'Dell Inc.', product: 'Dell SupportAssist', description: 'SupportAssist Agent', version: '4.0.3.0', urls: ['downloads.dell.com'], weight: 2 },
  { signer: 'HP Inc.', issuer: DIGICERT_SHA2, fileName: 'HPPrintScanDoctor.exe', folder: 'C:\\Program Files (x86)\\HP\\HP Print and Scan Doctor\\', company: 'HP Inc.', product: 'HP Print and Scan Doctor', description: 'HP Print and Scan Doctor', version: '5.8.0.21', urls: [], weight: 1 },
  { signer: 'Intel Corporation', issuer: DIGICERT_SHA2, fileName: 'igfxEM.exe', folder: 'C:\\Windows\\System32\\DriverStore\\FileRepository\\iigd_dch.inf_amd64_5d0d4e6c8f1e1a7d\\', company: 'Intel Corporation', product: 'Intel(R) Common User Interface', description: 'igfxEM Module', version: '31.0.101.4575', urls: [], weight: 2 },
  { signer: 'NVIDIA Corporation', issuer: DIGICERT_SHA2, fileName: 'nvcontainer.exe', folder: 'C:\\Program Files\\NVIDIA Corporation\\NvContainer\\', company: 'NVIDIA Corporation', product: 'NVIDIA Container', description: 'NVIDIA Container', version: '1.40.0.0', urls: [], weight: 1 },
  { signer: 'Realtek Semiconductor Corp', issuer: GLOBALSIGN, fileName: 'RtkAudUService64.exe', folder: 'C:\\Windows\\System32\\', company: 'Realtek Semiconductor', product: 'Realtek HD Audio Universal Service', description: 'Realtek HD Audio Universal Service', version: '1.0.700.0', urls: [], weight: 1 },
  { signer: 'Logitech Inc', issuer: DIGICERT_SHA2, fileName: 'LogiOptionsMgr.exe', folder: 'C:\\Program Files\\LogiOptionsPlus\\', company: 'Logitech', product: 'Logi Options+', description: 'Logi Options+ Manager', version: '1.72.5', urls: [], weight: 1 },
  { signer: 'VMware, Inc.', issuer: DIGICERT_SHA2, fileName: 'vmtoolsd.exe', folder: 'C:\\Program Files\\VMware\\VMware Tools\\', company: 'VMware, Inc.', product: 'VMware Tools', description: 'VMware Tools Core Service', version: '12.3.5.46049', urls: [], weight: 2 },
  { signer: 'Citrix Systems, Inc.', issuer: DIGICERT_SHA2, fileName: 'SelfService.exe', folder: 'C:\\Program Files (x86)\\Citrix\\ICA Client\\SelfServicePlugin\\', company: 'Citrix Systems, Inc.', product: 'Citrix Workspace', description: 'Citrix Workspace', version: '24.3.0.64', urls: ['contoso.cloud.com'], weight: 1 },
  { signer: 'CrowdStrike, Inc.', issuer: DIGICERT_SHA2, fileName: 'CSFalconService.exe', folder: 'C:\\Program Files\\CrowdStrike\\', company: 'CrowdStrike, Inc.', product: 'CrowdStrike Falcon Sensor', description: 'CrowdStrike Falcon Sensor Service', version: '7.14.18408.0', urls: ['ts01-b.cloudsink.net'], weight: 2 },
  { signer: 'Python Software Foundation', issuer: DIGICERT_G4, fileName: 'python.exe', folder: 'C:\\Program Files\\Python312\\', company: 'Python Software Foundation', product: 'Python', description: 'Python', version: '3.12.4', urls: ['pypi.org', 'files.pythonhosted.org'], weight: 1 },
  { signer: 'JetBrains s.r.o.', issuer: DIGICERT_G4, fileName: 'idea64.exe', folder: 'C:\\Program Files\\JetBrains\\IntelliJ IDEA 2024.1\\bin\\', company: 'JetBrains s.r.o.', product: 'IntelliJ IDEA', description: 'IntelliJ IDEA', version: '241.17890.1', urls: ['plugins.jetbrains.com'], weight: 1 },
  { signer: 'Docker Inc', issuer: DIGICERT_G4, fileName: 'Docker Desktop.exe', folder: 'C:\\Program Files\\Docker\\Docker\\', company: 'Docker Inc.', product: 'Docker Desktop', description: 'Docker Desktop', version: '4.31.1', urls: ['registry-1.docker.io'], weight: 1 },
  { signer: 'GitHub, Inc.', issuer: DIGICERT_G4, fileName: 'GitHubDesktop.exe', folder: 'C:\\Users\\Public\\AppData\\Local\\GitHubDesktop\\app-3.4.1\\', company: 'GitHub, Inc.', product: 'GitHub Desktop', description: 'GitHub Desktop', version: '3.4.1', urls: ['api.github.com'], weight: 1 },
  { signer: 'Notepad++', issuer: SECTIGO, fileName: 'notepad++.exe', folder: 'C:\\Program Files\\Notepad++\\', company: 'Don HO don.h@free.fr', product: 'Notepad++', description: 'Notepad++', version: '8.6.8', urls: [], weight: 1 },
  { signer: 'Apple Inc.', issuer: DIGICERT_SHA2, fileName: 'iTunesHelper.exe', folder: 'C:\\Program Files\\iTunes\\', company: 'Apple Inc.', product: 'iTunes', description: 'iTunesHelper', version: '12.13.2.3', urls: [], weight: 1 },
  { signer: 'Sophos Ltd', issuer: ENTRUST, fileName: 'SophosFS.exe', folder: 'C:\\Program Files\\Sophos\\Endpoint Defense\\', company: 'Sophos Limited', product: 'Sophos Endpoint Defense', description: 'Sophos File Scanner', version: '2023.2.2.1', urls: [], weight: 1 },
];
