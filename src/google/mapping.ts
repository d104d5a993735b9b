import { z } from 'zod';
import { columnIndex } from './sheets-api';

/** Text from users: no NUL characters (Postgres text cannot hold them; they only ever mean trouble). */
export const SafeText = (max: number) => z.string().trim().min(1).max(max).refine((s) => !s.includes('\u0000'), 'must not contain NUL characters');

/** A column named by its header text ("Video URL") or by its letter ("B"). */
export const ColumnRef = SafeText(200);

export const SourceMapping = z
  .object({
    url: ColumnRef,
    campaign: ColumnRef.optional(),
    tags: ColumnRef.optional(),
    budget: ColumnRef.optional(),
  })
  .strict();
export type SourceMapping = z.infer<typeof SourceMapping>;

/** What SheetsResync can write back, and the header it writes above each. */
export const EXPORT_LABELS = {
  views: 'Views',
  likes: 'Likes',
  comments: 'Comments',
  reposts: 'Reposts',
  saves: 'Saves',
  er: 'ER %',
  views_24h: 'Views +24h',
  views_7d: 'Views +7d',
  last_updated: 'Last updated',
  status: 'Status',
  title: 'Title',
  author: 'Author',
} as const;
export type ExportStat = keyof typeof EXPORT_LABELS;
export const EXPORT_STATS = Object.keys(EXPORT_LABELS) as [ExportStat, ...ExportStat[]];
export const DEFAULT_EXPORT: ExportStat[] = ['views', 'likes', 'comments', 'reposts', 'saves', 'er', 'views_24h', 'views_7d', 'last_updated', 'status'];

export const ExportConfig = z
  .object({
    stats: z.array(z.enum(EXPORT_STATS)).min(1).max(EXPORT_STATS.length).default(DEFAULT_EXPORT),
    /** `columns`: right of the data on the same worksheet; `tab`: a separate worksheet of the same spreadsheet */
    target: z.enum(['columns', 'tab']).default('columns'),
    tab_title: SafeText(100).optional(),
  })
  .strict()
  .refine((e) => e.target !== 'tab' || Boolean(e.tab_title), { message: 'export.tab_title is required when export.target is tab', path: ['tab_title'] })
  .refine((e) => new Set(e.stats).size === e.stats.length, { message: 'export.stats lists a stat twice', path: ['stats'] });
export type ExportConfig = z.infer<typeof ExportConfig>;

const norm = (s: unknown) => String(s ?? '').trim().toLowerCase();

/**
 * A column reference → 0-based index in the header row: header text first (case-insensitive),
 * then a column letter (A–ZZZ). undefined = the column is not there.
 */
export function resolveColumn(ref: string, header: readonly unknown[]): number | undefined {
  const byText = header.findIndex((h) => norm(h) === norm(ref));
  if (byText >= 0) return byText;
  if (/^[A-Z]{1,3}$/.test(ref.trim())) return columnIndex(ref.trim());
  return undefined;
}

export interface ResolvedMapping {
  url: number;
  campaign?: number;
  tags?: number;
  budget?: number;
}

/** Every mapped column against a header row; the missing ones by name (for a clear 4xx). */
export function resolveMapping(mapping: SourceMapping, header: readonly unknown[]): { ok: true; columns: ResolvedMapping } | { ok: false; missing: { field: string; column: string }[] } {
  const missing: { field: string; column: string }[] = [];
  const columns: Partial<ResolvedMapping> = {};
  for (const [field, ref] of Object.entries(mapping) as [keyof SourceMapping, string | undefined][]) {
    if (ref === undefined) continue;
    const i = resolveColumn(ref, header);
    if (i === undefined) missing.push({ field, column: ref });
    else columns[field] = i;
  }
  return missing.length ? { ok: false, missing } : { ok: true, columns: columns as ResolvedMapping };
}
