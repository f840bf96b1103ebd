/**
 * Smoke test of the end-to-end harness itself: a tiny echo bot (botbuilder CloudAdapter on restify,
 * anonymous, started here), the real Agents Playground on loopback, and Debian's Chromium. It proves
 * the launcher and the page helpers work, independently of HuntOps' own bot.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  ActivityHandler,
  CardFactory,
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  MessageFactory,
  TurnContext,
  type Activity,
  type ConversationReference,
  type InvokeResponse,
} from 'botbuilder';
import * as restify from 'restify';
import { PortInUseError, startPlayground as startPlaygroundOnPort } from '../../scripts/playground';
import { launchChromium, type ChromiumSession } from './chromium';
import { readPlaygroundContext, startPlayground, type RunningPlayground } from './playground';
import { PlaygroundPage } from './playground-page';

jest.setTimeout(120_000);

const SCREENSHOTS = path.resolve(__dirname, '..', '..', 'test-artifacts', 'playground-harness');

/** A card with the inputs an Exclude form has: a required reason, a compact and an expanded choice. */
function formCard(title: string): object {
  return {
    type: 'AdaptiveCard',
    version: '1.5',
    body: [
      { type: 'TextBlock', text: title, wrap: true },
      { type: 'Input.Text', id: 'reason', label: 'Reason', isRequired: true, errorMessage: 'Give a reason' },
      { type: 'Input.ChoiceSet', id: 'scope', label: 'Scope', value: 'device', choices: [{ title: 'This device', value: 'device' }, { title: 'Name pattern', value: 'pattern' }] },
      { type: 'Input.ChoiceSet', id: 'expiry', label: 'Expiry', style: 'expanded', value: '7d', choices: [{ title: '7 days', value: '7d' }, { title: '30 days', value: '30d' }] },
    ],
    actions: [{ type: 'Action.Execute', title: 'Exclude', verb: 'exclude', data: { row: 'r1' } }],
  };
}

function textCard(text: string): object {
  return { type: 'AdaptiveCard', version: '1.5', body: [{ type: 'TextBlock', text, wrap: true }] };
}

/**
 * The echo bot. `card` answers with {@link formCard}; `slow` answers "Working" and replaces it with
 * "Done" (continueConversationAsync + updateActivity) when the test calls `finishSlow()`; anything
 * else is echoed. Card actions are answered with a card naming the inputs it received.
 */
class EchoBot extends ActivityHandler {
  readonly received: Activity[] = [];
  private pending: { reference: Partial<ConversationReference>; activityId: string } | undefined;

  constructor(private readonly adapter: CloudAdapter) {
    super();
    this.onMessage(async (context, next) => {
      const text = (TurnContext.removeRecipientMention(context.activity) ?? context.activity.text ?? '').trim();
      if (text === 'card') {
        await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(formCard('Exclude a device'))));
      } else if (text === 'slow') {
        const sent = await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(textCard('Working on it'))));
        this.pending = { reference: TurnContext.getConversationReference(context.activity), activityId: sent?.id ?? '' };
      } else {
        await context.sendActivity(`echo: ${text}`);
      }
      await next();
    });
  }

  override async run(context: TurnContext): Promise<void> {
    // A copy: removeRecipientMention() rewrites the activity's text in place.
    this.received.push(JSON.parse(JSON.stringify(context.activity)) as Activity);
    await super.run(context);
  }

  protected override async onInvokeActivity(context: TurnContext): Promise<InvokeResponse> {
    const { action } = context.activity.value as { action: { verb: string; data: Record<string, string> } };
    const { row, reason, scope, expiry } = action.data;
    const card = textCard(`${action.verb} ${row}: reason=${reason} scope=${scope} expiry=${expiry} by ${context.activity.from.name}`);
    return { status: 200, body: { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: card } };
  }

  /** Updates the "Working" message of the last `slow` in place, outside any turn. */
  async finishSlow(): Promise<void> {
    const pending = this.pending;
    if (!pending) throw new Error('no slow request to finish');
    await this.adapter.continueConversationAsync('', pending.reference, async (context) => {
      const update = MessageFactory.attachment(CardFactory.adaptiveCard(textCard('Done: 3 devices')));
      update.id = pending.activityId;
      await context.updateActivity(update);
    });
  }
}

async function startEchoBot(): Promise<{ bot: EchoBot; endpoint: string; close(): Promise<void> }> {
  const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({}));
  const bot = new EchoBot(adapter);
  const server = restify.createServer();
  server.use(restify.plugins.bodyParser());
  server.post('/api/messages', async (req, res) => {
    await adapter.process(req, res, (context) => bot.run(context));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    bot,
    endpoint: `http://127.0.0.1:${port}/api/messages`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Local addresses of the TCP sockets listening on `port`, from the kernel's tables. */
function listeningAddresses(port: number): string[] {
  const addresses: string[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!existsSync(table)) continue;
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      const [hexAddress, hexPort] = (local ?? '').split(':');
      if (state !== '0A' || !hexAddress || parseInt(hexPort ?? '', 16) !== port) continue;
      // Each 32-bit word is stored little-endian.
      const bytes = (hexAddress.match(/.{8}/g) ?? []).flatMap((word) => (word.match(/../g) ?? []).reverse());
      addresses.push(
        bytes.length === 4
          ? bytes.map((b) => parseInt(b, 16)).join('.')
          : `[${(bytes.join('').match(/.{4}/g) ?? []).join(':')}]`,
      );
    }
  }
  return addresses;
}

describe('Agents Playground harness (echo bot, Playground, Chromium)', () => {
  const context = readPlaygroundContext();
  let echo: Awaited<ReturnType<typeof startEchoBot>> | undefined;
  let playground: RunningPlayground | undefined;
  let chromium: ChromiumSession | undefined;
  let ui: PlaygroundPage;

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    echo = await startEchoBot();
    playground = await startPlayground({ botEndpoint: echo.endpoint });
    chromium = await launchChromium();
    ui = await PlaygroundPage.open(chromium, playground.url, context);
  });

  afterAll(async () => {
    await chromium?.close();
    await playground?.stop();
    await echo?.close();
  });

  const bot = () => {
    if (!echo) throw new Error('echo bot not started');
    return echo.bot;
  };
  const lastMessage = () => bot().received.filter((a) => a.type === 'message').at(-1);

  it('listens on 127.0.0.1 only', () => {
    expect(listeningAddresses(playground!.port)).toEqual(['127.0.0.1']);
  });

  it('personal chat: a card, its inputs and an Action.Execute answered with a card in place', async () => {
    await ui.sendPersonalMessage('card');
    const card = await ui.waitForCard({ hasText: 'Exclude a device' });
    const cardsBefore = await ui.cards().count();

    const message = lastMessage();
    expect(message?.text).toBe('card');
    expect(message?.serviceUrl).toBe(playground!.serviceUrl);
    expect(message?.conversation.id).toBe(context.personalChat.id);
    expect(message?.conversation.conversationType).toBe('personal');
    expect(message?.from).toMatchObject({ id: context.currentUser.id, name: context.currentUser.name, aadObjectId: context.currentUser.aadObjectId });
    expect(message?.recipient).toMatchObject(context.bot);

    await ui.fillCardInput(card, 'Reason', 'IT admin workstation');
    await ui.chooseCardOption(card, 'Scope', 'Name pattern');
    await ui.chooseCardOption(card, 'Expiry', '30 days');
    await ui.screenshot(path.join(SCREENSHOTS, '1-personal-form.png'));
    const result = await ui.clickCardButton(card, 'Exclude');

    expect(result.body).toMatchObject({ type: 'application/vnd.microsoft.card.adaptive' });
    const updated = await ui.waitForCard({ hasText: `exclude r1: reason=IT admin workstation scope=pattern expiry=30d by ${context.currentUser.name}` });
    expect(await ui.cards().count()).toBe(cardsBefore);
    expect(await ui.cards().filter({ hasText: 'Exclude a device' }).count()).toBe(0);
    await updated.screenshot({ path: path.join(SCREENSHOTS, '2-personal-invoked.png') });
  });

  it('personal chat: the bot updates its own message in place after the turn', async () => {
    await ui.sendPersonalMessage('slow');
    const progress = await ui.waitForCard({ hasText: 'Working on it' });
    const count = await ui.cards().count();
    const position = count - 1;
    await expect(progress.textContent()).resolves.toContain('Working on it');

    await bot().finishSlow();

    await ui.cards().nth(position).filter({ hasText: 'Done: 3 devices' }).waitFor();
    expect(await ui.cards().count()).toBe(count);
    expect(await ui.cards().filter({ hasText: 'Working on it' }).count()).toBe(0);
    await ui.screenshot(path.join(SCREENSHOTS, '3-personal-updated.png'));
  });

  it('channel: a post with an @mention starts a thread the bot answers in', async () => {
    const general = context.channels[0]!;
    const thread = await ui.postInChannel('General', 'card');
    const card = await ui.waitForCard({ scope: thread, hasText: 'Exclude a device' });

    const message = lastMessage();
    expect(message?.text).toBe(`<at>${context.bot.name}</at> card`);
    expect(message?.conversation.conversationType).toBe('channel');
    expect(message?.conversation.id.startsWith(`${general.id};messageid=`)).toBe(true);
    expect(message?.conversation.id.slice(general.id.length)).toMatch(/^;messageid=\d+$/);
    expect(message?.channelData).toMatchObject({ team: { id: context.team.id }, channel: { id: general.id } });
    expect(message?.entities).toEqual(
      expect.arrayContaining([expect.objectContaining({ type: 'mention', mentioned: { id: context.bot.id, name: context.bot.name } })]),
    );

    await ui.fillCardInput(card, 'Reason', 'patch window');
    await ui.clickCardButton(card, 'Exclude');
    await ui.waitForCard({ scope: thread, hasText: `exclude r1: reason=patch window scope=device expiry=7d by ${context.currentUser.name}` });
    await ui.screenshot(path.join(SCREENSHOTS, '4-channel-thread.png'));
  });

  it('group chat: a message with an @mention reaches the bot', async () => {
    await ui.sendGroupMessage('hello group');
    await ui.waitForText('echo: hello group');
    const message = lastMessage();
    expect(message?.conversation).toMatchObject({ id: context.groupChat.id, conversationType: 'groupChat', isGroup: true });
    await ui.screenshot(path.join(SCREENSHOTS, '5-group-chat.png'));
  });
});

describe('Playground launcher', () => {
  it('refuses a taken port instead of letting the Playground fall back to a random one', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const { port } = holder.address() as AddressInfo;
    const logDir = mkdtempSync(path.join(tmpdir(), 'huntops-playground-test-'));
    try {
      const started = startPlaygroundOnPort({ port, botEndpoint: 'http://127.0.0.1:9/api/messages', logFile: path.join(logDir, 'log') });
      await expect(started).rejects.toBeInstanceOf(PortInUseError);
      await expect(started).rejects.toMatchObject({ code: 'EADDRINUSE', port });
    } finally {
      await new Promise<void>((resolve) => holder.close(() => resolve()));
      rmSync(logDir, { recursive: true, force: true });
    }
  });
});
