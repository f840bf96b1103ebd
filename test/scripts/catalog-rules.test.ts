/**
 * The rules for what may hunt, proved on the real files: the committed catalog (built from
 * `../shared/rmm-hunts/` and `../shared/lolrmm/`) and the review file, and the rules one by one.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { NOT_REMOTE_CONTROL } from '../../scripts/catalog/curation';
import { readLolrmmDir } from '../../scripts/catalog/lolrmm';
import { hasTerm, matchVendor, vendorEvidence, vetDomain, vetFileName, vetSigner } from '../../scripts/catalog/vetting';
import { loadCatalog } from '../../src/hunt/catalog';
import { SHARED_DIR } from '../support/shared';

const catalog = loadCatalog();
const REPO = path.resolve(__dirname, '..', '..');
const review = readFileSync(path.join(REPO, 'docs', 'catalog-review.md'), 'utf8');
const entries = readLolrmmDir(path.join(SHARED_DIR, 'lolrmm', 'yaml'));
const signers = catalog.tools.flatMap((t) => (t.fileSignature?.signers ?? []).map((signer) => ({ tool: t.id, signer })));
const programs = catalog.tools.flatMap((t) => (t.process?.fileNames ?? []).map((name) => ({ tool: t.id, name })));
const domains = catalog.tools.flatMap((t) => (t.network?.domains ?? []).map((domain) => ({ tool: t.id, domain })));

describe('the catalog built from the public rules and LOLRMM', () => {
  test('covers at least 200 tools, every one with a hunt, from the 319 LOLRMM files', () => {
    expect(entries).toHaveLength(319);
    expect(catalog.tools.length).toBeGreaterThanOrEqual(200);
    for (const tool of catalog.tools) expect({ tool: tool.id, hunts: Boolean(tool.fileSignature || tool.process || tool.network) }).toEqual({ tool: tool.id, hunts: true });
  });

  test('no file-signature hunt names Simon Tatham, Martin Prikryl, Bitvise, WinRAR or a general-purpose vendor', () => {
    expect(signers.length).toBeGreaterThan(52);
    for (const { tool, signer } of signers) {
      expect({ tool, signer, foreign: /simon tatham|martin prikryl|bitvise|win\.rar|roshal|^microsoft|^google|^apple\b/i.test(signer) }).toEqual({ tool, signer, foreign: false });
    }
  });

  test("NetSupport Manager keeps its vendor's signer and loses PuTTY's; CrossTec, listed with Microsoft, hunts without signatures", () => {
    expect(catalog.get('netsupport')!.fileSignature!.signers).toEqual(['netsupport']);
    expect(review).toMatch(/\| NetSupport Manager \| signer \| `Simon Tatham` \| `lolrmm\/netsupport_manager.yaml` \| the signer of another product \(PuTTY\) \|/);
    const crosstec = catalog.find('crosstec remote control')!;
    expect(crosstec.fileSignature).toBeUndefined();
    expect(crosstec.process?.fileNames).toEqual(['pcivideo.exe']);
    expect(review).toMatch(/\| CrossTec Remote Control \| signer \| `Microsoft Corporation` \| [^|]+ \| a general-purpose vendor's signer \(Microsoft\)/);
  });

  test('every signer LOLRMM alone gives a tool is its vendor, with the reason', () => {
    for (const tool of catalog.tools.filter((t) => t.fileSignature?.ruleId.startsWith('lolrmm:'))) {
      for (const p of tool.fileSignature!.provenance!) {
        expect(p.source).toMatch(/^lolrmm\/.+\.ya?ml$/);
        expect(p.reason).toMatch(/^the tool's vendor: (attested by the public rule's|matches its) /);
      }
    }
    expect(catalog.get('absolute')!.fileSignature!.signers).toEqual(['Absolute Software Corp.']);
  });

  test('no program of PuTTY, WinSCP or Windows itself hunts a tool', () => {
    expect(programs.length).toBeGreaterThan(400);
    for (const { tool, name } of programs) {
      expect({ tool, name, foreign: /^(putty|plink|pscp|psftp|pageant|puttygen|winscp|mstsc|cmd|powershell|svchost|explorer)\.exe$/.test(name) }).toEqual({ tool, name, foreign: false });
    }
  });

  test('no domain is a placeholder, an IP literal, a pattern or a code-hosting or cloud platform itself', () => {
    for (const { tool, domain } of domains) {
      const bad = domain === 'user_managed' || /[<>*\s[\]{}]/.test(domain) || /^[\d.:]+$/.test(domain) || /^(github\.com|raw\.githubusercontent\.com|amazonaws\.com|windows\.net)$/.test(domain);
      expect({ tool, domain, bad }).toEqual({ tool, domain, bad: false });
    }
    expect(review).toMatch(/\| `user_managed` \| `lolrmm\/[^`]+` \| a placeholder, not a domain \|/);
    expect(review).toMatch(/\| `51\.255\.19\.178` \| `lolrmm\/simplehelp\.yaml` \| an IP literal/);
    expect(review).toMatch(/\| Komari \| domain \| `github\.com` \| [^|]+ \| generic: a host of github\.com, a code-hosting site \|/);
  });

  test('duplicates are one tool, found by every name', () => {
    const one = (names: string[], id: string) => {
      for (const name of names) expect({ name, id: catalog.find(name)?.id }).toEqual({ name, id });
    };
    one(['ammyy admin', 'Ammyy Admin'], 'ammyy');
    one(['bomgar', 'beyondtrust', 'beyondtrust (bomgar)'], 'beyondtrust');
    one(['level', 'level.io'], 'level');
    one(['ninjaone', 'ninjarmm', 'ninjaone (formerly ninjarmm)'], 'ninjarmm');
    one(['isl light', 'isl online'], 'isl-online');
    one(['ultravnc', 'ultra vnc'], 'ultravnc');
    one(['quick assist', 'microsoft quick assist'], 'quick-assist');
    one(['netop', 'impero connect'], 'netop');
    expect(catalog.get('level')!.sources).toEqual(expect.arrayContaining(['lolrmm/level.io.yaml', 'lolrmm/level.yaml', 'lolrmm/levelio.yaml']));
  });

  test('RAT entries that are not remote control are left out and listed; the rest are kept as RAT', () => {
    const left = Object.keys(NOT_REMOTE_CONTROL);
    for (const file of left) {
      const entry = entries.find((e) => e.file === file)!;
      expect({ file, category: entry.category }).toEqual({ file, category: 'RAT' });
      expect(review).toContain(`| \`${file}\` |`);
      expect(catalog.tools.some((t) => t.sources?.includes(`lolrmm/${file}`))).toBe(false);
    }
    for (const name of ['putty', 'winscp', 'aws-cli', 'cyberduck', 'ngrok', 'megasync', 'bitvise ssh client']) expect({ name, tool: catalog.find(name)?.id }).toEqual({ name, tool: undefined });
    expect(catalog.find('tightvnc')?.category).toBe('RAT');
    expect(catalog.find('nomachine')?.category).toBe('RAT');
  });

  test("the public rules' strings win: every rule hunt is the rule's, and the LOLRMM strings of its kind are listed as dropped", () => {
    const kaseya = catalog.get('kaseya')!;
    expect(kaseya.fileSignature).toMatchObject({ ruleId: '732033dd-039b-426e-844f-1de2a67362fa', signers: ['Kaseya'] });
    expect(kaseya.process?.ruleId).toBe('lolrmm:kaseya.yaml');
    expect(kaseya.process?.fileNames).toEqual(['agentmon.exe', 'kaupdhlp.exe', 'kausrtsk.exe']);
    expect(review).toMatch(/\| Kaseya \| domain \| `deploy01\.kaseya\.com` \| `lolrmm\/kaseya\.yaml` \| the public rule gives this tool this kind of hunt: its strings win \|/);
  });

  test('every kept string has its provenance, and every hunt string is in it', () => {
    for (const tool of catalog.tools) {
      const fs = tool.fileSignature;
      if (fs) expect(fs.provenance!.map((p) => p.value)).toEqual(fs.signers);
      for (const hunt of [tool.process, tool.network]) {
        if (!hunt) continue;
        const values = hunt.filter.flat().flatMap((p) => ('values' in p ? p.values : []));
        expect(hunt.provenance!.map((p) => p.value)).toEqual(values);
        for (const p of hunt.provenance!) expect(p.source).toMatch(/^(rmm-hunts|lolrmm)\/[^/]+\.ya?ml$/);
      }
    }
  });

  test('the review file counts what it lists', () => {
    const rows = review.split('\n').filter((line) => /^\| [^|]+ \| (signer|program|domain) \| `/.test(line));
    const stated = /- (\d+) LOLRMM strings dropped/.exec(review)!;
    expect(rows).toHaveLength(Number(stated[1]));
    expect(rows.length).toBeGreaterThan(1000);
  });
});

describe('the rules one by one', () => {
  const evidence = vendorEvidence({ names: ['NetSupport Manager'], websites: ['https://www.netsupportmanager.com/'], peVendors: [] });
  const none = vendorEvidence({ names: [], websites: [], peVendors: [] });

  test('a signer is kept when it is the vendor, dropped when general-purpose, foreign or unrelated', () => {
    expect(vetSigner('NetSupport Ltd', { evidence, attested: none })).toMatchObject({ keep: true, value: 'NetSupport Ltd' });
    expect(vetSigner('Simon Tatham', { evidence, attested: none })).toMatchObject({ keep: false, code: 'other-product' });
    expect(vetSigner('Microsoft Corporation', { evidence: vendorEvidence({ names: ['Microsoft Teams'], websites: [], peVendors: [] }), attested: none })).toMatchObject({ keep: false, code: 'general-purpose-vendor' });
    expect(vetSigner('Duc Fabulous Co.,Ltd', { evidence, attested: none })).toMatchObject({ keep: false, code: 'not-the-vendor' });
    const rule = vendorEvidence({ names: ['RealVNC'], websites: [], peVendors: [], nameLabel: 'string' });
    expect(vetSigner('RealVNC Ltd', { evidence: none, attested: rule })).toMatchObject({ keep: true, reason: "the tool's vendor: attested by the public rule's string 'RealVNC'" });
    expect(vetSigner('MSPBytes\\', { evidence: vendorEvidence({ names: ['MSPBytes'], websites: [], peVendors: [] }), attested: none })).toMatchObject({ keep: true, value: 'MSPBytes' });
  });

  test('a vendor match needs a distinctive word: common words alone match nothing', () => {
    const rms = vendorEvidence({ names: ['Remote Manipulator System'], websites: ['https://rmansys.ru/'], peVendors: [] });
    expect(matchVendor('REMOTE UTILITIES PTE. LTD.', rms)).toBeUndefined();
    expect(matchVendor('AnyDesk Software GmbH', vendorEvidence({ names: ['Remote desk'], websites: ['https://anydesk.com/en'], peVendors: [] }))).toBe('website anydesk.com');
    expect(matchVendor('GoTo Technologies USA, LLC', vendorEvidence({ names: ['GoToMyPC'], websites: [], peVendors: [] }))).toBe("name 'GoToMyPC'");
  });

  test('domains: wildcards and ports are left out, patterns keep their fixed part, the rest is dropped with its reason', () => {
    const own = { toolDomains: new Set<string>() };
    expect(vetDomain('*.netsupportmanager.com', own)).toMatchObject({ keep: true, value: 'netsupportmanager.com' });
    expect(vetDomain('relay-[a-f0-9]{8}.net.anydesk.com:443', own)).toMatchObject({ keep: true, value: 'net.anydesk.com' });
    expect(vetDomain('user_managed', own)).toMatchObject({ keep: false, code: 'placeholder' });
    expect(vetDomain('<operator-configured GLPI server>', own)).toMatchObject({ keep: false, code: 'placeholder' });
    expect(vetDomain('136.243.104.235', own)).toMatchObject({ keep: false, code: 'ip-literal' });
    expect(vetDomain('raw.githubusercontent.com', own)).toMatchObject({ keep: false, code: 'generic' });
    expect(vetDomain('pdqinstallers.*.r2.cloudflarestorage.com', own)).toMatchObject({ keep: false });
    expect(vetDomain('agentreportingstore.blob.core.windows.net', own)).toMatchObject({ keep: true });
    expect(vetDomain('support.services.microsoft.com', own)).toMatchObject({ keep: false, code: 'generic' });
    expect(vetDomain('support.services.microsoft.com', { toolDomains: new Set(['microsoft.com']) })).toMatchObject({ keep: true });
  });

  test('program names: only distinctive .exe names of the tool itself', () => {
    expect(vetFileName('C:\\Program Files\\NetSupport\\client32.exe')).toMatchObject({ keep: true, value: 'client32.exe' });
    expect(vetFileName('putty.exe')).toMatchObject({ keep: false, code: 'other-product' });
    expect(vetFileName('WinSCP.exe')).toMatchObject({ keep: false, code: 'other-product' });
    expect(vetFileName('mstsc.exe')).toMatchObject({ keep: false, code: 'windows-program' });
    expect(vetFileName('setup.exe')).toMatchObject({ keep: false, code: 'generic' });
    expect(vetFileName('rd.exe')).toMatchObject({ keep: false, code: 'too-short' });
    expect(vetFileName('rustdesk*.exe')).toMatchObject({ keep: false, code: 'pattern' });
    expect(vetFileName('C:\\Program Files (x86)\\Kaseya\\')).toMatchObject({ keep: false, code: 'not-a-program' });
  });

  test("Kusto's has, for signer clashes: whole terms, any case", () => {
    expect(hasTerm('RealVNC Ltd', 'realvnc')).toBe(true);
    expect(hasTerm('Datto Inc, a Kaseya company', 'Kaseya')).toBe(true);
    expect(hasTerm('KaseyaOne', 'Kaseya')).toBe(false);
  });
});
