/**
 * Issue #11, finding 1: an exclusion made from a card binds the row's DeviceId. The adversary names
 * the devices: a name with `*` in it hides no other device, a renamed device stays hidden, another
 * device given an excluded device's name is still shown (with a note), and patterns exist only when a
 * responder types them — labelled as patterns, and counted on every hunt card. Whole HTTP turns.
 */
import { VERBS } from '../../src/core/verbs';
import { cardText, type BotHarness } from '../support/bot-harness';
import { certificateEvent, eventFolder, type EventFolder } from '../support/event-files';
import { click, deviceRows, hunt, rowKeys, rowNames, say, START, triageBot } from '../support/triage-turns';

const KASEYA = 'Kaseya Holdings Inc.';
const id = (c: string) => c.repeat(40);

/** A device event with a chosen DeviceId. */
function seen(deviceId: string, deviceName: string, hoursAgo: number): object {
  return { ...certificateEvent(START, deviceName, KASEYA, hoursAgo), DeviceId: deviceId };
}

function events(): EventFolder {
  const folder = eventFolder();
  folder.write('DeviceFileCertificateInfo', [
    seen(id('a'), 'ws*', 2),
    seen(id('b'), 'ws-fin-014.contoso.com', 3),
    seen(id('c'), 'ws-hr-002', 4),
    seen(id('d'), 'srv-mgmt-01', 5),
    seen(id('e'), 'srv-mgmt-01', 6),
    seen(id('d'), 'srv-mgmt-01-renamed', 7),
  ]);
  folder.write('DeviceProcessEvents', []);
  folder.write('DeviceNetworkEvents', []);
  return folder;
}

let data: EventFolder;
let bot: BotHarness;

beforeEach(async () => {
  data = events();
  ({ bot } = await triageBot(data));
});
afterEach(async () => {
  await bot.stop();
  data.remove();
});

async function excludeRow(index: number, reason = 'triaged'): Promise<void> {
  const { card, messageId, huntId } = await hunt(bot, 'hunt kaseya 5d');
  const row = rowKeys(card)[index]!;
  const answer = await click(bot, VERBS.excludeSubmit, { huntId, row, reason, scope: 'tool', expiry: '30' }, messageId);
  expect(cardText(answer)).toContain('Excluded ');
}

test('a device named ws* excluded from its card hides that device only: * in a telemetry name is a plain character', async () => {
  const first = await hunt(bot, 'hunt kaseya 5d');
  expect(rowNames(first.card)[0]).toBe('ws*');
  await excludeRow(0);
  const [stored] = await bot.store.listExclusions();
  expect(stored).toMatchObject({ pattern: 'ws*', deviceId: id('a') });

  const later = await hunt(bot, 'hunt kaseya 5d');
  expect(rowNames(later.card)).toEqual(['ws-fin-014.contoso.com', 'ws-hr-002', 'srv-mgmt-01', 'srv-mgmt-01', 'srv-mgmt-01-renamed']);
  expect(cardText(later.card)).toContain('1 device is hidden by exclusions');
});

test('the excluded device stays hidden when renamed; another device given its name is shown, with a note', async () => {
  const first = await hunt(bot, 'hunt kaseya 5d');
  expect(rowNames(first.card)[3]).toBe('srv-mgmt-01');
  await excludeRow(3, 'management server');

  const later = await hunt(bot, 'hunt kaseya 5d');
  expect(rowNames(later.card)).toEqual(['ws*', 'ws-fin-014.contoso.com', 'ws-hr-002', 'srv-mgmt-01']);
  expect(cardText(later.card)).toContain('2 devices are hidden by exclusions');
  expect(cardText(later.card)).toMatch(/srv-mgmt-01 .*name matches an exclusion for another device/);
});

test('check applies the same binding: of two devices of that name, only the excluded one is shown excluded', async () => {
  await excludeRow(3, 'management server');
  const { card } = await hunt(bot, 'check srv-mgmt-01 5d');
  const rows = deviceRows(card).map((r) => ({ device: r.lines.find((l) => l.startsWith('device id ')), excluded: r.lines.some((l) => l.startsWith('Excluded by')) }));
  expect(rows).toEqual([
    { device: `device id ${id('d')}`, excluded: true },
    { device: `device id ${id('e')}`, excluded: false },
  ]);
  expect(cardText(card)).toMatch(/Kaseya on srv-mgmt-01 \(id e{8}…\) is shown: its name matches an exclusion for another device/);
});

test('typed patterns are labelled as patterns in the list, and each hunt card says how many devices they hid', async () => {
  await excludeRow(1, 'finance jump host');
  const typed = await say(bot, 'exclude device srv-mgmt-* reason "management servers" tool kaseya for 90d');
  expect(cardText(typed)).toContain('Excluded pattern srv-mgmt-*');

  const later = await hunt(bot, 'hunt kaseya 5d');
  expect(rowNames(later.card)).toEqual(['ws*', 'ws-hr-002']);
  expect(cardText(later.card)).toContain('4 devices are hidden by exclusions, 3 of them by name patterns');

  const list = cardText(await say(bot, 'exclusions'));
  expect(list).toContain('Pattern srv-mgmt-*');
  expect(list).toMatch(/Device ws-fin-014\.contoso\.com \(id b{8}…\)/);
});
