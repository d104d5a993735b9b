/**
 * Instagram shortcodes are the media pk written in base 64, most significant digit first, with
 * the alphabet below. An id of the form `<pk>_<ownerPk>` encodes only `<pk>`.
 *   CowkyywjSZQ ↔ 3040091568624969296
 */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const MEDIA_ID = /^(\d+)(?:_\d+)?$/;
const SHORTCODE = /^[A-Za-z0-9_-]+$/;

export function isMediaId(id: string): boolean {
  return MEDIA_ID.test(id);
}

/** `3040091568624969296` or `3040091568624969296_123` → `CowkyywjSZQ`. Throws on anything else. */
export function mediaIdToShortcode(id: string): string {
  const pkText = MEDIA_ID.exec(id.trim())?.[1];
  if (!pkText) throw new Error(`not an Instagram media id: ${id}`);
  let pk = BigInt(pkText);
  if (pk === 0n) return ALPHABET[0]!;
  let code = '';
  while (pk > 0n) {
    code = ALPHABET[Number(pk % 64n)]! + code;
    pk /= 64n;
  }
  return code;
}

/** `CowkyywjSZQ` → `3040091568624969296`. Throws when a character is outside the alphabet. */
export function shortcodeToMediaId(code: string): string {
  if (!SHORTCODE.test(code)) throw new Error(`not an Instagram shortcode: ${code}`);
  let pk = 0n;
  for (const ch of code) pk = pk * 64n + BigInt(ALPHABET.indexOf(ch));
  return pk.toString();
}

/**
 * The reel URL of a listed item: from `code`, else derived from the numeric `pk`/`id`, else null —
 * the caller then skips the item and logs a warning.
 */
export function instagramVideoUrl(item: { code?: string | null; id?: string | null; pk?: string | null }): string | null {
  if (item.code && SHORTCODE.test(item.code)) return `https://www.instagram.com/reel/${item.code}/`;
  for (const id of [item.pk, item.id]) {
    if (id && MEDIA_ID.test(id)) return `https://www.instagram.com/reel/${mediaIdToShortcode(id)}/`;
  }
  return null;
}
