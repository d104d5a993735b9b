/**
 * Import columns, matched by header text: case, spacing and punctuation do not matter
 * ("Video URL", "video_url", "VIDEO-URL" are one header), and each column has common synonyms.
 */
export const IMPORT_COLUMNS = ['url', 'campaign', 'tags', 'budget', 'notes', 'platform'] as const;
export type ImportColumn = (typeof IMPORT_COLUMNS)[number];

const SYNONYMS: Record<ImportColumn, string[]> = {
  url: ['url', 'link', 'links', 'video url', 'video link', 'video', 'url video', 'video address', 'href', 'ссылка', 'ссылка на видео'],
  campaign: ['campaign', 'campaign name', 'кампания'],
  tags: ['tags', 'tag', 'labels', 'теги'],
  budget: ['budget', 'cost', 'price', 'fee', 'бюджет'],
  notes: ['notes', 'note', 'remarks', 'memo', 'заметки'],
  // taken from the link itself; recognised so the template's column is not reported as unknown
  platform: ['platform', 'network', 'платформа'],
};

/** "Video URL " → "videourl": letters and digits of any script, lower case. */
export const normalizeHeader = (text: string) => text.normalize('NFKC').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');

const BY_NORMALIZED = new Map<string, ImportColumn>(
  IMPORT_COLUMNS.flatMap((col) => SYNONYMS[col].map((s) => [normalizeHeader(s), col] as const)),
);

export const columnForHeader = (text: string): ImportColumn | undefined => BY_NORMALIZED.get(normalizeHeader(text));

/** The template's headers, in order (what columnForHeader maps back). */
export const TEMPLATE_HEADERS: { column: ImportColumn; header: string; width: number }[] = [
  { column: 'url', header: 'Video URL', width: 60 },
  { column: 'platform', header: 'Platform', width: 14 },
  { column: 'campaign', header: 'Campaign', width: 24 },
  { column: 'tags', header: 'Tags', width: 24 },
  { column: 'budget', header: 'Budget', width: 12 },
  { column: 'notes', header: 'Notes', width: 40 },
];
