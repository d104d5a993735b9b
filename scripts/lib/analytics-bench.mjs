// The analytics measurements shared by scripts/bench-analytics.mjs (parts 3 and 4 of `npm run bench`)
// and scripts/analytics-measure.mjs (the standalone, more detailed run): loading the real query
// functions, seeding a campaign's history, timing reads (rollup vs raw snapshots) and timing the
// write path (no rollup trigger / the shipped statement-level trigger / a row-level trigger / the
// legacy materialized views). Nothing here asserts on time.
import { build } from 'esbuild';
import fs from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { percentile, timed } from './bench-util.mjs';

const root = path.resolve(import.meta.dirname, '../..');

/**
 * src/db/analytics.ts and analytics-aggregate.ts (TypeScript for workerd) and the raw-snapshot
 * reference test/support/analytics-raw.ts bundled for Node, plus the Worker's own client
 * factory and asUser from src/db/client.ts, so reads run with the production client options and
 * under RLS as the routes run them. `postgres` stays external (the project's copy).
 */
export async function loadAnalytics() {
  const dir = path.join(root, 'node_modules', '.cache', 'bench-analytics');
  await fs.mkdir(dir, { recursive: true });
  const outfile = path.join(dir, `analytics-${process.pid}.mjs`);
  await build({
    stdin: {
      contents: `export * from './src/db/analytics.ts'; export * from './src/db/analytics-aggregate.ts';
                 export * from './test/support/analytics-raw.ts'; export { createSql, asUser } from './src/db/client.ts';`,
      resolveDir: root, loader: 'ts', sourcefile: 'bench-entry.ts',
    },
    bundle: true, format: 'esm', platform: 'node', outfile, external: ['postgres'], logLevel: 'warning',
  });
  try {
    return await import(pathToFileURL(outfile).href);
  } finally {
    await fs.rm(outfile, { force: true });
  }
}

/** A postgres.js client with the Worker's options (src/db/client.ts createSql), counting statements sent. */
export function benchSql(analytics, url) {
  const counter = { statements: 0 };
  const sql = analytics.createSql({ DB: { connectionString: url } }, { onQuery: () => counter.statements++ });
  return { sql, counter };
}

/** A signed-in user who owns `organizationId`, for reads under RLS (asUser). Returns the JWT claims. */
export async function benchUser(db, organizationId) {
  const [{ id }] = (await db.query(`insert into auth.users (id, email) values (gen_random_uuid(), 'bench-' || gen_random_uuid() || '@bench.invalid') returning id`)).rows;
  await db.query(`insert into organization_members (organization_id, user_id, role) values ($1, $2, 'owner')`, [organizationId, id]);
  return { sub: id, role: 'authenticated' };
}

const utcToday = () => new Date().toISOString().slice(0, 10);

/**
 * Seeds one campaign of `videos` videos (a new organization) with `days` days of history, written
 * the way the nightly refresh writes it: one INSERT per night covering every video, with the rollup
 * trigger on, so both video_statistics and video_daily_stats get the physical layout production
 * gives them (a video's days spread over the table, not next to each other). Snapshots are taken
 * a few minutes after midnight UTC on each of the `days` days up to yesterday; about 1 % of nights
 * miss a video (a failed fetch), so carried-forward values and gaps are exercised; views grow at a
 * per-video rate, the other counters follow; 10 % of the videos have a budget, the campaign has one.
 * With `every` > 1 each video is measured every `every`-th night (staggered, so every night still
 * measures 1/every of the videos and every day has data).
 * With `fastSeed` (large runs) the snapshots go in 30 nights per statement with the trigger off and
 * the rollup and aggregates are rebuilt by the migrations' backfill statements (same rows).
 * Ends with VACUUM ANALYZE (what autovacuum gives an insert-only table), so index-only scans of
 * video_statistics_latest_idx are available to the raw-snapshot reads as they are in production.
 */
export async function seedCampaign(db, { videos, days, fastSeed = false, every = 1, log = () => {} }) {
  const t = performance.now();
  const [{ org }] = (await db.query(`insert into organizations (name, slug, plan) values ('Bench campaign', 'bench-campaign-' || substr(md5(random()::text), 1, 8), 'enterprise') returning id as org`)).rows;
  const [{ campaign, starts_on }] = (await db.query(
    `insert into campaigns (organization_id, name, budget, starts_on) values ($1, 'Bench campaign', 250000, (now() at time zone 'UTC')::date - $2::int)
     returning id as campaign, starts_on::text`, [org, days])).rows;
  await db.query(`
    insert into videos (organization_id, campaign_id, platform, external_video_id, video_url, video_status, budget, tracking_started_at, created_at)
    select $1, $2, p.platform::platform, p.ext, p.url, 'tracking', case when g % 10 = 0 then 100 + g % 900 end, s.at, s.at
    from generate_series(1, $3::int) g,
    lateral (select ((now() at time zone 'UTC')::date - $4::int)::timestamp at time zone 'UTC' as at) s,
    lateral (select case g % 3 when 0 then 'TikTok' when 1 then 'Instagram' else 'YouTube' end as platform) k,
    lateral (select k.platform,
                    case k.platform when 'YouTube' then substr(md5('campaign' || g), 1, 11) else (8000000000000000000 + g)::text end as ext,
                    case k.platform when 'TikTok' then 'https://www.tiktok.com/@campaign/video/' || (8000000000000000000 + g)
                                    when 'Instagram' then 'https://www.instagram.com/reel/campaign' || g || '/'
                                    else 'https://www.youtube.com/watch?v=' || substr(md5('campaign' || g), 1, 11) end as url) p`,
    [org, campaign, videos, days]);
  const claims = await benchUser(db, org);
  // one night's snapshots, or (fast) nights $2 … $5 in one statement, ordered night by night
  const nights = (fast) => `
      insert into video_statistics (organization_id, video_id, external_video_id, views, likes, comments, reposts, saves, fetch_key, created_at)
      select v.organization_id, v.id, v.external_video_id, w.views, w.views / 20, w.views / 200, w.views / 500, w.views / 100, 'campaign-' || n.d,
             ((now() at time zone 'UTC')::date - ($3::int + 1 - n.d))::timestamp at time zone 'UTC' + interval '5 minutes' + (x.h & 2047) * interval '1 second'
      from generate_series($2::int, ${fast ? '$5::int' : '$2::int'}) n(d)
      cross join videos v
      cross join lateral (select hashtext(v.id::text) as h) x
      cross join lateral (select (n.d * (20 + (x.h & 2047)) + n.d * n.d * (x.h & 7))::bigint as views) w
      where v.organization_id = $1 and v.campaign_id = $4 and hashtext(v.id::text || n.d) % 100 <> 0
        ${every > 1 ? `and (n.d + (x.h & 1023)) % ${every} = 0` : ''}
      order by n.d, v.id`;
  let written = 0;
  let nightsMs = 0;
  if (!fastSeed) {
    for (let d = 1; d <= days; d++) {
      const night = await timed(() => db.query(nights(false), [org, d, days, campaign]));
      written += night.result.rowCount;
      nightsMs += night.ms;
    }
    log(`campaign: ${videos} videos, ${written} snapshots over ${days} nights written as ${days} nightly INSERTs (trigger on) in ${(nightsMs / 1000).toFixed(1)} s`);
  } else {
    // Fast seed (large runs): snapshots with the rollup trigger off, 30 nights per statement (the
    // same night-by-night physical order), then the rollup and the aggregates rebuilt by the
    // migrations' own backfill statements, restricted to this organization.
    await db.query('alter table video_statistics disable trigger video_daily_stats_insert');
    try {
      for (let d = 1; d <= days; d += 30) {
        const chunk = await timed(() => db.query(nights(true), [org, d, days, campaign, Math.min(days, d + 29)]));
        written += chunk.result.rowCount;
        nightsMs += chunk.ms;
        log(`campaign (fast seed): nights ${d}-${Math.min(days, d + 29)}: ${written} snapshots so far, ${(nightsMs / 1000).toFixed(0)} s`);
      }
    } finally {
      await db.query('alter table video_statistics enable trigger video_daily_stats_insert');
    }
    const migrations = path.join(root, 'supabase', 'migrations');
    const rollup = await fs.readFile(path.join(migrations, '20261122300000_analytics_rollup.sql'), 'utf8');
    const rollupBackfill = rollup.slice(rollup.indexOf('insert into public.video_daily_stats', rollup.indexOf('-- Backfill')), rollup.indexOf('-- Views (legacy names'))
      .replace('from public.video_statistics st) s', `from public.video_statistics st where st.organization_id = '${org}') s`);
    const aggregates = await fs.readFile(path.join(migrations, '20261203130000_campaign_organization_daily_stats.sql'), 'utf8');
    const aggregateBackfill = aggregates.slice(aggregates.indexOf('insert into public.campaign_daily_stats', aggregates.indexOf('-- Backfill')), aggregates.indexOf('-- RLS ---'))
      .replaceAll('join public.videos v on v.id = d.video_id', `join public.videos v on v.id = d.video_id and v.organization_id = '${org}'`);
    await db.query('alter table video_daily_stats disable trigger analytics_daily_insert');
    try {
      const r = await timed(() => db.query(rollupBackfill));
      log(`campaign (fast seed): rollup backfill ${(r.ms / 1000).toFixed(0)} s`);
      const a = await timed(() => db.query(aggregateBackfill));
      log(`campaign (fast seed): aggregate backfill ${(a.ms / 1000).toFixed(0)} s`);
    } finally {
      await db.query('alter table video_daily_stats enable trigger analytics_daily_insert');
    }
    log(`campaign: ${videos} videos, ${written} snapshots over ${days} nights (fast seed: ${Math.ceil(days / 30)} INSERTs with the trigger off, then the migrations' backfills) in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }
  const vacuum = await timed(() => db.query('vacuum (analyze) video_statistics, video_daily_stats, videos, campaign_daily_stats, organization_daily_stats'));
  log(`vacuum analyze: ${(vacuum.ms / 1000).toFixed(1)} s; campaign seeded in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  return { organizationId: org, campaignId: campaign, startsOn: starts_on, claims, snapshots: written, seedMs: performance.now() - t };
}

/**
 * The reads timed, each from three sources: `aggregate` = as the route calls it (campaignStats /
 * campaignTimeseries over campaign_daily_stats), `perVideo` = the per-video rollup probes the routes
 * used before (campaignStatsPerVideo / campaignTimeseriesPerVideo; filtered reads still cost this),
 * `raw` = the same answer from raw snapshots (test/support/analytics-raw.ts). Ranges: the
 * campaign's own dates (starts_on, open end), and a last-7-days window for increments.
 * `weekly: false` leaves out the weekly timeseries.
 */
export function readCases({ today = utcToday(), weekly = true } = {}) {
  const weekAgo = new Date(Date.parse(today) - 7 * 86_400_000).toISOString().slice(0, 10);
  const stats = { kind: 'stats', aggregate: 'campaignStats', perVideo: 'campaignStatsPerVideo', raw: 'campaignStatsFromRawSnapshots' };
  const series = { kind: 'series', aggregate: 'campaignTimeseries', perVideo: 'campaignTimeseriesPerVideo', raw: 'campaignTimeseriesFromRawSnapshots' };
  return [
    { ...stats, label: 'stats, totals', input: { mode: 'totals' } },
    { ...stats, label: 'stats, increments (campaign)', input: { mode: 'increments' } },
    { ...stats, label: 'stats, increments (7 days)', input: { mode: 'increments', from: weekAgo, to: today } },
    { ...series, label: 'timeseries, by day', input: { interval: 'day' } },
    ...(weekly ? [{ ...series, label: 'timeseries, by week', input: { interval: 'week' } }] : []),
  ];
}

export const READ_SOURCES = ['aggregate', 'perVideo', 'raw'];

/** One line of what an answer holds, to show it is not empty. */
const describe = (answer) =>
  answer === null ? 'null'
  : 'points' in answer ? `${answer.points.length} points, last total views ${answer.points.at(-1)?.totals.views ?? 0}`
  : `${answer.videos.with_stats}/${answer.videos.count} videos with stats, views ${answer.stats.views}`;

/**
 * Times each case on each source: `runs[source][case.kind]` timed calls (a source with 0 runs is
 * skipped), interleaved across sources (so drift on a shared machine hits all alike), after one
 * warm-up call each (plans, caches). Every call runs in its own transaction as `claims` (asUser:
 * RLS on), exactly as the HTTP routes do. Checks that every answer of every source is the same
 * (JSON-identical). Results: `by[source]` = { p50, p95, n }, and `rollup` / `raw` = the route's read
 * (aggregate) and raw snapshots, as scripts/analytics-measure.mjs reads them.
 */
export async function timeReads({ analytics, sql, counter, claims, organizationId, campaignId, cases = readCases(), runs, log = () => {} }) {
  const results = [];
  for (const c of cases) {
    const sources = READ_SOURCES.filter((s) => (runs[s]?.[c.kind] ?? 0) > 0);
    const n = Object.fromEntries(sources.map((s) => [s, runs[s][c.kind]]));
    const call = (fn) => analytics.asUser(sql, claims, (tx) => analytics[fn](tx, organizationId, campaignId, c.input));
    const times = Object.fromEntries(sources.map((s) => [s, []]));
    const answers = new Set();
    const statements = {};
    const iterations = Math.max(...Object.values(n));
    for (let i = 0; i <= iterations; i++) {
      for (const s of sources) {
        if (i > n[s]) continue;
        const before = counter.statements;
        const { ms, result } = await timed(() => call(c[s]));
        statements[s] = counter.statements - before;
        answers.add(JSON.stringify(result));
        if (i > 0) times[s].push(ms);
      }
    }
    const by = Object.fromEntries(sources.map((s) => [s, { n: n[s], p50: percentile(times[s], 50), p95: percentile(times[s], 95) }]));
    const r = {
      label: c.label,
      kind: c.kind,
      by,
      rollup: by.aggregate,
      raw: by.raw,
      statements,
      identical: answers.size === 1,
      answer: describe(JSON.parse([...answers][0])),
    };
    results.push(r);
    log(`${c.label}: ${sources.map((s) => `${s} p50 ${by[s].p50.toFixed(1)} ms p95 ${by[s].p95.toFixed(1)} ms (n ${by[s].n})`).join('; ')}; identical: ${r.identical} (${r.answer})`);
  }
  return results;
}

/**
 * Assigning and removing `count` videos to/from a campaign (one UPDATE of videos.campaign_id each,
 * as POST /campaigns/:id/videos writes it), with the aggregate trigger on and off, `runs` times,
 * each in a transaction rolled back afterwards. `ms.assign[variant]`: moving `count` of the
 * campaign's videos to a new campaign; `ms.remove[variant]`: setting their campaign to null.
 */
export async function timeMembership(db, { organizationId, campaignId, count = 1000, runs = 5 }) {
  const out = { assign: { on: [], off: [] }, remove: { on: [], off: [] }, days: 0 };
  for (let run = 0; run < runs; run++) {
    for (const variant of ['on', 'off']) {
      for (const kind of ['assign', 'remove']) {
        await db.query('begin');
        try {
          if (variant === 'off') await db.query('alter table videos disable trigger analytics_video_update');
          const [{ id }] = (await db.query(`insert into campaigns (organization_id, name) values ($1, 'bench-membership-' || gen_random_uuid()) returning id`, [organizationId])).rows;
          const ids = (await db.query('select id from videos where organization_id = $1 and campaign_id = $2 order by id limit $3', [organizationId, campaignId, count])).rows.map((r) => r.id);
          if (!out.days) out.days = Number((await db.query('select count(*) as n from video_daily_stats where video_id = any($1::uuid[])', [ids])).rows[0].n);
          const t = await timed(() => db.query('update videos set campaign_id = $1 where id = any($2::uuid[])', [kind === 'assign' ? id : null, ids]));
          out[kind][variant].push(t.ms);
        } finally {
          await db.query('rollback');
        }
      }
    }
  }
  return out;
}

// ---- write path --------------------------------------------------------------------------------

/** The row-level alternative to the shipped statement-level trigger, for comparison only (installed disabled). */
export async function installRowLevelRollup(db) {
  const newer = `(excluded.last_snapshot_at, excluded.last_snapshot_id) > (d.last_snapshot_at, d.last_snapshot_id)`;
  const older = `(excluded.first_snapshot_at, excluded.first_snapshot_id) < (d.first_snapshot_at, d.first_snapshot_id)`;
  const set = [
    ...['views', 'likes', 'comments', 'reposts', 'saves', 'last_snapshot_at', 'last_snapshot_id'].map((c) => `${c} = case when ${newer} then excluded.${c} else d.${c} end`),
    ...['open_views', 'open_likes', 'open_comments', 'open_reposts', 'open_saves', 'first_snapshot_at', 'first_snapshot_id'].map((c) => `${c} = case when ${older} then excluded.${c} else d.${c} end`),
  ].join(',\n        ');
  await db.query(`
    create or replace function private.bench_row_level_rollup() returns trigger language plpgsql security definer set search_path = '' as $$
    begin
      insert into public.video_daily_stats as d (organization_id, video_id, day, views, likes, comments, reposts, saves, last_snapshot_at, last_snapshot_id,
        open_views, open_likes, open_comments, open_reposts, open_saves, first_snapshot_at, first_snapshot_id)
      values (new.organization_id, new.video_id, (new.created_at at time zone 'UTC')::date, new.views, new.likes, new.comments, new.reposts, new.saves,
        new.created_at, new.id, new.views, new.likes, new.comments, new.reposts, new.saves, new.created_at, new.id)
      on conflict (video_id, day) do update set
        ${set}
      where ${newer} or ${older};
      return null;
    end $$;
    drop trigger if exists bench_row_level on public.video_statistics;
    create trigger bench_row_level after insert on public.video_statistics for each row execute function private.bench_row_level_rollup();
    alter table public.video_statistics disable trigger bench_row_level;`);
  return () => db.query('drop trigger bench_row_level on public.video_statistics; drop function private.bench_row_level_rollup()');
}

/**
 * How the rollup and the daily aggregates are kept current while snapshots are written: triggers
 * to disable / enable as [table, trigger] for each variant.
 */
const AGGREGATE_TRIGGERS = ['analytics_daily_insert', 'analytics_daily_update', 'analytics_daily_delete'].map((t) => ['video_daily_stats', t]);
export const WRITE_VARIANTS = {
  none: { label: 'no trigger (bare insert)', disable: [['video_statistics', 'video_daily_stats_insert']], enable: [] },
  rollup: { label: 'rollup trigger only (before #15)', disable: AGGREGATE_TRIGGERS, enable: [] },
  statement: { label: 'rollup + daily aggregates (shipped)', disable: [], enable: [] },
  row: { label: 'row-level trigger, values only', disable: [['video_statistics', 'video_daily_stats_insert']], enable: [['video_statistics', 'bench_row_level']] },
};
/**
 * One INSERT of a snapshot for each of the first `limit` videos by id (null: every video), as the
 * stats consumer writes a delivered batch, dated a few minutes after the next UTC midnight (the
 * first snapshot of a new day: new rollup rows), or with `again` two hours later that day (the
 * rollup rows are updated).
 */
export const insertSnapshotsSql = ({ limit, tag, again = false }) => `
  insert into video_statistics (organization_id, video_id, external_video_id, views, likes, comments, reposts, saves, fetch_key, created_at)
  select organization_id, id, external_video_id, 1000000, 10000, 1000, 100, 1000, 'bench-${tag}',
         ((now() at time zone 'UTC')::date + 1)::timestamp at time zone 'UTC' + interval '${again ? '2 hours 5 minutes' : '5 minutes'}'
  from videos ${limit === null ? '' : `order by id limit ${Number(limit)}`}`;

/**
 * Times the write of `limit` snapshots under each variant, `runs` times, interleaved, each run in a
 * transaction rolled back afterwards (the table is the same for every run). With `again`, a
 * second write the same day follows in the same transaction (the rollup's update path).
 * `after[variant]`, when given, runs after that variant's write (e.g. a materialized view
 * refresh) and is timed separately.
 */
export async function timeWrites(db, { limit, variants, runs, again = false, after = {} }) {
  const out = Object.fromEntries(variants.map((v) => [v, { first: [], again: [], after: [] }]));
  for (let run = 0; run < runs; run++) {
    for (const v of variants) {
      await db.query('begin');
      try {
        for (const [table, tr] of WRITE_VARIANTS[v].disable) await db.query(`alter table ${table} disable trigger ${tr}`);
        for (const [table, tr] of WRITE_VARIANTS[v].enable) await db.query(`alter table ${table} enable trigger ${tr}`);
        const first = await timed(() => db.query(insertSnapshotsSql({ limit, tag: `${v}-${run}` })));
        out[v].first.push(first.ms);
        if (again) out[v].again.push((await timed(() => db.query(insertSnapshotsSql({ limit, tag: `${v}-${run}-again`, again: true })))).ms);
        if (after[v]) out[v].after.push((await timed(after[v])).ms);
      } finally {
        await db.query('rollback');
      }
    }
  }
  return out;
}

/** EXPLAIN ANALYZE of one write with the shipped trigger: total execution and the trigger's share. */
export async function explainWrite(db, { limit }) {
  await db.query('begin');
  try {
    const plan = (await db.query(`explain (analyze, format json) ${insertSnapshotsSql({ limit, tag: 'explain' })}`)).rows[0]['QUERY PLAN'][0];
    return { executionMs: plan['Execution Time'], triggers: (plan.Triggers ?? []).map((x) => ({ name: x['Trigger Name'], ms: x.Time, calls: x.Calls })) };
  } finally {
    await db.query('rollback');
  }
}

/**
 * The legacy alternative: daily and weekly increments as materialized views over every snapshot
 * (same columns as today's mv_video_daily_increments / mv_video_weekly_increments views, with the
 * unique index a reader and REFRESH … CONCURRENTLY need), refreshed after writes. Created empty;
 * `refresh()` recomputes both from all snapshots.
 */
export async function installLegacyMaterializedViews(db) {
  const m = ['views', 'likes', 'comments', 'reposts', 'saves'];
  await db.query(`
    create materialized view bench_mv_video_daily_increments as
    select s.organization_id, s.video_id, s.day, ${m.map((x) => `s.${x}`).join(', ')},
           ${m.map((x) => `s.${x} - coalesce(lag(s.${x}) over w, s.open_${x}) as ${x}_delta`).join(', ')}
    from (select distinct on (st.video_id, (st.created_at at time zone 'UTC')::date)
                 st.organization_id, st.video_id, (st.created_at at time zone 'UTC')::date as day,
                 ${m.map((x) => `last_value(st.${x}) over d as ${x}, st.${x} as open_${x}`).join(', ')}
          from video_statistics st
          window d as (partition by st.video_id, (st.created_at at time zone 'UTC')::date order by st.created_at, st.id
                       rows between unbounded preceding and unbounded following)
          order by st.video_id, (st.created_at at time zone 'UTC')::date, st.created_at, st.id) s
    window w as (partition by s.video_id order by s.day)
    with no data;
    create unique index on bench_mv_video_daily_increments (video_id, day);
    create materialized view bench_mv_video_weekly_increments as
    select organization_id, video_id, date_trunc('week', day)::date as week_start, ${m.map((x) => `sum(${x}_delta)::bigint as ${x}_delta`).join(', ')}
    from bench_mv_video_daily_increments group by 1, 2, 3
    with no data;
    create unique index on bench_mv_video_weekly_increments (video_id, week_start);`);
  return {
    refresh: () => db.query('refresh materialized view bench_mv_video_daily_increments; refresh materialized view bench_mv_video_weekly_increments'),
    size: async () => (await db.query(`select pg_total_relation_size('bench_mv_video_daily_increments') + pg_total_relation_size('bench_mv_video_weekly_increments') as b`)).rows[0].b,
    drop: () => db.query('drop materialized view bench_mv_video_weekly_increments; drop materialized view bench_mv_video_daily_increments'),
  };
}

export const tableSizes = async (db) =>
  (await db.query(`select pg_size_pretty(pg_total_relation_size('video_statistics')) as raw, pg_size_pretty(pg_total_relation_size('video_daily_stats')) as rollup,
                          pg_size_pretty(pg_total_relation_size('campaign_daily_stats')) as campaign_aggregate,
                          (select count(*) from video_statistics)::int as snapshots, (select count(*) from video_daily_stats)::int as rollup_rows,
                          (select count(*) from campaign_daily_stats)::int as campaign_rows`)).rows[0];
