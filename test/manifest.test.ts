/**
 * The Teams app manifest and its package: schema-valid (against the schema shipped in
 * @microsoft/app-manifest), the bot and commands HuntOps needs, icons as Teams requires them, and
 * `npm run package` producing exactly manifest.json + the two icons with the ids filled in.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buffer } from 'node:stream/consumers';
import { promisify } from 'node:util';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { PNG } from 'pngjs';
import { openPromise } from 'yauzl';

const ROOT = path.resolve(__dirname, '..');
const MANIFEST_DIR = path.join(ROOT, 'manifest');
const PLACEHOLDER_ID = '00000000-0000-0000-0000-000000000000';
const APP_ID = '6f1c2d3e-4a5b-4c6d-8e7f-901234567890';

const run = promisify(execFile);

type Json = Record<string, any>;

function readManifest(): Json {
  return JSON.parse(readFileSync(path.join(MANIFEST_DIR, 'manifest.json'), 'utf8')) as Json;
}

/** A validator for the Teams schema of `manifestVersion`, as shipped in @microsoft/app-manifest (draft-04). */
function teamsValidator(manifestVersion: string) {
  const packageDir = path.dirname(require.resolve('@microsoft/app-manifest/package.json'));
  const schemaFile = path.join(packageDir, 'build', 'json-schemas', 'teams', `v${manifestVersion}`, 'MicrosoftTeams.schema.json');
  const ajv = new Ajv({ allErrors: true, strictTypes: false });
  addFormats(ajv);
  const validate = ajv.compile(JSON.parse(readFileSync(schemaFile, 'utf8')));
  return (manifest: unknown) => (validate(manifest) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`));
}

function readPng(bytes: Buffer): PNG {
  return PNG.sync.read(bytes);
}

/** Every pixel as [r, g, b, a]. */
function pixels(png: PNG): [number, number, number, number][] {
  const result: [number, number, number, number][] = [];
  for (let i = 0; i < png.data.length; i += 4) {
    result.push([png.data[i]!, png.data[i + 1]!, png.data[i + 2]!, png.data[i + 3]!]);
  }
  return result;
}

async function readZip(file: string): Promise<Map<string, Buffer>> {
  const zip = await openPromise(file);
  const entries = new Map<string, Buffer>();
  for await (const entry of zip.eachEntry()) {
    entries.set(entry.fileName, await buffer(await zip.openReadStreamPromise(entry)));
  }
  return entries;
}

/** `npm run package -- --out <out>` with the given extra environment (MicrosoftAppId unset unless given). */
async function packageApp(out: string, env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  const { MicrosoftAppId: _ignored, BOT_DOMAIN: _alsoIgnored, ...base } = process.env;
  try {
    const { stdout, stderr } = await run('npm', ['run', 'package', '--', '--out', out], { cwd: ROOT, env: { ...base, ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('manifest/manifest.json', () => {
  const manifest = readManifest();

  it('is valid against the Teams schema of its manifestVersion', () => {
    expect(manifest.$schema).toBe(`https://developer.microsoft.com/json-schemas/teams/v${manifest.manifestVersion}/MicrosoftTeams.schema.json`);
    expect(teamsValidator(manifest.manifestVersion)(manifest)).toEqual([]);
  });

  it('is checked by a validator that rejects a broken manifest', () => {
    const broken = { ...manifest, bots: [{ ...manifest.bots[0], scopes: ['everyone'] }], accentColor: 'blue' };
    const errors = teamsValidator(manifest.manifestVersion)(broken);
    expect(errors.some((e) => e.startsWith('/bots/0/scopes/0'))).toBe(true);
    expect(errors.some((e) => e.startsWith('/accentColor'))).toBe(true);
  });

  it('declares one conversational bot in personal, team and group chat, without files', () => {
    expect(manifest.bots).toHaveLength(1);
    const [bot] = manifest.bots;
    expect([...bot.scopes].sort()).toEqual(['groupChat', 'personal', 'team']);
    expect(bot.supportsFiles).toBe(false);
    expect(bot.isNotificationOnly).toBe(false);
  });

  it('lists hunt, tools and help for every scope, within Teams display limits', () => {
    const [bot] = manifest.bots;
    for (const scope of ['personal', 'team', 'groupChat']) {
      const lists = bot.commandLists.filter((list: Json) => list.scopes.includes(scope));
      expect(lists.flatMap((list: Json) => list.commands.map((c: Json) => c.title))).toEqual(['hunt', 'tools', 'help']);
    }
    for (const command of bot.commandLists.flatMap((list: Json) => list.commands)) {
      expect(command.title.length).toBeLessThanOrEqual(32);
      expect(command.description.length).toBeGreaterThan(0);
      expect(command.description.length).toBeLessThanOrEqual(128);
    }
    const hunt = bot.commandLists[0].commands.find((c: Json) => c.title === 'hunt');
    expect(hunt.description).toContain('hunt kaseya 5d');
  });

  it('holds the placeholder GUID for the app and bot ids, filled in by npm run package', () => {
    expect(manifest.id).toBe(PLACEHOLDER_ID);
    expect(manifest.bots[0].botId).toBe(PLACEHOLDER_ID);
  });
});

describe('manifest icons', () => {
  const { icons } = readManifest();

  it('color icon: a 192x192 full-colour PNG', () => {
    const png = readPng(readFileSync(path.join(MANIFEST_DIR, icons.color)));
    expect([png.width, png.height]).toEqual([192, 192]);
    const colours = new Set(pixels(png).map(([r, g, b]) => `${r},${g},${b}`));
    expect(colours.size).toBeGreaterThan(2);
  });

  it('outline icon: a 32x32 PNG, white on a transparent background and nothing else', () => {
    const png = readPng(readFileSync(path.join(MANIFEST_DIR, icons.outline)));
    expect([png.width, png.height]).toEqual([32, 32]);
    const all = pixels(png);
    const coloured = all.filter(([r, g, b, a]) => a > 0 && (r !== 255 || g !== 255 || b !== 255));
    expect(coloured).toEqual([]);
    expect(all.filter(([, , , a]) => a === 0).length).toBeGreaterThan(all.length / 2);
    expect(all.filter(([, , , a]) => a === 255).length).toBeGreaterThan(0);
  });
});

describe('npm run package', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'huntops-package-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('zips exactly manifest.json and the two icons, with the ids and version filled in', async () => {
    const out = path.join(dir, 'app.zip');
    const result = await packageApp(out, { MicrosoftAppId: APP_ID });
    expect(result.code).toBe(0);

    const entries = await readZip(out);
    expect([...entries.keys()].sort()).toEqual(['color.png', 'manifest.json', 'outline.png']);
    const packaged = JSON.parse(entries.get('manifest.json')!.toString('utf8')) as Json;
    expect(packaged.id).toBe(APP_ID);
    expect(packaged.bots[0].botId).toBe(APP_ID);
    expect(packaged.version).toBe(JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version);
    expect(packaged.validDomains).toEqual([]);
    expect(teamsValidator(packaged.manifestVersion)(packaged)).toEqual([]);
    expect(entries.get('color.png')!.equals(readFileSync(path.join(MANIFEST_DIR, 'color.png')))).toBe(true);
    expect(entries.get('outline.png')!.equals(readFileSync(path.join(MANIFEST_DIR, 'outline.png')))).toBe(true);
  });

  it('puts BOT_DOMAIN in validDomains', async () => {
    const out = path.join(dir, 'app.zip');
    expect((await packageApp(out, { MicrosoftAppId: APP_ID, BOT_DOMAIN: 'huntops.contoso.com' })).code).toBe(0);
    const packaged = JSON.parse((await readZip(out)).get('manifest.json')!.toString('utf8')) as Json;
    expect(packaged.validDomains).toEqual(['huntops.contoso.com']);
  });

  it('fails clearly without MicrosoftAppId, or with one that is not a GUID, and writes nothing', async () => {
    const out = path.join(dir, 'app.zip');
    const missing = await packageApp(out, {});
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('MicrosoftAppId is not set');
    const invalid = await packageApp(out, { MicrosoftAppId: 'huntops' });
    expect(invalid.code).not.toBe(0);
    expect(invalid.stderr).toContain('MicrosoftAppId=huntops is not a GUID');
    expect(existsSync(out)).toBe(false);
  });
});
