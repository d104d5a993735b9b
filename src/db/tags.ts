import { jsonb, type Db } from './client';

/** Where tags are linked to what; the identifiers are ours, never the caller's. */
const LINKS = {
  video: { table: 'video_tags', column: 'video_id' },
  blogger: { table: 'blogger_tags', column: 'blogger_id' },
  campaign: { table: 'campaign_tags', column: 'campaign_id' },
} as const;

/** Creates missing tags by name and links them to a video, a blogger or a campaign (both idempotent). */
export async function linkTags(db: Db, organizationId: string, kind: keyof typeof LINKS, targetId: string, names: string[]): Promise<void> {
  if (names.length === 0) return;
  const { table, column } = LINKS[kind];
  await db`
    with wanted as (select distinct jsonb_array_elements_text(${jsonb(names)}::text::jsonb) as name),
    created as (
      insert into public.tags (organization_id, name) select ${organizationId}, name from wanted
      on conflict (organization_id, name) do nothing returning id),
    all_tags as (
      select id from created
      union select t.id from public.tags t join wanted w on w.name = t.name where t.organization_id = ${organizationId})
    insert into ${db('public.' + table)} (organization_id, ${db(column)}, tag_id)
    select ${organizationId}, ${targetId}, id from all_tags
    on conflict do nothing`;
}
