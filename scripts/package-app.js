/**
 * `npm run package`: builds the Teams app package, a zip of manifest.json, color.png and outline.png.
 *
 * - `MicrosoftAppId` (required): the bot's Microsoft App ID (a GUID). It becomes the app `id` and
 *   `bots[0].botId`; the committed manifest holds the all-zero GUID in their place. There is no
 *   development fallback: a package with a placeholder id cannot be installed, and the Agents
 *   Playground does not read manifests.
 * - `BOT_DOMAIN` (optional): the bot's public host name (e.g. huntops.contoso.com), put in `validDomains`.
 * - `version` comes from package.json.
 * - `--out <file>`: where to write the zip; default `dist/huntops-teams-app.zip`.
 *
 * The filled manifest is validated against the Teams schema shipped in @microsoft/app-manifest.
 */
'use strict';

const { mkdirSync, readFileSync, createWriteStream } = require('node:fs');
const path = require('node:path');
const { parseArgs } = require('node:util');
const Ajv = require('ajv-draft-04');
const addFormats = require('ajv-formats');
const { ZipFile } = require('yazl');

const ROOT = path.resolve(__dirname, '..');
const MANIFEST_DIR = path.join(ROOT, 'manifest');
const DEFAULT_OUT = path.join(ROOT, 'dist', 'huntops-teams-app.zip');
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HOST_NAME = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;
/** Fixed timestamp for every zip entry, so the same inputs give the same bytes. */
const ENTRY_TIME = new Date('2000-01-01T00:00:00Z');

/** Stops with a message. */
function fail(message) {
  process.stderr.write(`npm run package: ${message}\n`);
  process.exit(1);
}

/**
 * The Teams manifest JSON schema for a manifest version, from @microsoft/app-manifest.
 * @param {string} manifestVersion e.g. "1.30"
 */
function teamsSchema(manifestVersion) {
  const packageDir = path.dirname(require.resolve('@microsoft/app-manifest/package.json'));
  const file = path.join(packageDir, 'build', 'json-schemas', 'teams', `v${manifestVersion}`, 'MicrosoftTeams.schema.json');
  return JSON.parse(readFileSync(file, 'utf8'));
}

/**
 * The manifest to ship: ids, version and valid domains filled in.
 * @param {{ appId: string, botDomain: string | undefined, version: string }} values
 */
function filledManifest({ appId, botDomain, version }) {
  const manifest = JSON.parse(readFileSync(path.join(MANIFEST_DIR, 'manifest.json'), 'utf8'));
  manifest.id = appId;
  manifest.version = version;
  for (const bot of manifest.bots) bot.botId = appId;
  manifest.validDomains = botDomain ? [botDomain] : [];
  return manifest;
}

async function main() {
  const { values } = parseArgs({ options: { out: { type: 'string' } } });
  // npm runs scripts in the package root; INIT_CWD is where `npm run package` was typed.
  const out = values.out === undefined ? DEFAULT_OUT : path.resolve(process.env.INIT_CWD ?? process.cwd(), values.out);

  const appId = (process.env.MicrosoftAppId ?? '').trim();
  if (!appId) fail('MicrosoftAppId is not set: it must hold the bot\'s Microsoft App ID (a GUID), e.g. MicrosoftAppId=<guid> npm run package');
  if (!GUID.test(appId)) fail(`MicrosoftAppId=${appId} is not a GUID`);
  const botDomain = (process.env.BOT_DOMAIN ?? '').trim() || undefined;
  if (botDomain !== undefined && !HOST_NAME.test(botDomain)) {
    fail(`BOT_DOMAIN=${botDomain} is not a host name (no scheme, port or path), e.g. huntops.contoso.com`);
  }
  const { version } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

  const manifest = filledManifest({ appId, botDomain, version });
  const ajv = new Ajv({ allErrors: true, strictTypes: false });
  addFormats(ajv);
  const validate = ajv.compile(teamsSchema(manifest.manifestVersion));
  if (!validate(manifest)) {
    fail(`the manifest does not match the Teams schema v${manifest.manifestVersion}:\n${ajv.errorsText(validate.errors, { separator: '\n' })}`);
  }

  mkdirSync(path.dirname(out), { recursive: true });
  const zip = new ZipFile();
  const entry = { mtime: ENTRY_TIME, mode: 0o100644 };
  zip.addBuffer(Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`), 'manifest.json', entry);
  for (const icon of [manifest.icons.color, manifest.icons.outline]) {
    zip.addBuffer(readFileSync(path.join(MANIFEST_DIR, icon)), icon, entry);
  }
  zip.end();
  await new Promise((resolve, reject) => {
    zip.outputStream.pipe(createWriteStream(out)).on('close', resolve).on('error', reject);
  });
  process.stdout.write(`Teams app package: ${out} (app id ${appId})\n`);
}

main().catch((error) => fail(error instanceof Error ? (error.stack ?? error.message) : String(error)));
