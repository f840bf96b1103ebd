/**
 * Long text split over Azure Table properties.
 */
import { getJson, getText, putJson, putText } from '../../src/store/azure/entity-text';

describe('entity text', () => {
  it.each([0, 1, 29_999, 30_000, 30_001, 95_000])('round-trips %i characters, every part under the service limit', (length) => {
    const text = 'k'.repeat(length);
    const entity: Record<string, unknown> = {};
    putText(entity, 'payload', text);
    expect(getText(entity, 'payload')).toBe(text);
    for (const value of Object.values(entity)) if (typeof value === 'string') expect(value.length).toBeLessThanOrEqual(32_767);
    expect(entity.payload_n).toBe(Math.max(1, Math.ceil(length / 30_000)));
  });

  it('never splits a surrogate pair', () => {
    const text = `${'a'.repeat(29_999)}😀${'b'.repeat(10)}`;
    const entity: Record<string, unknown> = {};
    putText(entity, 't', text);
    expect(getText(entity, 't')).toBe(text);
    expect((entity.t as string).endsWith('a')).toBe(true);
    expect((entity.t_1 as string).startsWith('😀')).toBe(true);
  });

  it('round-trips JSON, and reads an absent property as undefined', () => {
    const entity: Record<string, unknown> = {};
    putJson(entity, 'card', { type: 'AdaptiveCard', body: [{ text: 'x'.repeat(70_000) }] });
    expect(getJson(entity, 'card')).toEqual({ type: 'AdaptiveCard', body: [{ text: 'x'.repeat(70_000) }] });
    expect(getJson(entity, 'missing')).toBeUndefined();
  });
});
