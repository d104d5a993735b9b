import { jsonb, type Db } from './client';
import type { Platform } from './videos';

/** What one run needs to know about its source (loaded once, in the first step). */
export interface RunContext {
  job_id: string;
  organization_id: string;
  source_id: string;
  integration_id: string;
  spreadsheet_id: string;
  sheet_title: string;
  header_row: number;
  column_mapping: Record<string, string>;
  export_config: { stats?: string[]; target?: string; tab_title?: string };
  created_by: string | null;
  source_status: string;
  is_active: boolean;
  integration_status: string;
  previous_tab_rows: number;
}

/** Marks the run running and loads its source; undefined when the run or its source is gone. */
export async function startRun(db: Db, jobId: string): Promise<RunContext | undefined> {
  const [row] = await db<RunContext[]>`
    with j as (update public.import_jobs set status = 'running' where id = ${jobId} and status in ('pending', 'running')
               returning id, source_id, organization_id)
    select j.id as job_id, s.organization_id, s.id as source_id, s.integration_id, s.spreadsheet_id, coalesce(s.sheet_title, '') as sheet_title,
           s.header_row, s.column_mapping, s.export_config, s.created_by, s.status as source_status, s.is_active, i.status as integration_status,
           coalesce((s.last_run_counts ->> 'tab_rows')::int, 0) as previous_tab_rows
    from j join public.google_sheet_sources s on s.id = j.source_id and s.organization_id = j.organization_id
    join public.google_sheet_integrations i on i.id = s.integration_id`;
  return row;
}

export interface StagedRow {
  row_number: number;
  url: string;
  campaign: string | null;
  tags: string | null;
  budget: string | null;
}

/** A worksheet's rows into the run's staging table, one statement (idempotent: same key, same values). */
export async function stageRows(db: Db, jobId: string, rows: StagedRow[]): Promise<void> {
  if (rows.length === 0) return;
  await db`
    insert into public.google_sheet_run_rows (job_id, row_number, url, campaign, tags, budget)
    select ${jobId}, r.row_number, r.url, r.campaign, r.tags, r.budget
    from jsonb_to_recordset(${jsonb(rows)}::text::jsonb) as r(row_number int, url text, campaign text, tags text, budget text)
    on conflict (job_id, row_number) do update set url = excluded.url, campaign = excluded.campaign, tags = excluded.tags, budget = excluded.budget,
      platform = null, external_video_id = null, canonical_url = null, error = null, video_id = null, outcome = null`;
}

export async function stagedRows(db: Db, jobId: string): Promise<StagedRow[]> {
  return db<StagedRow[]>`select row_number, url, campaign, tags, budget from public.google_sheet_run_rows where job_id = ${jobId} order by row_number`;
}

export interface ParsedRow {
  row_number: number;
  platform: Platform | null;
  external_video_id: string | null;
  canonical_url: string | null;
  error: string | null;
}

export async function saveParsedRows(db: Db, jobId: string, rows: ParsedRow[]): Promise<void> {
  if (rows.length === 0) return;
  await db`
    update public.google_sheet_run_rows r set platform = p.platform, external_video_id = p.external_video_id, canonical_url = p.canonical_url,
      error = p.error, outcome = case when p.error is not null then 'invalid' end
    from jsonb_to_recordset(${jsonb(rows)}::text::jsonb) as p(row_number int, platform public.platform, external_video_id text, canonical_url text, error text)
    where r.job_id = ${jobId} and r.row_number = p.row_number`;
}

/**
 * The tracked-videos quota under the organization's quota lock (held until the transaction ends):
 * how many more videos may start tracking; null = unlimited. One statement.
 */
export async function lockAndRemainingTracked(db: Db, organizationId: string): Promise<number | null> {
  const [row] = await db<{ remaining: number | null }[]>`
    select (select pg_advisory_xact_lock(hashtextextended(${organizationId}, 0))) is null as locked,
      (select case when lim is null then null else greatest(0, lim - (select count(*) from public.videos v
              where v.organization_id = ${organizationId} and v.video_status = 'tracking'))::int end
       from (select (e.limits ->> 'max_tracked_videos')::int as lim from private.effective_limits(${organizationId}) e) l) as remaining`;
  return row!.remaining;
}

export interface UpsertCounts {
  added: number;
  already_tracked: number;
  over_quota: number;
  duplicates: number;
  invalid: number;
}

/**
 * Every valid staged row's video, in two statements whatever the number of rows:
 *  1. insert the videos the organization does not have yet (first row of each video, in row
 *     order): tracking while the quota lasts, stopped beyond it;
 *  2. give every staged row its video id and outcome. A video this transaction inserted has
 *     `created_at = now()` (the transaction's start), which tells added/over quota from known.
 * Both join through indexes only (staging primary key, videos' unique key), never CTE to CTE, so a
 * 10,000-row sheet stays a hash/index plan even before the staging table has statistics.
 * Call inside a transaction (with the quota lock held).
 */
export async function upsertStagedVideos(db: Db, p: { jobId: string; organizationId: string; createdBy: string | null; remaining: number | null }) {
  const started = await db<{ id: string; platform: Platform; external_video_id: string; video_url: string; video_status: string }[]>`
    insert into public.videos (organization_id, platform, external_video_id, video_url, initial_url, campaign_id, budget, created_by, source, video_status, tracking_started_at)
    select ${p.organizationId}, n.platform, n.external_video_id, n.canonical_url, n.url,
           (select c.id from public.campaigns c where c.organization_id = ${p.organizationId} and lower(c.name) = lower(n.campaign) order by c.created_at limit 1),
           case when n.budget ~ '^\s*[0-9]+(\.[0-9]{1,2})?\s*$' then trim(n.budget)::numeric end,
           ${p.createdBy}, 'google_sheets',
           case when ${p.remaining}::int is null or n.new_rank <= ${p.remaining}::int then 'tracking' else 'stopped' end::public.video_status,
           case when ${p.remaining}::int is null or n.new_rank <= ${p.remaining}::int then now() end
    from (
      select f.*, row_number() over (order by f.row_number) as new_rank
      from (select distinct on (r.platform, r.external_video_id) r.row_number, r.platform, r.external_video_id, r.canonical_url, r.url, trim(r.campaign) as campaign, r.budget
            from public.google_sheet_run_rows r
            where r.job_id = ${p.jobId} and r.error is null and r.platform is not null
            order by r.platform, r.external_video_id, r.row_number) f
      where not exists (select 1 from public.videos v where v.organization_id = ${p.organizationId} and v.platform = f.platform and v.external_video_id = f.external_video_id)
    ) n
    on conflict (organization_id, platform, external_video_id) do nothing
    returning id, platform, external_video_id, video_url, video_status::text`;
  const outcomes = await db<{ outcome: string; n: number }[]>`
    with s as (
      select r.row_number, r.platform, r.external_video_id,
             row_number() over (partition by r.platform, r.external_video_id order by r.row_number) as dup_rank
      from public.google_sheet_run_rows r where r.job_id = ${p.jobId} and r.error is null and r.platform is not null),
    u as (
      update public.google_sheet_run_rows g set video_id = v.id,
        outcome = case when s.dup_rank > 1 then 'duplicate'
                       when v.created_at = now() and v.video_status = 'tracking' then 'added'
                       when v.created_at = now() then 'over_quota'
                       else 'already_tracked' end
      from s join public.videos v on v.organization_id = ${p.organizationId} and v.platform = s.platform and v.external_video_id = s.external_video_id
      where g.job_id = ${p.jobId} and g.row_number = s.row_number
      returning g.outcome)
    select outcome, count(*)::int as n from u group by outcome`;
  const counts: UpsertCounts = { added: 0, already_tracked: 0, over_quota: 0, duplicates: 0, invalid: 0 };
  for (const r of outcomes) {
    if (r.outcome === 'duplicate') counts.duplicates = r.n;
    else if (r.outcome === 'added' || r.outcome === 'already_tracked' || r.outcome === 'over_quota') counts[r.outcome] = r.n;
  }
  return { counts, started: started.filter((v) => v.video_status === 'tracking') };
}

/**
 * The tags column ("ugc, spring") onto every staged row's video, one statement: missing tags are
 * created, links already there are kept. Names longer than 64 characters are skipped.
 */
export async function linkStagedTags(db: Db, jobId: string, organizationId: string): Promise<void> {
  await db`
    with wanted as (
      select distinct g.video_id, btrim(t) as name
      from public.google_sheet_run_rows g cross join lateral regexp_split_to_table(g.tags, ',') t
      where g.job_id = ${jobId} and g.video_id is not null and g.tags is not null and length(btrim(t)) between 1 and 64),
    created as (
      insert into public.tags (organization_id, name) select distinct ${organizationId}::uuid, name from wanted
      on conflict (organization_id, name) do nothing returning id, name),
    all_tags as (
      select id, name from created
      union select t.id, t.name from public.tags t where t.organization_id = ${organizationId} and t.name in (select name from wanted))
    insert into public.video_tags (organization_id, video_id, tag_id)
    select ${organizationId}, w.video_id, a.id from wanted w join all_tags a on a.name = w.name
    on conflict do nothing`;
}

export interface RowStats {
  row_number: number;
  url: string | null;
  outcome: string | null;
  error: string | null;
  video_id: string | null;
  video_status: string | null;
  title: string | null;
  author_username: string | null;
  views: string | null;
  likes: string | null;
  comments: string | null;
  reposts: string | null;
  saves: string | null;
  stats_updated_at: Date | null;
  views_24h_ago: string | null;
  views_7d_ago: string | null;
}

/** Every staged row with its video's latest stats and the views 24 h / 7 days ago: one statement. */
export async function rowStats(db: Db, jobId: string, organizationId: string): Promise<RowStats[]> {
  return db<RowStats[]>`
    select r.row_number, r.url, r.outcome, r.error, r.video_id, v.video_status::text as video_status, v.title, v.author_username,
           v.views::text, v.likes::text, v.comments::text, v.reposts::text, v.saves::text, v.stats_updated_at,
           d1.views::text as views_24h_ago, d7.views::text as views_7d_ago
    from public.google_sheet_run_rows r
    left join public.videos_with_statistics_fast v on v.id = r.video_id and v.organization_id = ${organizationId}
    left join lateral (select s.views from public.video_statistics s where s.video_id = r.video_id and s.created_at <= now() - interval '24 hours'
                       order by s.created_at desc, s.id desc limit 1) d1 on r.video_id is not null
    left join lateral (select s.views from public.video_statistics s where s.video_id = r.video_id and s.created_at <= now() - interval '7 days'
                       order by s.created_at desc, s.id desc limit 1) d7 on r.video_id is not null
    where r.job_id = ${jobId}
    order by r.row_number`;
}

export interface RunResult {
  rows_read: number;
  added: number;
  already_tracked: number;
  duplicates: number;
  invalid: number;
  over_quota: number;
  cells_written: number;
  google_calls: number;
  tab_rows?: number;
}

/** Completes the run and the source's summary in one statement; invalid rows (row + reason) go into errors. */
export async function finishRun(db: Db, jobId: string, r: RunResult): Promise<void> {
  await db`
    with j as (
      update public.import_jobs set status = 'completed', finished_at = now(), error = null,
        total_rows = ${r.rows_read}, processed_rows = ${r.rows_read}, inserted = ${r.added}, updated = 0,
        already_tracked = ${r.already_tracked}, failed_rows = ${r.invalid}, over_quota = ${r.over_quota}, cells_written = ${r.cells_written},
        errors = coalesce((select jsonb_agg(jsonb_build_object('row', g.row_number, 'url', g.url, 'reason', g.error) order by g.row_number)
                           from (select * from public.google_sheet_run_rows where job_id = ${jobId} and error is not null order by row_number limit 1000) g), '[]')
      where id = ${jobId} returning source_id),
    -- staging is only needed while a run works: earlier finished runs of the source drop theirs
    -- (the invalid rows stay listed in import_jobs.errors)
    swept as (
      delete from public.google_sheet_run_rows r using public.import_jobs o, j
      where r.job_id = o.id and o.source_id = j.source_id and o.id <> ${jobId} and o.status in ('completed', 'failed'))
    update public.google_sheet_sources s set last_synced_at = now(), last_run_at = now(), last_error = null,
      last_run_counts = ${jsonb(r)}::text::jsonb
    from j where s.id = j.source_id`;
}

/** A failed run: the job says why; a 403/404 from Google marks the source broken (no more scheduled runs until edited). */
export async function failRun(db: Db, jobId: string, error: string, sourceBroken: boolean): Promise<void> {
  await db`
    with j as (update public.import_jobs set status = 'failed', finished_at = now(), error = ${error.slice(0, 2000)}
               where id = ${jobId} returning source_id)
    update public.google_sheet_sources s set last_run_at = now(), last_error = ${error.slice(0, 1000)},
      status = case when ${sourceBroken} then 'broken' else s.status end
    from j where s.id = j.source_id`;
}
