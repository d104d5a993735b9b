import { beforeAll, describe, expect, it } from 'vitest';
import { adminSql, createOrganization } from '../helpers/db';
import type { StatsInput, TimeseriesInput } from '../../src/db/analytics';
import { campaignStatsFromRawSnapshots, campaignTimeseriesFromRawSnapshots } from '../support/analytics-raw';
import { campaignStats, campaignTimeseries, organizationSummary, organizationTimeseries } from '../../src/db/analytics-aggregate';
import {
  addCounters, addDays, contribution, dailyIncrements, engagements, isoWeekStart, METRICS, rollupDays, valueOn, zeroCounters,
  type Counters, type DayValues,
} from '../../src/domain/analytics';
import type { Platform } from '../../src/db/videos';

/**
 * Property-style equivalence of the daily aggregates (campaign_daily_stats, organization_daily_stats)
 * with raw snapshots. Each seed writes a random history through the same statements production
 * uses — nightly batches with several snapshots a day and gaps, late (out-of-order) snapshots,
 * snapshot updates and deletes, videos joining, leaving and moving between campaigns in bulk,
 * video deletes, platform changes, budgets — and then checks, for random ranges:
 *   - campaign stats (totals, increments) and day/week timeseries from the aggregate equal the
 *     answers computed from raw snapshots (campaign*FromRawSnapshots);
 *   - the organization summary and timeseries equal the reference model of src/domain/analytics.ts
 *     folded over the raw snapshots;
 *   - the aggregate tables equal their definition (invariant I1 of the migration) after every step.
 * A failure names its seed; ANALYTICS_SEED=<n> reruns one history.
 */

const sql = adminSql();
const SEEDS = process.env.ANALYTICS_SEED ? [Number(process.env.ANALYTICS_SEED)] : [11, 23, 37, 41, 53, 67];
const START = '2026-04-01';
const SPAN = 30; // days of history
const PLATFORMS: Platform[] = ['TikTok', 'Instagram', 'YouTube'];

/** mulberry32: a small seeded PRNG, so a failing history reproduces from its seed. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
  const some = <T,>(xs: readonly T[], p: number) => xs.filter(() => next() < p);
  return { next, int, pick, some };
}
type Rng = ReturnType<typeof rng>;

const at = (day: string, r: Rng) => `${day}T${String(r.int(0, 23)).padStart(2, '0')}:${String(r.int(0, 59)).padStart(2, '0')}:${String(r.pick([0, 0, 30, 59])).padStart(2, '0')}Z`;

interface World {
  orgId: string;
  campaigns: string[];
  videos: string[];
  /** each video's latest counters, so snapshots mostly grow (sometimes they shrink) */
  level: Map<string, Counters>;
  keys: number;
}

async function insertSnapshots(w: World, rows: { videoId: string; at: string; c: Counters }[]) {
  if (rows.length === 0) return;
  const values = rows.map((x) => ({
    organization_id: w.orgId, video_id: x.videoId, external_video_id: 'x', fetch_key: `k${w.keys++}`, created_at: x.at,
    views: x.c.views, likes: x.c.likes, comments: x.c.comments, reposts: x.c.reposts, saves: x.c.saves,
  }));
  await sql`insert into video_statistics ${sql(values, 'organization_id', 'video_id', 'external_video_id', 'views', 'likes', 'comments', 'reposts', 'saves', 'fetch_key', 'created_at')}`;
}

function grow(w: World, videoId: string, r: Rng): Counters {
  const prev = w.level.get(videoId) ?? zeroCounters();
  const shrink = r.next() < 0.1;
  const step = (x: number, scale: number) => Math.max(0, x + (shrink ? -r.int(0, scale) : r.int(0, scale * 5)));
  const next = { views: step(prev.views, 200), likes: step(prev.likes, 20), comments: step(prev.comments, 5), reposts: step(prev.reposts, 2), saves: step(prev.saves, 3) };
  w.level.set(videoId, next);
  return next;
}

/** One random write, as production issues it (one statement each unless noted). */
async function randomStep(w: World, r: Rng, day: string) {
  const live = w.videos;
  const op = r.next();
  if (op < 0.4) {
    // a nightly batch: most videos, 1-3 snapshots each that day, some skipped (gaps)
    const rows = r.some(live, 0.7).flatMap((videoId) => Array.from({ length: r.int(1, 3) }, () => ({ videoId, at: at(day, r), c: grow(w, videoId, r) })));
    await insertSnapshots(w, rows);
  } else if (op < 0.52) {
    // late snapshots: earlier days (possibly before a video's first day), one statement
    const rows = r.some(live, 0.3).map((videoId) => ({ videoId, at: at(addDays(START, r.int(-3, SPAN)), r), c: { views: r.int(0, 5000), likes: r.int(0, 300), comments: r.int(0, 40), reposts: r.int(0, 10), saves: r.int(0, 20) } }));
    await insertSnapshots(w, rows);
  } else if (op < 0.6) {
    // support fix: update some snapshots' counters, or move one to another day
    const ids = (await sql<{ id: string }[]>`select id::text from video_statistics where organization_id = ${w.orgId} order by id`).map((x) => x.id);
    const chosen = r.some(ids, 0.05).slice(0, 4);
    if (chosen.length === 0) return;
    if (r.next() < 0.5) await sql`update video_statistics set views = views + ${r.int(-50, 500)}, saves = saves + 1 where id in ${sql(chosen)}`;
    else await sql`update video_statistics set created_at = ${at(addDays(START, r.int(0, SPAN)), r)}::timestamptz where id = ${chosen[0]!}`;
  } else if (op < 0.67) {
    const ids = (await sql<{ id: string }[]>`select id::text from video_statistics where organization_id = ${w.orgId} order by id`).map((x) => x.id);
    const chosen = r.some(ids, 0.05).slice(0, 5);
    if (chosen.length > 0) await sql`delete from video_statistics where id in ${sql(chosen)}`;
  } else if (op < 0.82) {
    // assign / remove / move videos in bulk (one UPDATE of several videos)
    const moved = r.some(live, 0.3);
    const target = r.pick([...w.campaigns, null]);
    if (moved.length > 0) await sql`update videos set campaign_id = ${target} where id in ${sql(moved)}`;
  } else if (op < 0.86) {
    if (live.length > 4) {
      const victim = r.pick(live);
      await sql`delete from videos where id = ${victim}`;
      w.videos = live.filter((v) => v !== victim);
    }
  } else if (op < 0.89) {
    const v = r.pick(live);
    await sql`update videos set platform = ${r.pick(PLATFORMS)}, external_video_id = ${`ext-${w.keys++}`} where id = ${v}`;
  } else if (op < 0.94) {
    await sql`update videos set budget = ${r.next() < 0.3 ? null : r.int(0, 99_999) / 100} where id = ${r.pick(live)}`;
  } else if (op < 0.97) {
    await sql`update videos set video_status = ${r.pick(['tracking', 'stopped', 'deleted'])} where id = ${r.pick(live)}`;
  } else {
    await sql`update campaigns set budget = ${r.next() < 0.5 ? null : r.int(100, 500_000) / 100} where id = ${r.pick(w.campaigns)}`;
  }
}

async function newWorld(r: Rng): Promise<World> {
  const { orgId } = await createOrganization(sql);
  const a = await sql<{ id: string }[]>`
    insert into campaigns (organization_id, name, budget, currency, starts_on, ends_on) values
      (${orgId}, 'dated', 1500.5, 'EUR', ${addDays(START, r.int(0, 8))}, ${addDays(START, r.int(15, SPAN + 3))}),
      (${orgId}, 'open', null, 'USD', null, null)
    returning id`;
  const w: World = { orgId, campaigns: a.map((x) => x.id), videos: [], level: new Map(), keys: 0 };
  for (let i = 0; i < 9; i++) {
    const ext = `e${i}-${crypto.randomUUID()}`;
    const [v] = await sql<{ id: string }[]>`
      insert into videos (organization_id, platform, external_video_id, video_url, video_status, campaign_id, budget)
      values (${orgId}, ${r.pick(PLATFORMS)}, ${ext}, ${'https://example.test/' + ext}, 'tracking',
              ${r.pick([...w.campaigns, null])}, ${r.next() < 0.5 ? null : r.int(0, 50_000) / 100})
      returning id`;
    w.videos.push(v!.id);
  }
  return w;
}

/** Invariant I1: both aggregates equal their definition over video_daily_stats (all-zero rows aside). */
async function expectAggregatesMatchDefinition(orgId: string, context: string) {
  const cols = 'inc_views, inc_likes, inc_comments, inc_reposts, inc_saves, base_views, base_likes, base_comments, base_reposts, base_saves, videos_started';
  const defined = `
    sum(d.inc_views)::bigint as inc_views, sum(d.inc_likes)::bigint as inc_likes, sum(d.inc_comments)::bigint as inc_comments,
    sum(d.inc_reposts)::bigint as inc_reposts, sum(d.inc_saves)::bigint as inc_saves,
    coalesce(sum(d.open_views) filter (where d.is_first), 0)::bigint as base_views, coalesce(sum(d.open_likes) filter (where d.is_first), 0)::bigint as base_likes,
    coalesce(sum(d.open_comments) filter (where d.is_first), 0)::bigint as base_comments, coalesce(sum(d.open_reposts) filter (where d.is_first), 0)::bigint as base_reposts,
    coalesce(sum(d.open_saves) filter (where d.is_first), 0)::bigint as base_saves, (count(*) filter (where d.is_first))::int as videos_started`;
  const nonzero = `(${cols}) <> (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)`;
  const [diff] = await sql.unsafe(`
    with want_c as (
      select * from (
        select v.campaign_id, d.day, v.platform, ${defined}
        from video_daily_stats d join videos v on v.id = d.video_id
        where v.organization_id = $1 and v.campaign_id is not null group by 1, 2, 3) x
      where ${nonzero}),
    have_c as (select campaign_id, day, platform, ${cols} from campaign_daily_stats where organization_id = $1 and ${nonzero}),
    want_o as (
      select * from (
        select d.day, v.platform, ${defined}
        from video_daily_stats d join videos v on v.id = d.video_id where v.organization_id = $1 group by 1, 2) x
      where ${nonzero}),
    have_o as (select day, platform, ${cols} from organization_daily_stats where organization_id = $1 and ${nonzero})
    select (select count(*) from ((table want_c except table have_c) union all (table have_c except table want_c)) x)::int as campaign_rows,
           (select count(*) from ((table want_o except table have_o) union all (table have_o except table want_o)) x)::int as organization_rows`, [orgId]);
  expect(diff, context).toEqual({ campaign_rows: 0, organization_rows: 0 });
  // and the video counts (migration 20261203130100_video_counts.sql)
  const [counts] = await sql`
    with want_c as (select campaign_id, count(*)::int as videos, coalesce(sum(budget), 0)::numeric(16, 2) as budget_sum, count(budget)::int as budgets
                    from videos where organization_id = ${orgId} and campaign_id is not null group by 1),
    have_c as (select campaign_id, videos, budget_sum, budgets from campaign_video_counts where organization_id = ${orgId} and (videos, budget_sum, budgets) <> (0, 0, 0)),
    want_o as (select platform, video_status, count(*)::int as videos from videos where organization_id = ${orgId} group by 1, 2),
    have_o as (select platform, video_status, videos from organization_video_counts where organization_id = ${orgId} and videos <> 0)
    select (select count(*) from ((table want_c except table have_c) union all (table have_c except table want_c)) x)::int as campaign_counts,
           (select count(*) from ((table want_o except table have_o) union all (table have_o except table want_o)) x)::int as organization_counts`;
  expect(counts, context).toEqual({ campaign_counts: 0, organization_counts: 0 });
}

// ---- the organization reference: the model of src/domain/analytics.ts over raw snapshots ----------

interface ModelVideo {
  platform: Platform;
  status: 'tracking' | 'stopped' | 'deleted';
  days: DayValues[];
}

async function modelOf(orgId: string): Promise<ModelVideo[]> {
  const videos = await sql<{ id: string; platform: Platform; video_status: ModelVideo['status'] }[]>`select id, platform::text, video_status::text from videos where organization_id = ${orgId}`;
  const snaps = await sql`select video_id, id, created_at, views, likes, comments, reposts, saves from video_statistics where organization_id = ${orgId}`;
  return videos.map((v) => ({
    platform: v.platform,
    status: v.video_status,
    days: rollupDays(snaps.filter((s) => s.video_id === v.id).map((s) => ({
      at: s.created_at, id: Number(s.id), views: Number(s.views), likes: Number(s.likes), comments: Number(s.comments), reposts: Number(s.reposts), saves: Number(s.saves),
    }))),
  }));
}

const withEng = (c: Counters) => ({ ...c, engagements: engagements(c) });
const sum = (xs: (Counters | null)[]) => xs.reduce<Counters>((acc, x) => (x ? addCounters(acc, x) : acc), zeroCounters());

function summaryModel(videos: ModelVideo[], from: string | null, to: string | null, platform?: Platform) {
  const part = (vs: ModelVideo[]) => ({
    videos: {
      total: vs.length,
      tracking: vs.filter((v) => v.status === 'tracking').length,
      stopped: vs.filter((v) => v.status === 'stopped').length,
      deleted: vs.filter((v) => v.status === 'deleted').length,
      with_stats: vs.filter((v) => valueOn(v.days, to) !== null).length,
    },
    totals: withEng(sum(vs.map((v) => contribution(v.days, 'totals', from, to)))),
    increments: withEng(sum(vs.map((v) => contribution(v.days, 'increments', from, to)))),
  });
  const scoped = videos.filter((v) => !platform || v.platform === platform);
  return {
    from, to, platform: platform ?? null,
    ...part(scoped),
    platforms: (['TikTok', 'Instagram', 'YouTube', 'Other'] as Platform[])
      .filter((p) => scoped.some((v) => v.platform === p))
      .map((p) => ({ platform: p, ...part(scoped.filter((v) => v.platform === p)) })),
  };
}

function seriesModel(videos: ModelVideo[], from: string, to: string, interval: 'day' | 'week') {
  const points = [];
  for (let p = interval === 'week' ? isoWeekStart(from) : from; p <= to; p = addDays(p, interval === 'week' ? 7 : 1)) {
    const start = p < from ? from : p;
    const end = interval === 'week' && addDays(p, 6) < to ? addDays(p, 6) : interval === 'week' ? to : p;
    const inc = sum(videos.flatMap((v) => dailyIncrements(v.days).filter((d) => d.day >= start && d.day <= end).map((d) => d.delta)));
    points.push({ period: p, increments: withEng(inc), totals: withEng(sum(videos.map((v) => valueOn(v.days, end)))) });
  }
  return { interval, from, to, points };
}

// ---- the suite ----------------------------------------------------------------------------------

function randomRange(r: Rng): { from?: string | null; to?: string | null } {
  const day = () => addDays(START, r.int(-4, SPAN + 4));
  const a = day();
  const b = day();
  const [from, to] = a <= b ? [a, b] : [b, a];
  return {
    from: r.pick([from, from, null, undefined]),
    to: r.pick([to, to, null, undefined]),
  };
}

async function checkEverything(w: World, r: Rng, seed: number) {
  for (const campaignId of w.campaigns) {
    for (let i = 0; i < 6; i++) {
      const range = randomRange(r);
      if (range.from && range.to && range.from > range.to) continue;
      for (const mode of ['totals', 'increments'] as const) {
        const input: StatsInput = { mode, ...range };
        expect(await campaignStats(sql, w.orgId, campaignId, input), `seed ${seed} stats ${JSON.stringify(input)}`)
          .toEqual(await campaignStatsFromRawSnapshots(sql, w.orgId, campaignId, input));
      }
    }
    for (let i = 0; i < 4; i++) {
      const { from, to } = randomRange(r);
      for (const interval of ['day', 'week'] as const) {
        // an open end of a series is today: keep `to` explicit half of the time so points stay few
        const input: TimeseriesInput = { interval, from, to: to ?? addDays(START, SPAN + 2) };
        expect(await campaignTimeseries(sql, w.orgId, campaignId, input), `seed ${seed} series ${JSON.stringify(input)}`)
          .toEqual(await campaignTimeseriesFromRawSnapshots(sql, w.orgId, campaignId, input));
      }
    }
  }
  const model = await modelOf(w.orgId);
  for (let i = 0; i < 5; i++) {
    const range = randomRange(r);
    const from = range.from ?? null;
    const to = range.to ?? null;
    const platform = r.next() < 0.3 ? r.pick(PLATFORMS) : undefined;
    expect(await organizationSummary(sql, w.orgId, { from, to, platform }), `seed ${seed} summary ${JSON.stringify({ from, to, platform })}`)
      .toEqual(summaryModel(model, from, to, platform));
  }
  for (let i = 0; i < 3; i++) {
    const range = randomRange(r);
    const from = range.from ?? addDays(START, -2);
    const to = range.to ?? addDays(START, SPAN + 2);
    const platform = r.next() < 0.3 ? r.pick(PLATFORMS) : undefined;
    for (const interval of ['day', 'week'] as const) {
      expect(await organizationTimeseries(sql, w.orgId, { interval, from, to, platform }), `seed ${seed} org series ${JSON.stringify({ interval, from, to, platform })}`)
        .toEqual(seriesModel(model.filter((v) => !platform || v.platform === platform), from, to, interval));
    }
  }
  // the default range starts on the first day any (filtered) video has data
  const firstDay = model.flatMap((v) => v.days.map((d) => d.day)).sort()[0];
  if (firstDay) {
    const to = addDays(START, SPAN + 2);
    expect(await organizationTimeseries(sql, w.orgId, { interval: 'week', to }), `seed ${seed} org default range`)
      .toEqual(seriesModel(model, firstDay, to, 'week'));
  }
}

describe('campaign and organization aggregates equal raw snapshots for random histories', () => {
  beforeAll(async () => {
    // the reference model folds metrics by name: make sure it knows every one the tables sum
    expect(METRICS).toEqual(['views', 'likes', 'comments', 'reposts', 'saves']);
  });

  for (const seed of SEEDS) {
    it(`seed ${seed}`, async () => {
      const r = rng(seed);
      const w = await newWorld(r);
      for (let d = 0; d < SPAN; d++) {
        const day = addDays(START, d);
        const steps = r.int(1, 3);
        for (let s = 0; s < steps; s++) await randomStep(w, r, day);
        if (d % 10 === 9) await expectAggregatesMatchDefinition(w.orgId, `seed ${seed} day ${day}`);
      }
      await expectAggregatesMatchDefinition(w.orgId, `seed ${seed} end`);
      await checkEverything(w, r, seed);
    });
  }
});
