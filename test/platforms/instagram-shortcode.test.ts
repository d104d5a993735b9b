import { describe, expect, it } from 'vitest';
import { instagramVideoUrl, mediaIdToShortcode, shortcodeToMediaId } from '../../src/platforms';

const KNOWN = [
  ['CowkyywjSZQ', '3040091568624969296'],
  ['CqIbCzYMi5C', '3064818486287150658'],
] as const;

describe('Instagram shortcode ↔ media id', () => {
  it.each(KNOWN)('%s ↔ %s', (code, id) => {
    expect(shortcodeToMediaId(code)).toBe(id);
    expect(mediaIdToShortcode(id)).toBe(code);
  });

  it('encodes only the pk of a `<pk>_<ownerPk>` id', () => {
    expect(mediaIdToShortcode('3040091568624969296_25025320')).toBe('CowkyywjSZQ');
    expect(mediaIdToShortcode('3064818486287150658_1')).toBe('CqIbCzYMi5C');
  });

  it('round-trips ids across the 64-bit range and beyond (BigInt, no precision loss)', () => {
    const ids = ['1', '63', '64', '4095', '4096', String(2n ** 53n + 1n), String(2n ** 63n - 1n), String(2n ** 64n + 12345n), '3123456789012345678'];
    for (let i = 0n; i < 200n; i++) ids.push(String(3_000_000_000_000_000_000n + i * 7_919_000_000_001n));
    for (const id of ids) expect(shortcodeToMediaId(mediaIdToShortcode(id))).toBe(id);
    for (const [code] of KNOWN) expect(mediaIdToShortcode(shortcodeToMediaId(code))).toBe(code);
    expect(mediaIdToShortcode('0')).toBe('A');
    expect(shortcodeToMediaId('_')).toBe('63');
    expect(shortcodeToMediaId('BA')).toBe('64');
  });

  it('refuses inputs that are not ids or shortcodes', () => {
    expect(() => mediaIdToShortcode('abc')).toThrow(/not an Instagram media id/);
    expect(() => mediaIdToShortcode('')).toThrow(/not an Instagram media id/);
    expect(() => mediaIdToShortcode('12_ab')).toThrow(/not an Instagram media id/);
    expect(() => shortcodeToMediaId('abc!')).toThrow(/not an Instagram shortcode/);
    expect(() => shortcodeToMediaId('')).toThrow(/not an Instagram shortcode/);
  });
});

describe('instagramVideoUrl', () => {
  it('uses the code when there is one', () => {
    expect(instagramVideoUrl({ code: 'CowkyywjSZQ', id: '1_2' })).toBe('https://www.instagram.com/reel/CowkyywjSZQ/');
  });

  it('derives the code from the numeric id (or pk) when the item has none', () => {
    expect(instagramVideoUrl({ id: '3040091568624969296_25025320' })).toBe('https://www.instagram.com/reel/CowkyywjSZQ/');
    expect(instagramVideoUrl({ code: null, pk: '3064818486287150658' })).toBe('https://www.instagram.com/reel/CqIbCzYMi5C/');
  });

  it('gives null when neither is usable, so the caller can skip the item', () => {
    expect(instagramVideoUrl({})).toBeNull();
    expect(instagramVideoUrl({ code: null, id: null })).toBeNull();
    expect(instagramVideoUrl({ id: 'not-a-number' })).toBeNull();
    expect(instagramVideoUrl({ code: 'bad code!' })).toBeNull();
  });
});
