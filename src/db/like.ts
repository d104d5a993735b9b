/** Escapes `%`, `_` and `\` so user text matches literally inside a LIKE / ILIKE pattern (default escape `\`). */
export const escapeLike = (s: string) => s.replace(/[\\%_]/g, (ch) => '\\' + ch);

/** `%text%` for a "contains" search with ILIKE, the text matched literally. */
export const containsPattern = (s: string) => `%${escapeLike(s)}%`;
