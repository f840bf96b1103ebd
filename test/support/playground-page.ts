/**
 * What a person does in the Agents Playground's web UI, as test steps: open a conversation, send a
 * message or post in a channel with an @mention, wait for the bot's Adaptive Cards, fill their inputs
 * and press their buttons. Selectors were verified against Playground 0.2.28 (docs/playground.md).
 */
import type { Locator, Page, Response } from 'playwright-core';
import type { ChromiumSession } from './chromium';
import { readPlaygroundContext, type PlaygroundContext } from './playground';

/** Stable selectors of the Playground's UI (ARIA names and Adaptive Card classes, no generated CSS). */
export const SELECTORS = {
  /** The message composer (a Lexical editor); in a channel, the new-post box and each thread's reply box. */
  composer: 'div[contenteditable="true"][role="textbox"]',
  /** The send button of a chat composer and of a thread's reply box. */
  sendButton: 'button[aria-label="Send Message"]',
  /** A channel's new-post box and each thread: Fluent cards. Threads are listed newest first. */
  channelCard: 'div.fui-Card[role="group"]',
  /** A rendered Adaptive Card (only bots send cards). */
  adaptiveCard: '.ac-adaptiveCard',
  /** The note under a card after a successful `Action.Execute` ("Your response was sent to the app"). */
  invokeNote: '[aria-label="Display Invoked Message"]',
} as const;

const MESSAGES_PATH = /^\/_conversation\/v1\/conversations\/[^/]+\/messages$/;
const INVOKE_PATH = '/_conversation/v1/invoke';

/** Whether to start a message with an @mention of the bot. */
export interface MentionOptions {
  /**
   * Default true. The Playground, like Teams, only forwards group-chat and channel messages that
   * @mention the bot; a personal-chat message never needs one.
   */
  mention?: boolean;
}

/** What the bot answered to an `Action.Execute`, as the Playground passed it to the browser. */
export interface InvokeResult {
  /** HTTP status of the Playground's invoke endpoint (502 when the bot failed or answered >= 400). */
  readonly status: number;
  /** The bot's invoke response body, e.g. `{ type: 'application/vnd.microsoft.card.adaptive', value: card }`. */
  readonly body: unknown;
}

/** Options of {@link PlaygroundPage.waitForCard}. */
export interface WaitForCardOptions {
  /** Where to look: a thread from {@link PlaygroundPage.postInChannel}; default: the whole page. */
  scope?: Locator;
  /** Zero-based position among the matching cards in document order; default: the last one. */
  index?: number;
  /** Only cards containing this text. */
  hasText?: string | RegExp;
  /** Milliseconds; default: Playwright's (30 s). */
  timeout?: number;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A browser tab on the Playground, acting as the configuration's current user. */
export class PlaygroundPage {
  private constructor(
    /** The underlying Playwright page, for anything the helpers do not cover. */
    readonly page: Page,
    /** The mock Teams context (conversation names and ids, the bot's name). */
    readonly context: PlaygroundContext,
  ) {}

  /**
   * Opens the Playground at `url` in a new tab and waits for its conversation list. Loading the page
   * makes the Playground send `installationUpdate` and `conversationUpdate` for the personal chat.
   */
  static async open(session: ChromiumSession, url: string, context: PlaygroundContext = readPlaygroundContext()): Promise<PlaygroundPage> {
    const page = await session.context.newPage();
    await page.goto(url);
    await page.getByRole('treeitem', { name: context.personalChat.label, exact: true }).waitFor();
    return new PlaygroundPage(page, context);
  }

  /** Selects a conversation by its label in the list (`Personal Chat`, the group chat's name, `<team> - <channel>`). */
  async openConversation(label: string): Promise<void> {
    await this.page.getByRole('treeitem', { name: label, exact: true }).click();
  }

  /** Sends `text` in the personal chat with the bot. */
  async sendPersonalMessage(text: string): Promise<void> {
    await this.openConversation(this.context.personalChat.label);
    await this.waitForChatView();
    await this.type(this.page.locator(SELECTORS.composer).first(), text, { mention: false });
    await this.submit(this.page.locator(SELECTORS.sendButton).first());
  }

  /** Sends `text` in the group chat, by default after an @mention of the bot. */
  async sendGroupMessage(text: string, options: MentionOptions = {}): Promise<void> {
    await this.openConversation(this.context.groupChat.label);
    await this.waitForChatView();
    await this.type(this.page.locator(SELECTORS.composer).first(), text, options);
    await this.submit(this.page.locator(SELECTORS.sendButton).first());
  }

  /**
   * Starts a thread in a channel of the team (`'General'` or the configured channel) with the Post
   * button, by default @mentioning the bot, and returns the thread (root post, replies, reply box).
   * The bot sees `conversation.id = '<channel id>;messageid=<root id>'`.
   *
   * Playground 0.2.28's page may drop the bot's answer to a new post that @mentions it, when the
   * answer's WebSocket event arrives before the page has recorded the post (console: "Saga error
   * Error: Invalid conversation id …;messageid=…"; about 1 post in 20 with a bot that answers within
   * milliseconds). For a test that must see the answer, start the thread with `mention: false` and
   * send the command with {@link replyInThread}: answers in a thread the page knows are always shown.
   */
  async postInChannel(channel: string, text: string, options: MentionOptions = {}): Promise<Locator> {
    const entry = this.context.channels.find((c) => c.name === channel);
    if (!entry) throw new Error(`no channel "${channel}" in the Playground configuration`);
    await this.openConversation(entry.label);
    const newPost = this.page.locator(SELECTORS.channelCard).filter({ has: this.page.getByRole('button', { name: 'Post', exact: true }) });
    await this.type(newPost.locator(SELECTORS.composer), text, options);
    await this.submit(newPost.getByRole('button', { name: 'Post', exact: true }));
    return this.threads().filter({ hasText: text }).first();
  }

  /** Replies in a channel thread, by default after an @mention of the bot. */
  async replyInThread(thread: Locator, text: string, options: MentionOptions = {}): Promise<void> {
    await this.type(thread.locator(SELECTORS.composer), text, options);
    await this.submit(thread.locator(SELECTORS.sendButton));
  }

  /** The threads of the open channel, newest first. */
  threads(): Locator {
    return this.page.locator(SELECTORS.channelCard).filter({ has: this.page.locator(SELECTORS.sendButton) });
  }

  /** The Adaptive Cards in `scope` (default: the open conversation), in document order. */
  cards(scope?: Locator): Locator {
    return (scope ?? this.page).locator(SELECTORS.adaptiveCard);
  }

  /**
   * Waits for a bot card and returns a locator for it. The locator is re-evaluated on each use, so
   * after the bot updates that message in place (`updateActivity`, or an `Action.Execute` answered
   * with a card) it shows the new content at the same position.
   */
  async waitForCard(options: WaitForCardOptions = {}): Promise<Locator> {
    const all = this.cards(options.scope);
    const matching = options.hasText === undefined ? all : all.filter({ hasText: options.hasText });
    const card = options.index === undefined ? matching.last() : matching.nth(options.index);
    await card.waitFor({ state: 'visible', ...(options.timeout === undefined ? {} : { timeout: options.timeout }) });
    return card;
  }

  /**
   * Waits for a paragraph containing `text` and returns it: a bot's text message, or a `TextBlock` of
   * a card (a user's own chat messages are not paragraphs, the conversation list and log panel neither).
   */
  async waitForText(text: string | RegExp, options: { scope?: Locator; timeout?: number } = {}): Promise<Locator> {
    const paragraph = (options.scope ?? this.page).getByRole('paragraph').filter({ hasText: text }).last();
    await paragraph.waitFor({ state: 'visible', ...(options.timeout === undefined ? {} : { timeout: options.timeout }) });
    return paragraph;
  }

  /**
   * The finding row of a card whose title (a device's host name, a tool) is exactly `title`: the
   * innermost container holding that title and a Details button (`cards/parts/finding-rows.json`).
   */
  cardRow(card: Locator, title: string): Locator {
    return card
      .locator('.ac-container')
      .filter({ has: this.page.locator('.ac-textRun').getByText(title, { exact: true }) })
      .filter({ has: this.page.getByRole('button', { name: 'Details', exact: true }) })
      .last();
  }

  /**
   * Presses an `Action.Execute` button of a card — shown, or in the overflow menu ("More options")
   * of `card`, which may be a row — and resolves with what the bot answered. Throws
   * when the bot failed (the Playground's UI shows nothing in that case), and at once when the page
   * throws instead of sending the action (the Playground's card renderer rejects some action data;
   * the UI shows nothing then either). A card whose required input is empty sends nothing: the call
   * then times out, and the card shows its error message.
   */
  async clickCardButton(card: Locator, title: string, options: { timeout?: number } = {}): Promise<InvokeResult> {
    const response = this.page.waitForResponse(
      (r) => r.request().method() === 'POST' && new URL(r.url()).pathname === INVOKE_PATH,
      options.timeout === undefined ? {} : { timeout: options.timeout },
    );
    let onPageError: (error: Error) => void = () => undefined;
    const pageError = new Promise<never>((_, reject) => {
      onPageError = (error) =>
        reject(new Error(`pressing "${title}" sent nothing to the bot: the Playground's page threw ${error.stack ?? error.message}`));
    });
    // Whichever loses the race below must not surface as an unhandled rejection.
    response.catch(() => undefined);
    pageError.catch(() => undefined);
    this.page.on('pageerror', onPageError);
    try {
      const shown = card.getByRole('button', { name: title, exact: true });
      if ((await shown.count()) > 0) await shown.click();
      else {
        await card.getByRole('button', { name: 'More options', exact: true }).last().click();
        await this.page.getByRole('menuitem', { name: title, exact: true }).click();
      }
      const result = await this.invokeResult(await Promise.race([response, pageError]));
      if (result.status >= 400) {
        throw new Error(`the bot failed the card action "${title}": the Playground answered HTTP ${result.status}`);
      }
      return result;
    } finally {
      this.page.off('pageerror', onPageError);
    }
  }

  /** The input of a card whose label is exactly `label` (a required input's `*` aside). */
  async cardInput(card: Locator, label: string): Promise<Locator> {
    const labelElement = card.locator('label.ac-richTextBlock').filter({ hasText: new RegExp(`^\\s*${escapeRegExp(label)}\\s*\\*?\\s*$`) });
    const id = await labelElement.getAttribute('for');
    if (!id) throw new Error(`the card's "${label}" label names no input`);
    return card.locator(`[id="${id}"]`);
  }

  /** Types into a card's `Input.Text` (single or multi-line) or `Input.Number`, replacing its value. */
  async fillCardInput(card: Locator, label: string, value: string): Promise<void> {
    await (await this.cardInput(card, label)).fill(value);
  }

  /** Picks a choice (by its title) of a card's `Input.ChoiceSet`, compact (combobox) or expanded (radios). */
  async chooseCardOption(card: Locator, label: string, choice: string): Promise<void> {
    const input = await this.cardInput(card, label);
    if ((await input.getAttribute('role')) === 'combobox') {
      await input.click();
      await this.page.getByRole('option', { name: choice, exact: true }).click();
    } else {
      await input.getByRole('radio', { name: choice, exact: true }).check();
    }
  }

  /** Saves a full-page screenshot. */
  async screenshot(file: string): Promise<void> {
    await this.page.screenshot({ path: file, fullPage: true });
  }

  /** Waits until no channel's new-post box is shown, so the chat composer is the one typed into. */
  private async waitForChatView(): Promise<void> {
    await this.page.getByRole('button', { name: 'Post', exact: true }).waitFor({ state: 'detached' });
  }

  private async type(composer: Locator, text: string, options: MentionOptions): Promise<void> {
    await composer.click();
    if (options.mention ?? true) {
      const name = this.context.bot.name;
      await composer.pressSequentially(`@${name}`);
      // A suggestion's accessible name repeats the name (avatar + text): match its visible text.
      await this.page.getByRole('menuitem').filter({ has: this.page.getByText(name, { exact: true }) }).click();
      await composer.pressSequentially(` ${text}`);
    } else {
      await composer.pressSequentially(text);
    }
  }

  /** Clicks a send/post button and waits until the Playground has taken the message. */
  private async submit(button: Locator): Promise<void> {
    const response = this.page.waitForResponse((r) => r.request().method() === 'POST' && MESSAGES_PATH.test(new URL(r.url()).pathname));
    await button.click();
    const status = (await response).status();
    if (status >= 400) {
      throw new Error(`the Playground could not deliver the message (HTTP ${status}): is the bot running? See the log panel`);
    }
  }

  private async invokeResult(response: Response): Promise<InvokeResult> {
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // Not JSON (an error page): keep the text.
    }
    return { status: response.status(), body };
  }
}
