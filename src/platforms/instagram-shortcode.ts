/**
 * Instagram shortcodes are the media pk in base 64, most significant digit first. An id of the
 * form `<pk>_<ownerPk>` encodes only `<pk>`.
 */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

export function mediaIdToShortcode(id: string): string {
  const pkText = id.split('_')[0] ?? '';
  if (!/^\d+$/.test(pkText)) throw new Error(`not an Instagram media id: ${id}`);
  let pk = BigInt(pkText);
  if (pk === 0n) return ALPHABET[0]!;
  let code = '';
  while (pk > 0n) {
    code = ALPHABET[Number(pk % 64n)] + code;
    pk /= 64n;
  }
  return code;
}

export function shortcodeToMediaId(code: string): string {
  if (!/^[A-Za-z0-9_-]+$/.test(code)) throw new Error(`not an Instagram shortcode: ${code}`);
  let pk = 0n;
  for (const ch of code) pk = pk * 64n + BigInt(ALPHABET.indexOf(ch));
  return pk.toString();
}

/** The reel URL from the shortcode, else derived from the numeric id, else null (the caller skips it). */
export function instagramVideoUrl(item: { code?: string | null; id?: string | null; pk?: string | null }): string | null {
  if (item.code) return `https://www.instagram.com/reel/${item.code}/`;
  const id = item.pk ?? item.id;
  if (id && /^\d+(_\d+)?$/.test(id)) return `https://www.instagram.com/reel/${mediaIdToShortcode(id)}/`;
  return null;
}
