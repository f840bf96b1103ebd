/**
 * The README's analytics-rule KQL is valid Kusto over the columns the watchlist items really have:
 * Kusto's own analyser checks it, with `_GetWatchlist('HuntOpsExclusions')` standing for a table of
 * the item columns (typed `dynamic`, as `_GetWatchlist` unpacks them) plus `SearchKey`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SENTINEL_API_VERSION } from '../../src/sentinel/arm-client';
import { DEFAULT_EXCLUSIONS_WATCHLIST, EXCLUSION_COLUMNS } from '../../src/sentinel/exclusion-item';
import { SENTINEL_ROLES } from '../../src/sentinel/sentinel-error';
import { KustoReferee } from '../support/kql-language-service';

const README = readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8');
const SECTION = README.slice(README.indexOf('## Microsoft Sentinel'), README.indexOf('\n## ', README.indexOf('## Microsoft Sentinel') + 1));
const BLOCKS = [...SECTION.matchAll(/```kql\n([\s\S]*?)```/g)].map((match) => match[1]!);
const WATCHLIST_CALL = `_GetWatchlist('${DEFAULT_EXCLUSIONS_WATCHLIST}')`;
const TABLE = 'HuntOpsExclusionsWatchlist';

const referee = new KustoReferee({
  [TABLE]: [{ name: 'SearchKey', type: 'string' as const }, ...Object.values(EXCLUSION_COLUMNS).map((name) => ({ name, type: 'dynamic' as const }))],
});

function asQuery(block: string): string {
  const query = block.split(WATCHLIST_CALL).join(TABLE).trim();
  return query.startsWith('|') ? `DeviceFileCertificateInfo\n${query}` : query;
}

test('the section shows the one line a rule needs, and a whole rule', () => {
  expect(BLOCKS).toHaveLength(2);
  expect(BLOCKS[0]!.trim()).toBe(`| where DeviceId !in ((${WATCHLIST_CALL} | project DeviceId))`);
  expect(BLOCKS.every((block) => block.includes(WATCHLIST_CALL))).toBe(true);
});

test.each(BLOCKS.map((block, index) => [index, block]))('KQL block %i is valid over the watchlist columns', (_index, block) => {
  expect(referee.errors(asQuery(block as string))).toEqual([]);
});

test('the check can fail: a column the items do not have is an error', () => {
  expect(referee.errors(asQuery(BLOCKS[0]!.replace('project DeviceId', 'project DeviceIdentifier')))).not.toEqual([]);
});

test('the section names every item column, both roles and the api-version in use', () => {
  for (const column of Object.values(EXCLUSION_COLUMNS)) expect(SECTION).toContain(`\`${column}\``);
  for (const role of Object.values(SENTINEL_ROLES)) expect(SECTION).toContain(`**${role}**`);
  expect(SECTION).toContain(`api-version \`${SENTINEL_API_VERSION}\``);
});
