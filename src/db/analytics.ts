import type postgres from 'postgres';
import { jsonb, type Db } from './client';
import type { Platform, VideoStatus } from './videos';
import {
  addDays, budgetMetrics, campaignBudget, engagements, isoWeekStart, METRICS, periodCount,
  type BudgetMetrics, type CampaignBudget, type Counters,
} from '../domain/analytics';

/**
 * Campaign and video analytics over the `video_daily_stats` rollup (see the migration
 * 20261122300000_analytics_rollup.sql and src/domain/analytics.ts for the definitions).
 *
 * Every read is a constant number of statements, and per video a few primary-key probes of the
 * rollup ("last row with day <= d", "first row"), so its cost grows with the campaign's videos
 * (and, for a timeseries, their days in range), never with the size of video_statistics.
 *
 * The same reads from raw snapshots (the reference the tests and the benchmark compare with) live
 * in test/support/analytics-raw.ts, outside the Worker bundle. Campaign stats and timeseries as the
 * routes serve them read the daily aggregates instead (src/db/analytics-aggregate.ts).
 *
 * Days are 'YYYY-MM-DD' UTC days. For `from`/`to`: undefined = the campaign's own dates
 * (starts_on / ends_on), null = open (since tracking started / up to the latest snapshot).
 */

export type Mode = 'totals' | 'increments';
export type Interval = 'day' | 'week';

export interface RangeInput {
  from?: string | null;
  to?: string | null;
}

export interface StatsInput extends RangeInput {
  mode: Mode;
}

export interface TimeseriesInput extends RangeInput {
  interval: Interval;
}

export type CountersWithEngagements = Counters & { engagements: number };

export interface CampaignStats {
  campaign_id: string;
  mode: Mode;
  from: string | null;
  to: string | null;
  currency: string;
  videos: { count: number; with_stats: number };
  stats: CountersWithEngagements;
  budget: CampaignBudget;
  metrics: BudgetMetrics;
}

export interface TimeseriesPoint {
  /** the day, or the Monday of the ISO week (a week cut by the range counts only its days in range) */
  period: string;
  /** growth during the period (sum of the daily increments) */
  increments: CountersWithEngagements;
  /** values at the end of the period: every video's last known value, carried forward */
  totals: CountersWithEngagements;
}

export interface Timeseries {
  interval: Interval;
  from: string | null;
  to: string | null;
  points: TimeseriesPoint[];
}

/** Longest timeseries answered: 2 years of days, 10 years of weeks. */
export const MAX_POINTS: Record<Interval, number> = { day: 731, week: 522 };

/**
 * Where the per-video reads get a video's values: the rollup (below), or raw snapshots (the
 * reference implementation in test/support/analytics-raw.ts, kept out of the Worker bundle).
 */
export interface PerVideoSource {
  /**
   * For video `v` and range `r` (from_bound, to_bound): `end` = the last value (views … saves) on
   * or before to_bound, `start` = the last value before from_bound, `first` = the first snapshot's
   * values as open_views … open_saves, only when `b` (the start probe) found nothing.
   */
  probes(db: Db): { end: postgres.Fragment; start: postgres.Fragment; first: postgres.Fragment };
  /** Per period over [from, to] for the videos in CTE `vids` (carry: CTE of their values before `from`): d_* = Σ daily increments, o_* = Σ opening values of videos starting in it. */
  perPeriod(db: Db, from: string, to: string, period: (day: postgres.Fragment) => postgres.Fragment): postgres.Fragment;
  /** A video `v`'s last value before `from` (views … saves). */
  carry(db: Db, from: string): postgres.Fragment;
}

const metricList = (db: Db, f: (m: string) => string) => db.unsafe(METRICS.map(f).join(', '));
const cols = (db: Db, alias: string, prefix = '') => metricList(db, (m) => `${alias}.${prefix}${m}`);

/** The rollup video_daily_stats: a few primary-key probes per video; the stored inc_* per day. */
export const rollupSource: PerVideoSource = {
  probes: (db) => ({
    end: db`select ${cols(db, 'd')} from public.video_daily_stats d
            where d.video_id = v.id and d.day <= r.to_bound
            order by d.day desc limit 1`,
    start: db`select ${cols(db, 'd')} from public.video_daily_stats d
              where d.video_id = v.id and d.day < r.from_bound
              order by d.day desc limit 1`,
    first: db`select ${cols(db, 'd', 'open_')} from public.video_daily_stats d
              where d.video_id = v.id and b.views is null
              order by d.day asc limit 1`,
  }),
  // the rollup stores each day's increment (inc_*) and whether it is the video's first day
  perPeriod: (db, from, to, period) =>
    db`select ${period(db`d.day`)} as period,
              ${metricList(db, (m) => `sum(d.inc_${m}) as d_${m}, sum(case when d.is_first then d.open_${m} else 0 end) as o_${m}`)}
       from vids v join public.video_daily_stats d on d.video_id = v.id and d.day between ${from}::date and ${to}::date
       group by 1`,
  carry: (db, from) =>
    db`select ${cols(db, 'd')} from public.video_daily_stats d
       where d.video_id = v.id and d.day < ${from}::date order by d.day desc limit 1`,
};

export const num = (v: string | number | null | undefined) => (v === null || v === undefined ? 0 : Number(v));
export const withEngagements = (c: Counters): CountersWithEngagements => ({ ...c, engagements: engagements(c) });

/** Reads `${prefix}views` … `${prefix}saves` of a row as numbers (null row values → 0). */
export function counters(row: Record<string, unknown>, prefix: string): Counters {
  return Object.fromEntries(METRICS.map((m) => [m, num(row[prefix + m] as string | null)])) as Counters;
}

/** `sum(x_views)::text as x_views, …` */
const sums = (db: Db, prefix: string) =>
  db.unsafe(METRICS.map((m) => `coalesce(sum(${prefix}${m}), 0)::text as ${prefix}${m}`).join(', '));

/**
 * Per-video values over the range in CTE `r` (from_day, to_day) for the videos in CTE `vids`
 * (id, budget, blogger_id, …): t_* = totals (value on to_day), i_* = increments (value on to_day
 * minus the baseline). Both null when the video has no snapshot on or before to_day.
 *
 * The rollup and the raw snapshots answer the same three probes per video:
 *   e  the last value on or before to_day          (rollup: last row with day <= to_day)
 *   b  the last value before from_day (the start)  (rollup: last row with day < from_day)
 *   f  the first snapshot (tracking start), only when there is no b
 */
function perVideo(db: Db, source: PerVideoSource, increments: boolean) {
  const probes = source.probes(db);
  const totals = db.unsafe(METRICS.map((m) => `e.${m} as t_${m}`).join(', '));
  const incs = increments
    ? db.unsafe(METRICS.map((m) => `e.${m} - coalesce(b.${m}, f.open_${m}) as i_${m}`).join(', '))
    : db.unsafe(METRICS.map((m) => `null::bigint as i_${m}`).join(', '));
  return db`
    select v.*, e.views is not null as has_stats, ${totals}, ${incs}
    from vids v cross join r
    left join lateral (${probes.end}) e on true
    ${increments ? db`left join lateral (${probes.start}) b on true left join lateral (${probes.first}) f on true` : db``}`;
}

/**
 * The campaign (404 when null) and the range its defaults give: undefined from/to take the
 * campaign's starts_on/ends_on, null keeps the range open. from_bound/to_bound are the same days,
 * never null (±infinity): the per-video probes compare a bare column with them, which the planner
 * uses as an index bound; a coalesce() inside the probe was only a filter under RLS, reading every
 * later day of every video (measured: 3.6 s instead of ~0.2 s for 10,000 videos × 90 days).
 */
export const campaignRange = (db: Db, organizationId: string, campaignId: string, range: RangeInput) => db`
  select r.*, coalesce(r.from_day, '-infinity'::date) as from_bound, coalesce(r.to_day, 'infinity'::date) as to_bound
  from (
    select c.id, c.budget, c.currency,
           case when ${range.from === undefined}::boolean then c.starts_on else ${range.from ?? null}::date end as from_day,
           case when ${range.to === undefined}::boolean then c.ends_on else ${range.to ?? null}::date end as to_day
    from public.campaigns c
    where c.organization_id = ${organizationId} and c.id = ${campaignId}
  ) r`;

export async function campaignStatsFrom(db: Db, source: PerVideoSource, organizationId: string, campaignId: string, input: StatsInput): Promise<CampaignStats | null> {
  const increments = input.mode === 'increments';
  const prefix = increments ? 'i_' : 't_';
  const [row] = await db<Record<string, string | number | null>[]>`
    with r as (${campaignRange(db, organizationId, campaignId, input)}),
    vids as (
      select v.id, v.budget from public.videos v
      where v.organization_id = ${organizationId} and v.campaign_id = ${campaignId}
    ),
    per as (${perVideo(db, source, increments)})
    select r.id, r.budget::text as campaign_budget, r.currency, r.from_day::text as from_day, r.to_day::text as to_day,
           (select count(*) from per)::int as video_count,
           (select count(*) from per where has_stats)::int as with_stats,
           (select sum(budget)::text from per) as video_budget_sum,
           s.*
    from r cross join lateral (select ${sums(db, prefix)} from per) s`;
  return row ? campaignStatsOf(row, input.mode) : null;
}

/**
 * A campaign stats row as the API answers it, from either read (per video here, daily aggregates
 * in analytics-aggregate.ts): the row names its campaign, range and video counts, and carries the
 * mode's sums with the `t_` (totals) or `i_` (increments) prefix.
 */
export function campaignStatsOf(row: Record<string, string | number | null>, mode: Mode): CampaignStats {
  const values = counters(row, mode === 'increments' ? 'i_' : 't_');
  const budget = campaignBudget(row.campaign_budget === null ? null : Number(row.campaign_budget), videoBudgets(row.video_budget_sum));
  return {
    campaign_id: String(row.id),
    mode,
    from: row.from_day as string | null,
    to: row.to_day as string | null,
    currency: String(row.currency),
    videos: { count: Number(row.video_count), with_stats: Number(row.with_stats) },
    stats: withEngagements(values),
    budget,
    metrics: budgetMetrics(budget.effective, values),
  };
}

/**
 * The videos' budgets as campaignBudget takes them, from their SQL sum (numeric, exact; null when no
 * video has one): summing in SQL makes the per-video and the aggregate reads agree to the cent.
 */
export function videoBudgets(sum: unknown): number[] {
  return sum === null || sum === undefined ? [] : [Number(sum)];
}

/**
 * Campaign totals or increments computed per video from the rollup (a few probes per video). The
 * routes read campaign_daily_stats instead (campaignStats, src/db/analytics-aggregate.ts); this stays
 * as the per-video reference the benchmark compares with.
 */
export const campaignStatsPerVideo = (db: Db, organizationId: string, campaignId: string, input: StatsInput) =>
  campaignStatsFrom(db, rollupSource, organizationId, campaignId, input);

// ---- timeseries --------------------------------------------------------------------------------

/** Which videos a timeseries covers. */
export type VideoSet = { campaignId: string } | { videoId: string };

const setVideos = (db: Db, organizationId: string, set: VideoSet) =>
  'campaignId' in set
    ? db`select v.id from public.videos v where v.organization_id = ${organizationId} and v.campaign_id = ${set.campaignId}`
    : db`select v.id from public.videos v where v.organization_id = ${organizationId} and v.id = ${set.videoId}`;

/** Today as a UTC day. */
export const today = () => new Date().toISOString().slice(0, 10);

/**
 * Resolves the range of a timeseries: explicit days win; else the campaign's dates; else from the
 * first day with data to today. A derived range longer than MAX_POINTS keeps its most recent part.
 */
async function timeseriesRange(db: Db, organizationId: string, set: VideoSet, input: TimeseriesInput) {
  const owner =
    'campaignId' in set
      ? db`select c.starts_on::text as starts_on, c.ends_on::text as ends_on from public.campaigns c where c.organization_id = ${organizationId} and c.id = ${set.campaignId}`
      : db`select null::text as starts_on, null::text as ends_on from public.videos v where v.organization_id = ${organizationId} and v.id = ${set.videoId}`;
  const [row] = await db<SeriesOwner[]>`
    with vids as (${setVideos(db, organizationId, set)})
    select o.*, (select min(f.day)::text from vids v
                 cross join lateral (select d.day from public.video_daily_stats d where d.video_id = v.id order by d.day limit 1) f) as first_day
    from (${owner}) o`;
  return row ? resolveSeriesRange(row, input) : null;
}

/** What a timeseries' default range comes from: the owner's dates and its first day with data. */
export interface SeriesOwner {
  starts_on: string | null;
  ends_on: string | null;
  first_day: string | null;
}

/** The range rule of timeseriesRange, shared with the aggregate reads. */
export function resolveSeriesRange(row: SeriesOwner, input: TimeseriesInput) {
  const now = today();
  const to = input.to !== undefined && input.to !== null ? input.to : row.ends_on !== null && row.ends_on < now ? row.ends_on : now;
  let from = input.from !== undefined && input.from !== null ? input.from : (row.starts_on ?? row.first_day ?? to);
  if (from <= to && periodCount(from, to, input.interval) > MAX_POINTS[input.interval]) from = addDays(to, input.interval === 'week' ? -7 * (MAX_POINTS.week - 1) : -(MAX_POINTS.day - 1));
  return { from, to };
}

/**
 * Per period: the increments (sum of the videos' daily increments) and the totals at the end of
 * the period. Totals = Σ carried-in values (last value before `from`) + running Σ of increments and
 * of the opening values of videos whose tracking started inside the range.
 */
export async function timeseriesFrom(db: Db, source: PerVideoSource, organizationId: string, set: VideoSet, input: TimeseriesInput): Promise<Timeseries | null> {
  const range = await timeseriesRange(db, organizationId, set, input);
  if (!range) return null;
  const { from, to } = range;
  if (from > to) return { interval: input.interval, from, to, points: [] };
  const weekly = input.interval === 'week';
  const first = weekly ? isoWeekStart(from) : from;
  const list = (f: (m: string) => string) => db.unsafe(METRICS.map(f).join(', '));
  const period = (day: postgres.Fragment) => (weekly ? db`date_trunc('week', ${day})::date` : day);
  // Per period: d_* = the sum of the daily increments, o_* = the opening values of videos whose
  // first day with data falls in the period (they start adding to the totals there).
  const perPeriod = source.perPeriod(db, from, to, period);
  const carry = source.carry(db, from);
  const rows = await db<Record<string, string>[]>`
    with vids as (${setVideos(db, organizationId, set)}),
    carry as (select v.id, ${list((m) => `c.${m}`)} from vids v cross join lateral (${carry}) c),
    per_period as (${perPeriod}),
    carried as (select ${list((m) => `coalesce(sum(${m}), 0) as c_${m}`)} from carry),
    periods as (
      select g::date as period
      from generate_series(${first}::timestamp, ${to}::timestamp, ${weekly ? '7 days' : '1 day'}::interval) g
    )
    select p.period::text as period,
           ${list((m) => `coalesce(pp.d_${m}, 0)::text as i_${m}`)},
           ${list((m) => `(k.c_${m} + sum(coalesce(pp.d_${m}, 0) + coalesce(pp.o_${m}, 0)) over (order by p.period))::text as t_${m}`)}
    from periods p cross join carried k left join per_period pp on pp.period = p.period
    order by p.period`;
  return {
    interval: input.interval,
    from,
    to,
    points: rows.map((r) => ({ period: r.period!, increments: withEngagements(counters(r, 'i_')), totals: withEngagements(counters(r, 't_')) })),
  };
}

/** Campaign timeseries computed per video from the rollup (see campaignStatsPerVideo). */
export const campaignTimeseriesPerVideo = (db: Db, organizationId: string, campaignId: string, input: TimeseriesInput) =>
  timeseriesFrom(db, rollupSource, organizationId, { campaignId }, input);

/** One video's increments per day or ISO week. Null: no such video in the organization. */
export const videoTimeseries = (db: Db, organizationId: string, videoId: string, input: TimeseriesInput) =>
  timeseriesFrom(db, rollupSource, organizationId, { videoId }, input);

// ---- campaign video list and per-blogger rollup ----------------------------------------------------

export type VideoSort = 'views' | 'growth' | 'er' | 'published_at';

export interface CampaignVideosInput extends StatsInput {
  sort: VideoSort;
  order: 'asc' | 'desc';
  platform?: Platform;
  status?: VideoStatus;
  bloggerId?: string;
  tag?: string;
  /** only these videos (a page of an export, which pages by video instead of by sort key) */
  videoIds?: string[];
  /** keyset: the sort key and id of the last row of the previous page */
  after?: { key: number | null; id: string };
  limit: number;
}

export interface CampaignVideoRow {
  id: string;
  platform: Platform;
  external_video_id: string;
  video_url: string;
  title: string | null;
  thumbnail_url: string | null;
  published_at: Date | null;
  author_username: string | null;
  blogger_id: string | null;
  video_status: VideoStatus;
  budget: number | null;
  tracking_started_at: Date | null;
  tags: string[];
  has_stats: boolean;
  totals: Counters;
  increments: Counters;
  /** the value the list is sorted by (null sorts last), for the next page's cursor */
  sort_key: number | null;
}

export interface CampaignVideosPage {
  from: string | null;
  to: string | null;
  rows: CampaignVideoRow[];
}

/**
 * The sort keys. `views` = totals views on `to`; `growth` = views increment over the range;
 * `er` = engagement rate of the mode's values (null without views); `published_at` = epoch seconds.
 * Nulls sort last in both directions (mapped to ∓Infinity), ties break on id.
 */
function sortKey(db: Db, sort: VideoSort, mode: Mode) {
  const p = mode === 'increments' ? 'i_' : 't_';
  switch (sort) {
    case 'views':
      return db`p.t_views::float8`;
    case 'growth':
      return db`p.i_views::float8`;
    case 'er':
      return db.unsafe(`case when p.${p}views > 0 then (p.${p}likes + p.${p}comments + p.${p}reposts + p.${p}saves)::float8 / p.${p}views end`);
    case 'published_at':
      return db`extract(epoch from p.published_at)::float8`;
  }
}

/** One page of a campaign's videos with totals, increments and a sort over them. Null: no such campaign. */
export async function campaignVideos(db: Db, organizationId: string, campaignId: string, input: CampaignVideosInput): Promise<CampaignVideosPage | null> {
  const desc = input.order === 'desc';
  const none = desc ? '-Infinity' : 'Infinity';
  const after = input.after;
  const rows = await db<(Record<string, unknown> & { id: string; from_day: string | null; to_day: string | null })[]>`
    with r as (${campaignRange(db, organizationId, campaignId, input)}),
    vids as (
      select v.id, v.budget, v.blogger_id, v.published_at
      from public.videos v
      where v.organization_id = ${organizationId} and v.campaign_id = ${campaignId}
        ${input.platform ? db`and v.platform = ${input.platform}` : db``}
        ${input.status ? db`and v.video_status = ${input.status}` : db``}
        ${input.bloggerId ? db`and v.blogger_id = ${input.bloggerId}` : db``}
        ${input.tag ? db`and exists (select 1 from public.video_tags vt join public.tags t on t.id = vt.tag_id where vt.video_id = v.id and t.name = ${input.tag})` : db``}
        ${input.videoIds ? db`and v.id in (select x::uuid from jsonb_array_elements_text(${jsonb(input.videoIds)}::text::jsonb) x)` : db``}
    ),
    per as (${perVideo(db, rollupSource, true)}),
    keyed as (select p.*, coalesce(${sortKey(db, input.sort, input.mode)}, ${none}::float8) as sort_key from per p)
    select r.from_day::text as from_day, r.to_day::text as to_day, k.id, k.has_stats, k.sort_key,
           ${db.unsafe(METRICS.map((m) => `k.t_${m}::text as t_${m}, k.i_${m}::text as i_${m}`).join(', '))},
           v.platform, v.external_video_id, v.video_url, v.title, v.thumbnail_url, v.published_at, v.author_username,
           v.blogger_id, v.video_status, v.budget::text as budget, v.tracking_started_at,
           coalesce((select json_agg(t.name order by t.name) from public.video_tags vt join public.tags t on t.id = vt.tag_id
                     where vt.video_id = k.id), '[]') as tags
    from r
    left join keyed k on true
    left join public.videos v on v.id = k.id
    ${after
      ? desc
        ? db`where (k.sort_key, k.id) < (${String(after.key ?? none)}::float8, ${after.id}::uuid)`
        : db`where (k.sort_key, k.id) > (${String(after.key ?? none)}::float8, ${after.id}::uuid)`
      : db``}
    order by ${desc ? db`k.sort_key desc, k.id desc` : db`k.sort_key asc, k.id asc`}
    limit ${input.limit}`;
  const campaign = await campaignExistsRange(db, organizationId, campaignId, input, rows[0]);
  if (!campaign) return null;
  return {
    from: campaign.from_day,
    to: campaign.to_day,
    rows: rows
      .filter((r) => r.id !== null)
      .map((r) => ({
        id: r.id,
        platform: r.platform as Platform,
        external_video_id: r.external_video_id as string,
        video_url: r.video_url as string,
        title: r.title as string | null,
        thumbnail_url: r.thumbnail_url as string | null,
        published_at: r.published_at as Date | null,
        author_username: r.author_username as string | null,
        blogger_id: r.blogger_id as string | null,
        video_status: r.video_status as VideoStatus,
        budget: r.budget === null ? null : Number(r.budget),
        tracking_started_at: r.tracking_started_at as Date | null,
        tags: (typeof r.tags === 'string' ? JSON.parse(r.tags) : r.tags) as string[],
        has_stats: Boolean(r.has_stats),
        totals: counters(r, 't_'),
        increments: counters(r, 'i_'),
        sort_key: Number.isFinite(r.sort_key as number) ? (r.sort_key as number) : null,
      })),
  };
}

/**
 * A page that came back empty (past the last video, or a campaign without videos) still tells
 * whether the campaign exists and which range applied: one more small statement in that case only.
 */
async function campaignExistsRange(db: Db, organizationId: string, campaignId: string, range: RangeInput, first?: { from_day: string | null; to_day: string | null }) {
  if (first) return first;
  const [row] = await db<{ from_day: string | null; to_day: string | null }[]>`
    select r.from_day::text as from_day, r.to_day::text as to_day from (${campaignRange(db, organizationId, campaignId, range)}) r`;
  return row;
}

export interface BloggerRollupRow {
  blogger: { id: string; platform: Platform; username: string; channel_name: string | null; thumbnail_url: string | null } | null;
  /** assigned to the campaign (blogger_campaigns), as opposed to only authoring some of its videos */
  assigned: boolean;
  videos: { count: number; with_stats: number };
  totals: Counters;
  increments: Counters;
  /** sum of the budgets of the blogger's videos in the campaign (null when none has one) */
  budget: number | null;
}

export interface BloggerRollup {
  from: string | null;
  to: string | null;
  rows: BloggerRollupRow[];
}

/**
 * The campaign's videos grouped by blogger: every assigned blogger (also without videos), every
 * blogger authoring a campaign video, and one `blogger: null` row for videos without a blogger.
 */
export async function campaignBloggers(db: Db, organizationId: string, campaignId: string, input: StatsInput): Promise<BloggerRollup | null> {
  const rows = await db<Record<string, unknown>[]>`
    with r as (${campaignRange(db, organizationId, campaignId, input)}),
    vids as (
      select v.id, v.budget, v.blogger_id from public.videos v
      where v.organization_id = ${organizationId} and v.campaign_id = ${campaignId}
    ),
    per as (${perVideo(db, rollupSource, true)}),
    grouped as (
      select blogger_id, count(*)::int as video_count, count(*) filter (where has_stats)::int as with_stats,
             sum(budget)::text as budget, ${sums(db, 't_')}, ${sums(db, 'i_')}
      from per group by blogger_id
    ),
    roster as (
      select bc.blogger_id, true as assigned from public.blogger_campaigns bc
      where bc.organization_id = ${organizationId} and bc.campaign_id = ${campaignId}
      union all
      select g.blogger_id, false from grouped g
      where not exists (select 1 from public.blogger_campaigns bc
                        where bc.organization_id = ${organizationId} and bc.campaign_id = ${campaignId} and bc.blogger_id is not distinct from g.blogger_id)
    )
    select r.from_day::text as from_day, r.to_day::text as to_day, x.*
    from r left join lateral (
      select ro.assigned, b.id as blogger_id, b.platform, b.username, b.channel_name, b.thumbnail_url,
             coalesce(g.video_count, 0) as video_count, coalesce(g.with_stats, 0) as with_stats, g.budget,
             ${db.unsafe(METRICS.map((m) => `g.t_${m}, g.i_${m}`).join(', '))}
      from roster ro
      left join public.blogger_information b on b.organization_id = ${organizationId} and b.id = ro.blogger_id
      left join grouped g on g.blogger_id is not distinct from ro.blogger_id
    ) x on true`;
  if (rows.length === 0) return null;
  const head = rows[0]!;
  return {
    from: head.from_day as string | null,
    to: head.to_day as string | null,
    rows: rows
      .filter((r) => r.assigned !== null)
      .map((r) => ({
        blogger:
          r.blogger_id === null
            ? null
            : { id: r.blogger_id as string, platform: r.platform as Platform, username: r.username as string, channel_name: r.channel_name as string | null, thumbnail_url: r.thumbnail_url as string | null },
        assigned: Boolean(r.assigned),
        videos: { count: Number(r.video_count), with_stats: Number(r.with_stats) },
        totals: counters(r, 't_'),
        increments: counters(r, 'i_'),
        budget: r.budget === null ? null : Number(r.budget),
      })),
  };
}

// ---- dashboard: increments of individual videos --------------------------------------------------

export interface VideoIncrements {
  /** the day the values are read on (`to`, default today) */
  as_of: string;
  /** growth on the as_of day */
  day: Counters & { date: string };
  /** growth in the ISO week of as_of, through as_of */
  week: Counters & { week_start: string };
  /** growth from `from` (null: since tracking started) through as_of */
  range: Counters & { from: string | null; to: string };
}

/**
 * Day, week and range increments for a set of videos (one statement, a few rollup probes per
 * video). Videos without a snapshot on or before `to` are absent from the map.
 */
export async function videoIncrements(db: Db, organizationId: string, videoIds: string[], input: { from?: string | null; to?: string | null }): Promise<Map<string, VideoIncrements>> {
  const out = new Map<string, VideoIncrements>();
  if (videoIds.length === 0) return out;
  const to = input.to ?? today();
  const from = input.from ?? null;
  const weekStart = isoWeekStart(to);
  // the last value before a day, as `${alias}_views` …
  const lastBefore = (alias: string, day: postgres.Fragment) => db`
    left join lateral (select ${db.unsafe(METRICS.map((m) => `d.${m} as ${alias}_${m}`).join(', '))}
                       from public.video_daily_stats d
                       where d.video_id = v.id and d.day < ${day}
                       order by d.day desc limit 1) ${db.unsafe(alias)} on true`;
  const rows = await db<Record<string, string | null>[]>`
    select v.id, ${db.unsafe(METRICS.map((m) => `e.${m} as e_${m}, f.open_${m} as f_${m}, pd.pd_${m}, pw.pw_${m}, pr.pr_${m}`).join(', '))}
    from public.videos v
    join lateral (select d.views, d.likes, d.comments, d.reposts, d.saves from public.video_daily_stats d
                  where d.video_id = v.id and d.day <= ${to}::date order by d.day desc limit 1) e on true
    join lateral (select ${db.unsafe(METRICS.map((m) => `d.open_${m}`).join(', '))} from public.video_daily_stats d
                  where d.video_id = v.id order by d.day asc limit 1) f on true
    ${lastBefore('pd', db`${to}::date`)}
    ${lastBefore('pw', db`${weekStart}::date`)}
    ${lastBefore('pr', from === null ? db`'-infinity'::date` : db`${from}::date`)}
    where v.organization_id = ${organizationId}
      and v.id in (select x::uuid from jsonb_array_elements_text(${jsonb(videoIds)}::text::jsonb) x)`;
  for (const r of rows) {
    const end = counters(r, 'e_');
    const baseline = (prefix: string): Counters =>
      Object.fromEntries(METRICS.map((m) => [m, r[prefix + m] === null ? num(r['f_' + m]) : num(r[prefix + m])])) as Counters;
    const growth = (prefix: string) => {
      const b = baseline(prefix);
      return Object.fromEntries(METRICS.map((m) => [m, end[m] - b[m]])) as Counters;
    };
    out.set(r.id!, {
      as_of: to,
      day: { date: to, ...growth('pd_') },
      week: { week_start: weekStart, ...growth('pw_') },
      range: { from, to, ...growth('pr_') },
    });
  }
  return out;
}
