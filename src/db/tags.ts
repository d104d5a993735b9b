import { jsonb, type Db } from './client';

/** Where tags are linked to what; the identifiers are ours, never the caller's. */
const LINKS = {
  video: { table: 'video_tags', column: 'video_id' },
  blogger: { table: 'blogger_tags', column: 'blogger_id' },
  campaign: { table: 'campaign_tags', column: 'campaign_id' },
} as const;

/**
 * Creates missing tags by name and links them to a video, a blogger or a campaign (both idempotent).
 *
 * One statement, safe under concurrency: `on conflict do update` returns the tag's id whether this
 * statement inserted it, found it, or waited for a concurrent transaction that just inserted it.
 * (`do nothing` returns no row for a conflict, and a re-select in the same statement reads the
 * statement's snapshot, which cannot see a row committed after it began: links were silently lost.)
 * Names are inserted in sorted order so concurrent callers lock shared tags in the same order.
 */
export async function linkTags(db: Db, organizationId: string, kind: keyof typeof LINKS, targetId: string, names: string[]): Promise<void> {
  if (names.length === 0) return;
  const { table, column } = LINKS[kind];
  await db`
    with wanted as (select distinct jsonb_array_elements_text(${jsonb(names)}::text::jsonb) as name),
    tag_ids as (
      insert into public.tags (organization_id, name) select ${organizationId}, name from wanted order by name
      on conflict (organization_id, name) do update set name = excluded.name
      returning id)
    insert into ${db('public.' + table)} (organization_id, ${db(column)}, tag_id)
    select ${organizationId}, ${targetId}, id from tag_ids
    on conflict do nothing`;
}
