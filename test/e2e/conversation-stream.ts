/**
 * What the Agents Playground told its web UI about the bot's messages, recorded from the page's
 * WebSocket (`/_ws_conversation/v1/conversations/stream`): every message the bot posted
 * (`createMessage`) and every in-place update (`updateMessage`), in order, with its cards. The
 * browser renders from these events, so they show what happened even when two of them arrive
 * too close together for a person (or a DOM poll) to see the first. The log panel's stream
 * (`/_ws/log/stream`: every activity with its request and response) is kept too, for diagnosis.
 */
import type { BrowserContext, Page, WebSocket } from 'playwright-core';

const STREAM_PATH = '/_ws_conversation/v1/conversations/stream';
const LOG_PATH = '/_ws/log/stream';

/** One event of the conversation stream about a bot message. */
export interface StreamEvent {
  /** `createMessage` (posted) or `updateMessage` (replaced in place). */
  readonly action: string;
  /** The conversation as the Playground names it (a channel post: the channel's id). */
  readonly conversationId: string;
  /** The message's id; an update names the message it replaces. */
  readonly messageId: string;
  /** The Adaptive Cards the message holds. */
  readonly cards: readonly unknown[];
  /** Every string in those cards, one per line (for `toContain`). */
  readonly cardText: string;
  /** The first text the cards show (their title, usually), for messages about the event. */
  readonly headline: string;
  /** The event as the Playground sent it. */
  readonly raw: unknown;
}

interface RawStreamEvent {
  action?: unknown;
  actionConversationId?: unknown;
  message?: { messageId?: unknown; attachments?: Array<{ contentType?: unknown; content?: unknown }> };
}

const ADAPTIVE_CARD = 'application/vnd.microsoft.card.adaptive';

/** The `text` of the first element that has one (a card's first TextBlock), depth first. */
export function headlineOf(value: unknown): string {
  if (Array.isArray(value)) {
    for (const item of value) {
      const found = headlineOf(item);
      if (found) return found;
    }
    return '';
  }
  if (value && typeof value === 'object') {
    const { text } = value as { text?: unknown };
    if (typeof text === 'string' && text.trim()) return text;
    return headlineOf(Object.values(value));
  }
  return '';
}

/** Every string in a JSON value, depth first. */
export function stringsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsOf);
  if (value && typeof value === 'object') return Object.values(value).flatMap(stringsOf);
  return [];
}

function toEvent(payload: string): StreamEvent | undefined {
  let raw: RawStreamEvent;
  try {
    raw = JSON.parse(payload) as RawStreamEvent;
  } catch {
    return undefined;
  }
  const messageId = raw.message?.messageId;
  if (typeof raw.action !== 'string' || typeof raw.actionConversationId !== 'string' || typeof messageId !== 'string') return undefined;
  const cards = (raw.message?.attachments ?? []).filter((a) => String(a.contentType).toLowerCase() === ADAPTIVE_CARD).map((a) => a.content);
  return { action: raw.action, conversationId: raw.actionConversationId, messageId, cards, cardText: stringsOf(cards).join('\n'), headline: headlineOf(cards), raw };
}

/** Records the conversation stream of every page of a browser context, from the moment it is attached. */
export class ConversationStream {
  private readonly recorded: StreamEvent[] = [];
  private readonly logFrames: string[] = [];
  private readonly waiters = new Set<() => void>();

  private constructor() {}

  /** Starts recording; attach before opening the Playground so that no event is missed. */
  static attach(context: BrowserContext): ConversationStream {
    const stream = new ConversationStream();
    const watchPage = (page: Page) => page.on('websocket', (socket) => stream.watch(socket));
    context.pages().forEach(watchPage);
    context.on('page', watchPage);
    return stream;
  }

  /** Everything recorded so far, in order. */
  events(): readonly StreamEvent[] {
    return [...this.recorded];
  }

  /** What the Playground's log panel received (each activity with its request and response), for diagnosis. */
  logPanel(): readonly string[] {
    return [...this.logFrames];
  }

  /** A mark to pass to {@link waitFor} so that it only looks at later events. */
  mark(): number {
    return this.recorded.length;
  }

  /** Events after `mark` that match. */
  since(mark: number, predicate: (event: StreamEvent) => boolean = () => true): StreamEvent[] {
    return this.recorded.slice(mark).filter(predicate);
  }

  /**
   * Resolves with the first event after `mark` that matches, as soon as it is recorded; rejects
   * after `timeoutMs` (an upper bound, not a delay), listing what was recorded instead.
   */
  async waitFor(predicate: (event: StreamEvent) => boolean, options: { after?: number; timeoutMs?: number; what?: string } = {}): Promise<StreamEvent> {
    const after = options.after ?? 0;
    const timeoutMs = options.timeoutMs ?? 30_000;
    return new Promise<StreamEvent>((resolve, reject) => {
      const check = () => {
        const found = this.recorded.slice(after).find(predicate);
        if (!found) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(found);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        const seen = this.recorded.slice(after).map((e) => `${e.action} ${e.conversationId} ${e.messageId}: ${e.headline}`);
        reject(new Error(`no conversation event (${options.what ?? 'matching'}) within ${timeoutMs} ms; recorded instead:\n${seen.join('\n') || '(nothing)'}`));
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }

  private watch(socket: WebSocket): void {
    const { pathname } = new URL(socket.url());
    if (pathname === LOG_PATH) {
      socket.on('framereceived', ({ payload }) => this.logFrames.push(typeof payload === 'string' ? payload : payload.toString('utf8')));
    }
    if (pathname !== STREAM_PATH) return;
    socket.on('framereceived', ({ payload }) => {
      const event = toEvent(typeof payload === 'string' ? payload : payload.toString('utf8'));
      if (!event) return;
      this.recorded.push(event);
      for (const waiter of [...this.waiters]) waiter();
    });
  }
}
