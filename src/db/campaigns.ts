import { jsonb, type Db } from './client';
import { containsPattern } from './like';
import { linkTags } from './tags';

/** A campaign as the API returns it: the row plus its assignments. Days are 'YYYY-MM-DD'. */
export interface CampaignRow {
  id: string;
  organization_id: string;
  name: string;
  description: string | null;
  budget: string | null;
  currency: string;
  starts_on: string | null;
  ends_on: string | null;
  created_at: Date;
  updated_at: Date;
  tags: string[];
  blogger_ids: string[];
  video_count: number;
  videos_budget: string | null;
}

const CAMPAIGN_SELECT = (db: Db) => db`
  select c.id, c.organization_id, c.name, c.description, c.budget::text as budget, c.currency,
         c.starts_on::text as starts_on, c.ends_on::text as ends_on, c.created_at, c.updated_at,
         coalesce((select json_agg(t.name order by t.name) from public.campaign_tags ct join public.tags t on t.id = ct.tag_id
                   where ct.campaign_id = c.id), '[]') as tags,
         coalesce((select json_agg(bc.blogger_id order by bc.created_at, bc.blogger_id) from public.blogger_campaigns bc
                   where bc.organization_id = c.organization_id and bc.campaign_id = c.id), '[]') as blogger_ids,
         (select count(*) from public.videos v where v.organization_id = c.organization_id and v.campaign_id = c.id)::int as video_count,
         (select sum(v.budget)::text from public.videos v where v.organization_id = c.organization_id and v.campaign_id = c.id) as videos_budget
  from public.campaigns c`;

export async function findCampaign(db: Db, organizationId: string, campaignId: string): Promise<CampaignRow | undefined> {
  const [row] = await db<CampaignRow[]>`${CAMPAIGN_SELECT(db)} where c.organization_id = ${organizationId} and c.id = ${campaignId}`;
  return row;
}

export interface CampaignListFilter {
  tag?: string;
  search?: string;
  /** keyset cursor: the id of the last row of the previous page */
  afterId?: string;
  limit: number;
}

export async function listCampaigns(db: Db, organizationId: string, f: CampaignListFilter): Promise<CampaignRow[]> {
  return db<CampaignRow[]>`
    ${CAMPAIGN_SELECT(db)}
    where c.organization_id = ${organizationId}
      ${f.tag ? db`and exists (select 1 from public.campaign_tags ct join public.tags t on t.id = ct.tag_id where ct.campaign_id = c.id and t.name = ${f.tag})` : db``}
      ${f.search ? db`and c.name ilike ${containsPattern(f.search)}` : db``}
      ${f.afterId ? db`and (c.created_at, c.id) < (select p.created_at, p.id from public.campaigns p where p.id = ${f.afterId} and p.organization_id = ${organizationId})` : db``}
    order by c.created_at desc, c.id desc
    limit ${f.limit}`;
}

export interface CampaignFields {
  name: string;
  description: string | null;
  budget: number | null;
  currency: string;
  starts_on: string | null;
  ends_on: string | null;
}

/** True when the error is the (organization_id, name) uniqueness of campaigns. */
export function isCampaignNameTaken(err: unknown): boolean {
  const e = err as { code?: string; constraint_name?: string } | null;
  return e?.code === '23505' && e.constraint_name === 'campaigns_organization_id_name_key';
}

export async function insertCampaign(db: Db, organizationId: string, f: Partial<CampaignFields> & { name: string }): Promise<string> {
  const [row] = await db<{ id: string }[]>`
    insert into public.campaigns (organization_id, name, description, budget, currency, starts_on, ends_on)
    values (${organizationId}, ${f.name}, ${f.description ?? null}, ${f.budget ?? null}, ${f.currency ?? 'USD'}, ${f.starts_on ?? null}, ${f.ends_on ?? null})
    returning id`;
  return row!.id;
}

/** Sets the given fields (null clears a nullable one). */
export async function updateCampaign(db: Db, organizationId: string, campaignId: string, patch: Partial<CampaignFields>): Promise<boolean> {
  const columns: string[] = (Object.keys(patch) as (keyof CampaignFields)[]).filter((k) => patch[k] !== undefined);
  if (columns.length === 0) return true;
  const values = Object.fromEntries(columns.map((k) => [k, patch[k as keyof CampaignFields] ?? null])) as Record<string, string | number | null>;
  const rows = await db`
    update public.campaigns set ${db(values, columns)}, updated_at = now()
    where organization_id = ${organizationId} and id = ${campaignId}
    returning id`;
  return rows.length > 0;
}

export async function deleteCampaign(db: Db, organizationId: string, campaignId: string): Promise<boolean> {
  const rows = await db`delete from public.campaigns where organization_id = ${organizationId} and id = ${campaignId} returning id`;
  return rows.length > 0;
}

/**
 * Moves the videos into the campaign (a video belongs to at most one campaign). Answers how many
 * of the ids are videos of the organization: fewer than asked means some id is not (the caller
 * then rolls back).
 */
export async function assignVideos(db: Db, organizationId: string, campaignId: string, videoIds: string[]): Promise<number> {
  const rows = await db`
    update public.videos v set campaign_id = ${campaignId}, updated_at = now()
    where v.organization_id = ${organizationId}
      and v.id in (select x::uuid from jsonb_array_elements_text(${jsonb(videoIds)}::text::jsonb) x)
    returning v.id`;
  return rows.length;
}

export async function unassignVideo(db: Db, organizationId: string, campaignId: string, videoId: string): Promise<boolean> {
  const rows = await db`
    update public.videos set campaign_id = null, updated_at = now()
    where organization_id = ${organizationId} and id = ${videoId} and campaign_id = ${campaignId}
    returning id`;
  return rows.length > 0;
}

/** Sets a campaign video's own budget (what is paid for that video); false when the video is not in the campaign. */
export async function setVideoBudget(db: Db, organizationId: string, campaignId: string, videoId: string, budget: number | null): Promise<boolean> {
  const rows = await db`
    update public.videos set budget = ${budget}, updated_at = now()
    where organization_id = ${organizationId} and id = ${videoId} and campaign_id = ${campaignId}
    returning id`;
  return rows.length > 0;
}

/** Links bloggers of the organization to the campaign (idempotent); answers how many of the ids are its bloggers. */
export async function linkBloggers(db: Db, organizationId: string, campaignId: string, bloggerIds: string[]): Promise<number> {
  const [row] = await db<{ found: number }[]>`
    with found as (
      select b.id from public.blogger_information b
      where b.organization_id = ${organizationId}
        and b.id in (select x::uuid from jsonb_array_elements_text(${jsonb(bloggerIds)}::text::jsonb) x)
    ),
    linked as (
      insert into public.blogger_campaigns (organization_id, blogger_id, campaign_id)
      select ${organizationId}, id, ${campaignId} from found
      on conflict do nothing
      returning 1
    )
    select (select count(*) from found)::int as found, (select count(*) from linked)::int as linked`;
  return row!.found;
}

export async function unlinkBlogger(db: Db, organizationId: string, campaignId: string, bloggerId: string): Promise<boolean> {
  const rows = await db`
    delete from public.blogger_campaigns
    where organization_id = ${organizationId} and campaign_id = ${campaignId} and blogger_id = ${bloggerId}
    returning blogger_id`;
  return rows.length > 0;
}

/** Replaces the campaign's tags by these names, creating missing tags. */
export async function setCampaignTags(db: Db, organizationId: string, campaignId: string, names: string[]): Promise<void> {
  const wanted = [...new Set(names)];
  await db`
    delete from public.campaign_tags ct using public.tags t
    where ct.organization_id = ${organizationId} and ct.campaign_id = ${campaignId} and t.id = ct.tag_id
      and t.name not in (select jsonb_array_elements_text(${jsonb(wanted)}::text::jsonb))`;
  await linkTags(db, organizationId, 'campaign', campaignId, wanted);
}
