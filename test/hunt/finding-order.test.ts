/**
 * The order of a hunt's devices (`sortFindings`): most recently seen first, then by name; with a
 * tool order, each tool's devices together. The tool name of each tool is looked up once per sort.
 */
import { rekey, sortFindings, type UnkeyedFinding } from '../../src/hunt/finding';

function finding(deviceName: string, lastSeen: string, toolId = 'kaseya'): UnkeyedFinding {
  return { deviceId: `id-${deviceName}-${toolId}`, deviceName, firstSeen: new Date('2026-01-01T00:00:00Z'), lastSeen: new Date(lastSeen), count: 1, reportIds: [], toolId };
}

const names: Record<string, string> = { kaseya: 'Kaseya VSA', anydesk: 'AnyDesk', 'rule:x': 'rule x', teamviewer: 'TeamViewer' };

test('most recently seen first, then by name as localeCompare orders it (case and accents included)', () => {
  const found = [
    finding('ws-b', '2026-02-01T00:00:00Z'),
    finding('WS-a', '2026-02-01T00:00:00Z'),
    finding('ws-é', '2026-02-01T00:00:00Z'),
    finding('ws-e', '2026-02-01T00:00:00Z'),
    finding('old', '2026-01-15T00:00:00Z'),
    finding('new', '2026-03-01T00:00:00Z'),
  ];
  expect(sortFindings(found).map((f) => f.deviceName)).toEqual(['new', 'WS-a', 'ws-b', 'ws-e', 'ws-é', 'old']);
  expect(found.map((f) => f.deviceName)).toEqual(['ws-b', 'WS-a', 'ws-é', 'ws-e', 'old', 'new']);
});

test('by tool: each tool together, tools by name, and each tool name looked up once', () => {
  const found = [
    finding('a', '2026-01-02T00:00:00Z', 'teamviewer'),
    finding('b', '2026-01-03T00:00:00Z', 'kaseya'),
    finding('c', '2026-01-05T00:00:00Z', 'anydesk'),
    finding('d', '2026-01-04T00:00:00Z', 'kaseya'),
    finding('e', '2026-01-09T00:00:00Z', 'rule:x'),
    finding('f', '2026-01-01T00:00:00Z', 'anydesk'),
  ];
  const asked: string[] = [];
  const sorted = sortFindings(found, (id) => {
    asked.push(id);
    return names[id]!;
  });
  expect(sorted.map((f) => `${f.toolId}/${f.deviceName}`)).toEqual(['anydesk/c', 'anydesk/f', 'kaseya/d', 'kaseya/b', 'rule:x/e', 'teamviewer/a']);
  expect([...asked].sort()).toEqual(['anydesk', 'kaseya', 'rule:x', 'teamviewer']);
  expect(rekey(sorted).map((f) => f.rowKey)).toEqual(['0', '1', '2', '3', '4', '5']);
});

test('agrees with comparing with localeCompare at every step, over many devices with ties', () => {
  let seed = 7;
  const next = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  const tools = Object.keys(names);
  const letters = ['a', 'B', 'é', 'e', 'Z', '-', '1', 'ß', 'İ'];
  const found = Array.from({ length: 2000 }, () =>
    finding(
      Array.from({ length: 1 + next(4) }, () => letters[next(letters.length)]).join(''),
      new Date(Date.UTC(2026, 0, 1 + next(5))).toISOString(),
      tools[next(tools.length)],
    ),
  );
  const reference = (byTool: boolean) =>
    [...found].sort(
      (a, b) =>
        (byTool ? names[a.toolId]!.localeCompare(names[b.toolId]!) : 0) ||
        b.lastSeen.getTime() - a.lastSeen.getTime() ||
        a.deviceName.localeCompare(b.deviceName),
    );
  const key = (f: UnkeyedFinding) => `${f.toolId}|${f.lastSeen.toISOString()}|${f.deviceName}`;
  expect(sortFindings(found).map(key)).toEqual(reference(false).map(key));
  expect(sortFindings(found, (id) => names[id]!).map(key)).toEqual(reference(true).map(key));
});
