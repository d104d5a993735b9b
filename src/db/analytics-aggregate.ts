import type postgres from 'postgres';
import { VIDEO_PLATFORMS } from '../domain/platforms';
import type { Db } from './client';
import type { Platform, VideoStatus } from './videos';
import {
  campaignRange, campaignStatsOf, counters, resolveSeriesRange, withEngagements,
  type CampaignStats, type CountersWithEngagements, type StatsInput, type Timeseries, type TimeseriesInput,
} from './analytics';
import { isoWeekStart, METRICS } from '../domain/analytics';

/**
 * Campaign and organization analytics over the daily aggregates campaign_daily_stats and
 * organization_daily_stats (migration 20261203130000_campaign_organization_daily_stats.sql): one
 * row per (campaign | organization, UTC day, platform) holding Σ of the member videos' daily
 * increments (inc_*), Σ of the opening values of videos whose tracking starts that day (base_*) and
 * how many start (videos_started). With the definitions of src/domain/analytics.ts summed over the
 * videos:
 *   totals on d           = Σ_{day <= d} (inc + base)
 *   increments [from, to] = Σ_{from <= day <= to} inc
 *   videos with stats by d = Σ_{day <= d} videos_started
 * so every read sums at most (days × platforms) rows, whatever the number of videos. The answers
 * are identical to the per-video ones (test/analytics/aggregate-equivalence.test.ts).
 */

/** Which aggregate rows a read sums: one campaign's, or the organization's (optionally one platform). */
export type AggregateScope = { campaignId: string } | { platform?: Platform };

/** The scope's aggregate rows with `and <cond>` on alias `a`, as a subquery (inlined, so the day bound reaches the index). */
function aggregateRows(db: Db, organizationId: string, scope: AggregateScope, cond: postgres.Fragment) {
  return 'campaignId' in scope
    ? db`select a.* from public.campaign_daily_stats a
         where a.organization_id = ${organizationId} and a.campaign_id = ${scope.campaignId} ${cond}`
    : db`select a.* from public.organization_daily_stats a
         where a.organization_id = ${organizationId} ${scope.platform ? db`and a.platform = ${scope.platform}` : db``} ${cond}`;
}

const list = (db: Db, f: (m: string) => string) => db.unsafe(METRICS.map(f).join(', '));

/** t_* (totals on to_bound), i_* (increments over [from_bound, to_bound]) and with_stats of aggregate rows `a`, against range `r`. */
const rangeSums = (db: Db) => db`
  ${list(db, (m) => `coalesce(sum(a.inc_${m} + a.base_${m}) filter (where a.day <= r.to_bound), 0)::text as t_${m}`)},
  ${list(db, (m) => `coalesce(sum(a.inc_${m}) filter (where a.day >= r.from_bound and a.day <= r.to_bound), 0)::text as i_${m}`)},
  coalesce(sum(a.videos_started) filter (where a.day <= r.to_bound), 0)::int as with_stats`;

/**
 * Campaign totals or increments over a range, with budget metrics (same answer as the per-video
 * campaignStatsPerVideo). Null: no such campaign in the organization.
 */
export async function campaignStats(db: Db, organizationId: string, campaignId: string, input: StatsInput): Promise<CampaignStats | null> {
  const [row] = await db<Record<string, string | number | null>[]>`
    with r as (${campaignRange(db, organizationId, campaignId, input)})
    select r.id, r.budget::text as campaign_budget, r.currency, r.from_day::text as from_day, r.to_day::text as to_day,
           coalesce(k.videos, 0) as video_count, case when k.budgets > 0 then k.budget_sum::text end as video_budget_sum, s.*
    from r
    left join public.campaign_video_counts k on k.organization_id = ${organizationId} and k.campaign_id = r.id
    cross join lateral (
      select ${rangeSums(db)}
      from (${aggregateRows(db, organizationId, { campaignId }, db`and a.day <= r.to_bound`)}) a) s`;
  return row ? campaignStatsOf(row, input.mode) : null;
}

/**
 * Per period: increments = Σ inc of its days; totals at its end = the carried-in value (Σ inc + base
 * before `from`) plus the running Σ of inc + base through the period.
 */
async function aggregateSeries(db: Db, organizationId: string, scope: AggregateScope, input: TimeseriesInput, range: { from: string; to: string }): Promise<Timeseries> {
  const { from, to } = range;
  if (from > to) return { interval: input.interval, from, to, points: [] };
  const weekly = input.interval === 'week';
  const first = weekly ? isoWeekStart(from) : from;
  const rows = await db<Record<string, string>[]>`
    with per_period as (
      select ${weekly ? db`date_trunc('week', a.day)::date` : db`a.day`} as period,
             ${list(db, (m) => `sum(a.inc_${m}) as d_${m}, sum(a.base_${m}) as o_${m}`)}
      from (${aggregateRows(db, organizationId, scope, db`and a.day >= ${from}::date and a.day <= ${to}::date`)}) a
      group by 1
    ),
    carried as (
      select ${list(db, (m) => `coalesce(sum(a.inc_${m} + a.base_${m}), 0) as c_${m}`)}
      from (${aggregateRows(db, organizationId, scope, db`and a.day < ${from}::date`)}) a
    ),
    periods as (
      select g::date as period
      from generate_series(${first}::timestamp, ${to}::timestamp, ${weekly ? '7 days' : '1 day'}::interval) g
    )
    select p.period::text as period,
           ${list(db, (m) => `coalesce(pp.d_${m}, 0)::text as i_${m}`)},
           ${list(db, (m) => `(k.c_${m} + sum(coalesce(pp.d_${m}, 0) + coalesce(pp.o_${m}, 0)) over (order by p.period))::text as t_${m}`)}
    from periods p cross join carried k left join per_period pp on pp.period = p.period
    order by p.period`;
  return {
    interval: input.interval,
    from,
    to,
    points: rows.map((r) => ({ period: r.period!, increments: withEngagements(counters(r, 'i_')), totals: withEngagements(counters(r, 't_')) })),
  };
}

/** The first day any of the scope's videos has data (a fragment returning one text or null). */
const firstDay = (db: Db, organizationId: string, scope: AggregateScope) =>
  db`select min(a.day)::text from (${aggregateRows(db, organizationId, scope, db`and a.videos_started <> 0`)}) a`;

/**
 * Campaign increments per day or ISO week, with the totals at the end of each (same answer as the
 * per-video campaignTimeseriesPerVideo). Null: no such campaign.
 */
export async function campaignTimeseries(db: Db, organizationId: string, campaignId: string, input: TimeseriesInput): Promise<Timeseries | null> {
  const [owner] = await db<{ starts_on: string | null; ends_on: string | null; first_day: string | null }[]>`
    select c.starts_on::text as starts_on, c.ends_on::text as ends_on, (${firstDay(db, organizationId, { campaignId })}) as first_day
    from public.campaigns c where c.organization_id = ${organizationId} and c.id = ${campaignId}`;
  if (!owner) return null;
  return aggregateSeries(db, organizationId, { campaignId }, input, resolveSeriesRange(owner, input));
}

// ---- organization dashboard ----------------------------------------------------------------------

export interface OrganizationVideoCounts {
  total: number;
  /** video_status counts now (stopped = tracking paused) */
  tracking: number;
  stopped: number;
  deleted: number;
  /** videos with a snapshot on or before `to` */
  with_stats: number;
}

export interface OrganizationSummaryPart {
  videos: OrganizationVideoCounts;
  totals: CountersWithEngagements;
  increments: CountersWithEngagements;
}

export interface OrganizationSummary extends OrganizationSummaryPart {
  from: string | null;
  to: string | null;
  platform: Platform | null;
  /** the same per platform (every platform with videos or data; filtered to one with `platform`) */
  platforms: (OrganizationSummaryPart & { platform: Platform })[];
}

const PLATFORM_ORDER: readonly Platform[] = VIDEO_PLATFORMS;

/**
 * The organization's totals on `to` (null: latest) and increments over [from, to] (null from: since
 * tracking started), overall and per platform, with its videos counted by status.
 */
export async function organizationSummary(db: Db, organizationId: string, input: { from: string | null; to: string | null; platform?: Platform }): Promise<OrganizationSummary> {
  const scope: AggregateScope = { platform: input.platform };
  const [sums, counts] = await Promise.all([
    db<Record<string, string | number>[]>`
      select a.platform::text as platform, ${rangeSums(db)}
      from (select coalesce(${input.from}::date, '-infinity'::date) as from_bound, coalesce(${input.to}::date, 'infinity'::date) as to_bound) r
      join (${aggregateRows(db, organizationId, scope, db``)}) a on a.day <= r.to_bound
      group by a.platform`,
    db<{ platform: Platform; video_status: VideoStatus; n: number }[]>`
      select k.platform::text as platform, k.video_status::text as video_status, k.videos as n
      from public.organization_video_counts k
      where k.organization_id = ${organizationId} ${input.platform ? db`and k.platform = ${input.platform}` : db``}`,
  ]);
  const parts = new Map<Platform, OrganizationSummaryPart>();
  const part = (p: Platform) => {
    let x = parts.get(p);
    if (!x) {
      x = { videos: { total: 0, tracking: 0, stopped: 0, deleted: 0, with_stats: 0 }, totals: withEngagements(counters({}, 't_')), increments: withEngagements(counters({}, 'i_')) };
      parts.set(p, x);
    }
    return x;
  };
  for (const s of sums) {
    const x = part(s.platform as Platform);
    x.totals = withEngagements(counters(s, 't_'));
    x.increments = withEngagements(counters(s, 'i_'));
    x.videos.with_stats = Number(s.with_stats);
  }
  for (const c of counts) {
    const x = part(c.platform);
    x.videos[c.video_status] += c.n;
    x.videos.total += c.n;
  }
  // a platform with no video left can still have all-zero aggregate rows: it is not listed
  const platforms = PLATFORM_ORDER.filter((p) => (parts.get(p)?.videos.total ?? 0) > 0).map((p) => ({ platform: p, ...parts.get(p)! }));
  const add = (k: 'totals' | 'increments') =>
    withEngagements(Object.fromEntries(METRICS.map((m) => [m, platforms.reduce((acc, p) => acc + p[k][m], 0)])) as Record<(typeof METRICS)[number], number>);
  const videos: OrganizationVideoCounts = { total: 0, tracking: 0, stopped: 0, deleted: 0, with_stats: 0 };
  for (const p of platforms) for (const k of Object.keys(videos) as (keyof OrganizationVideoCounts)[]) videos[k] += p.videos[k];
  return { from: input.from, to: input.to, platform: input.platform ?? null, videos, totals: add('totals'), increments: add('increments'), platforms };
}

/**
 * The organization's increments per day or ISO week with the totals at the end of each (one
 * platform with `platform`). Default range: from its first day with data to today, at most
 * MAX_POINTS periods.
 */
export async function organizationTimeseries(db: Db, organizationId: string, input: TimeseriesInput & { platform?: Platform }): Promise<Timeseries> {
  const scope: AggregateScope = { platform: input.platform };
  const [owner] = await db<{ first_day: string | null }[]>`select (${firstDay(db, organizationId, scope)}) as first_day`;
  return aggregateSeries(db, organizationId, scope, input, resolveSeriesRange({ starts_on: null, ends_on: null, first_day: owner?.first_day ?? null }, input));
}
