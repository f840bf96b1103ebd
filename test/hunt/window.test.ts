import { describeWindow, parseWindow, windowToIso, windowToKql } from '../../src/hunt/window';

const MIN = 60_000;

describe('parseWindow', () => {
  test.each([
    ['30m', 30 * MIN],
    ['12h', 12 * 60 * MIN],
    ['5d', 5 * 1440 * MIN],
    ['2w', 14 * 1440 * MIN],
    ['5D', 5 * 1440 * MIN],
    ['P5D', 5 * 1440 * MIN],
    ['p5d', 5 * 1440 * MIN],
    ['PT12H', 12 * 60 * MIN],
    ['PT30M', 30 * MIN],
    ['P1DT12H', 36 * 60 * MIN],
    ['P2W', 14 * 1440 * MIN],
  ])('%s is %d ms', (text, ms) => {
    expect(parseWindow(text)).toEqual({ ms });
  });

  test.each(['0d', '0m', 'P0D', 'PT', 'P', '5', '5x', 'd', '-5d', '5.5d', '1y', 'P1Y', 'P1M', 'PT5S', '5 d', '', '9999999d', 'P1WT1H'])(
    '%j is not a window',
    (text) => {
      expect(parseWindow(text)).toBeUndefined();
    },
  );
});

describe('window rendering', () => {
  test.each([
    [5 * 1440, '5d', 'P5D', '5 days'],
    [12 * 60, '12h', 'PT12H', '12 hours'],
    [30, '30m', 'PT30M', '30 minutes'],
    [36 * 60, '36h', 'P1DT12H', '1 day 12 hours'],
    [1441, '1441m', 'P1DT1M', '1 day 1 minute'],
    [14 * 1440, '14d', 'P14D', '14 days'],
  ])('%d minutes → %s, %s, %s', (minutes, kql, iso, text) => {
    const window = { ms: minutes * MIN };
    expect(windowToKql(window)).toBe(kql);
    expect(windowToIso(window)).toBe(iso);
    expect(describeWindow(window)).toBe(text);
    expect(parseWindow(iso)).toEqual(window);
  });
});
