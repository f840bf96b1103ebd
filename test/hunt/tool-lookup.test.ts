import { loadCatalog, type RmmTool } from '../../src/hunt/catalog';
import { defaultHuntKind, filterTools, huntKindsOf, MissingHuntKindError, pageOf, requireHuntKind } from '../../src/hunt/tool-lookup';

const catalog = loadCatalog();

describe('tool lookup for chat', () => {
  test('tools screen: every tool whose id, name or aliases hold the word, any case', () => {
    const found = filterTools(catalog.tools, 'Screen').map((t) => t.id);
    expect(found).toEqual(expect.arrayContaining(['beamyourscreen', 'connectwise', 'getscreen', 'screenmeet']));
    for (const id of found) {
      const tool = catalog.get(id)!;
      expect([tool.id, tool.name, ...tool.aliases].join(' ').toLowerCase()).toContain('screen');
    }
    expect(filterTools(catalog.tools, '')).toHaveLength(catalog.tools.length);
    expect(filterTools(catalog.tools, 'no such tool anywhere')).toEqual([]);
  });

  test('every word must hold; kind words name the hunts a tool has; the category is a word too', () => {
    const vncNet = filterTools(catalog.tools, 'vnc net');
    expect(vncNet.length).toBeGreaterThan(0);
    for (const tool of vncNet) expect(tool.network).toBeDefined();
    expect(filterTools(catalog.tools, 'vnc').length).toBeGreaterThan(vncNet.length);
    for (const tool of filterTools(catalog.tools, 'rat')) expect(`${tool.category} ${tool.name} ${tool.aliases.join(' ')}`.toLowerCase()).toContain('rat');
  });

  test('the kinds a tool has, its default kind, and a typed error naming the kinds it has', () => {
    const kaseya = catalog.get('kaseya')!;
    expect(huntKindsOf(kaseya)).toEqual(['file-signature', 'process', 'network']);
    expect(defaultHuntKind(kaseya)).toBe('file-signature');
    const addigy = catalog.get('addigy')!;
    expect(huntKindsOf(addigy)).toEqual(['network']);
    expect(defaultHuntKind(addigy)).toBe('network');
    expect(requireHuntKind(addigy, 'network')).toBe(addigy);
    try {
      requireHuntKind(addigy, 'process');
      throw new Error('expected a MissingHuntKindError');
    } catch (error) {
      expect(error).toBeInstanceOf(MissingHuntKindError);
      expect((error as MissingHuntKindError).available).toEqual(['network']);
      expect((error as Error).message).toBe('Addigy has no process hunt; it has network');
    }
    const bare: RmmTool = { id: 'x', name: 'X', aliases: [] };
    expect(() => defaultHuntKind(bare)).toThrow('x has no hunt');
  });

  test('pages are 1-based and clamped', () => {
    const items = Array.from({ length: 25 }, (_, i) => i);
    expect(pageOf(items, 1, 10)).toEqual({ items: items.slice(0, 10), page: 1, pageCount: 3, total: 25 });
    expect(pageOf(items, 9, 10)).toMatchObject({ items: [20, 21, 22, 23, 24], page: 3 });
    expect(pageOf(items, 0, 10).page).toBe(1);
    expect(pageOf([], 2, 10)).toEqual({ items: [], page: 1, pageCount: 1, total: 0 });
    expect(() => pageOf(items, 1, 0)).toThrow(RangeError);
  });
});
