/**
 * Watch intervals (15 minutes to 7 days, seconds when configured) and run windows (baseline, then
 * since the previous run plus the ingestion overlap, capped on catch-up).
 */
import { describeInterval, parseInterval, watchIntervalProblem } from '../../src/watch/interval';
import { mergeFindings } from '../../src/watch/sort-findings';
import { postHeadline } from '../../src/watch/watch-summary';
import { watchWindow } from '../../src/watch/watch-window';

const MINUTE = 60_000;
const DAY = 86_400_000;

describe('parseInterval', () => {
  it.each([
    ['30s', 30_000],
    ['15m', 15 * MINUTE],
    ['1H', 60 * MINUTE],
    ['2d', 2 * DAY],
    ['1w', 7 * DAY],
    ['PT30S', 30_000],
    ['PT1H30M', 90 * MINUTE],
    ['P1DT12H', 1.5 * DAY],
    ['P1W', 7 * DAY],
  ])('%s is %d ms', (text, ms) => {
    expect(parseInterval(text)).toBe(ms);
  });

  it.each(['', '0m', '15', 'm', '15 minutes', 'P', 'PT', 'P1DT', '-5m', '1.5h', '1234567m'])('refuses %j', (text) => {
    expect(parseInterval(text)).toBeUndefined();
  });
});

describe('watchIntervalProblem', () => {
  it('takes 15 minutes to 7 days by default, and seconds when the minimum is lowered', () => {
    expect(watchIntervalProblem(15 * MINUTE)).toBeUndefined();
    expect(watchIntervalProblem(7 * DAY)).toBeUndefined();
    expect(watchIntervalProblem(15 * MINUTE - 1000)).toBe('A watch runs at most every 15 minutes.');
    expect(watchIntervalProblem(7 * DAY + 1000)).toBe('A watch runs at least every 7 days.');
    expect(watchIntervalProblem(0)).toMatch(/is a duration/);
    expect(watchIntervalProblem(5_000, 5_000)).toBeUndefined();
    expect(watchIntervalProblem(4_000, 5_000)).toBe('A watch runs at most every 5 seconds.');
    expect(describeInterval(DAY + 6 * 60 * MINUTE + 1000)).toBe('1 day 6 hours 1 second');
  });
});

describe('watchWindow', () => {
  const now = new Date(Date.UTC(2026, 0, 15, 12, 0, 0));

  it('looks back over the baseline window on the first run', () => {
    expect(watchWindow({ baselineWindowMs: 5 * DAY }, now)).toEqual({ start: new Date(now.getTime() - 5 * DAY), end: now, ms: 5 * DAY, truncated: false });
  });

  it('covers the time since the previous run plus the overlap, in whole minutes', () => {
    const windowEnd = new Date(now.getTime() - 15 * MINUTE - 20_000);
    const window = watchWindow({ baselineWindowMs: 5 * DAY, windowEnd }, now, { overlapMs: 30 * MINUTE });
    expect(window.start).toEqual(new Date(windowEnd.getTime() - 30 * MINUTE));
    expect(window.ms).toBe(46 * MINUTE);
    expect(window.truncated).toBe(false);
  });

  it('caps a long gap at the longest window, and a previous end in the future at now', () => {
    const capped = watchWindow({ baselineWindowMs: DAY, windowEnd: new Date(now.getTime() - 40 * DAY) }, now, { maxWindowMs: 30 * DAY });
    expect(capped).toMatchObject({ start: new Date(now.getTime() - 30 * DAY), truncated: true });
    const skewed = watchWindow({ baselineWindowMs: DAY, windowEnd: new Date(now.getTime() + 5 * MINUTE) }, now, { overlapMs: 10 * MINUTE });
    expect(skewed).toMatchObject({ start: new Date(now.getTime() - 10 * MINUTE), ms: 10 * MINUTE });
  });
});

describe('mergeFindings and postHeadline', () => {
  const at = (h: number): Date => new Date(Date.UTC(2026, 0, 15, h));

  it('merges the rows of a renamed device into one, keeping the latest name', () => {
    const merged = mergeFindings([
      { deviceId: 'd1', deviceName: 'OLD-NAME', toolId: 'kaseya', firstSeen: at(1), lastSeen: at(2), count: 2 },
      { deviceId: 'd1', deviceName: 'NEW-NAME', toolId: 'kaseya', firstSeen: at(3), lastSeen: at(5), count: 3 },
      { deviceId: 'd1', deviceName: 'NEW-NAME', toolId: 'anydesk', firstSeen: at(4), lastSeen: at(4), count: 1 },
    ]);
    expect(merged).toEqual([
      { deviceId: 'd1', deviceName: 'NEW-NAME', toolId: 'kaseya', firstSeen: at(1), lastSeen: at(5), count: 5 },
      { deviceId: 'd1', deviceName: 'NEW-NAME', toolId: 'anydesk', firstSeen: at(4), lastSeen: at(4), count: 1 },
    ]);
  });

  it('leads each post with one sentence', () => {
    const sighting = (instances?: string[]) => ({
      deviceId: 'd',
      deviceName: 'WS',
      toolId: 'kaseya',
      firstSeen: at(1),
      lastSeen: at(1),
      count: 1,
      runKey: 'r',
      recordedAt: at(1),
      ...(instances ? { unsanctionedInstances: instances } : {}),
    });
    expect(postHeadline('Kaseya', { kind: 'baseline', sightings: [sighting(), sighting(), sighting(), sighting()] })).toBe(
      'Kaseya: 4 devices now — you will hear about new ones.',
    );
    expect(postHeadline('Kaseya', { kind: 'baseline', sightings: [] })).toBe('Kaseya: no devices now — you will hear about new ones.');
    expect(postHeadline('Kaseya', { kind: 'new-devices', sightings: [sighting()] })).toBe('Kaseya: 1 new device.');
    expect(postHeadline('ScreenConnect', { kind: 'new-devices', sightings: [sighting(['x.example']), sighting(['y.example']), sighting()] })).toBe(
      'ScreenConnect: 3 new devices (2 talk to an unsanctioned instance).',
    );
  });
});
