/**
 * Follow-up cards are rendered on a thread of their own, below the event loop (a lower nice value
 * and SCHED_IDLE): the same card as rendering in place, for every view the bot produces and for
 * hostile text; a view that cannot be rendered fails its own render only; closing stops the thread.
 */
import { readdirSync } from 'node:fs';
import { getPriority } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { CardRenderer, RENDER_NICE } from '../../src/cards/card-renderer';
import { renderCard } from '../../src/cards/render';
import type { View } from '../../src/core/views';
import { niceOf, policyOf, waitChannelOf } from '../support/thread-stat';
import { hostileView, largestViews } from './view-fixtures';

const threads = () => new Set(readdirSync('/proc/self/task'));

/** Linux's number for the SCHED_IDLE policy (see `policyOf`). */
const SCHED_IDLE = 5;

describe('CardRenderer', () => {
  let renderer: CardRenderer;

  beforeEach(() => {
    renderer = new CardRenderer();
  });

  afterEach(async () => {
    await renderer.close();
  });

  test('renders every view the bot produces as rendering in place does, hostile text included', async () => {
    const views = largestViews().map(([, view]) => view);
    const all = [...views, ...views.map((view) => hostileView(view).view)];
    const cards = await Promise.all(all.map((view) => renderer.render(view)));
    cards.forEach((card, i) => expect(card).toEqual(renderCard(all[i]!)));
  });

  test(`renders on a thread of its own, ${RENDER_NICE} nice steps below the event loop and under SCHED_IDLE`, async () => {
    const before = threads();
    const [, view] = largestViews()[0]!;
    await renderer.render(view);
    const started = [...threads()].filter((thread) => !before.has(thread));
    const below = started.filter((thread) => niceOf(thread) === Math.min(19, getPriority() + RENDER_NICE));
    expect(below).toHaveLength(1);
    // The nice value is the thread's own doing, at once; SCHED_IDLE follows from the renderer's setter a moment later.
    for (let i = 0; i < 200 && policyOf(below[0]!) !== SCHED_IDLE; i++) await sleep(10);
    expect(policyOf(below[0]!)).toBe(SCHED_IDLE);
    expect(niceOf(String(process.pid))).toBe(getPriority());
    expect(policyOf(String(process.pid))).toBe(0);
    // Idle, it waits for the next view in its event loop, not in Atomics.wait (see ThreadsBelow.pool).
    for (let i = 0; i < 200 && !/epoll/.test(waitChannelOf(below[0]!)); i++) await sleep(10);
    expect(waitChannelOf(below[0]!)).toMatch(/epoll/);
  });

  test('a view that cannot be rendered fails its own render; the next one renders', async () => {
    const [, view] = largestViews()[0]!;
    await expect(renderer.render({ name: 'noSuchCard' } as unknown as View)).rejects.toThrow(/no-such-card/);
    expect(await renderer.render(view)).toEqual(renderCard(view));
  });

  test('close stops the thread; a render after it starts another', async () => {
    const [, view] = largestViews()[0]!;
    await renderer.render(view);
    const running = threads();
    await renderer.close();
    expect(threads().size).toBeLessThan(running.size);
    expect(await renderer.render(view)).toEqual(renderCard(view));
  });
});
