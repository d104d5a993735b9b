// `npx node scripts/analytics-measure.mjs [--videos 100000] [--days 30] [--batch 50000] [--runs 5]`
// (`npx node`: the project's Node 22; the machines ship Node 20)
//
// The standalone, more detailed companion of `npm run bench` parts 3 and 4 (scripts/bench-analytics.mjs;
// both use scripts/lib/analytics-bench.mjs). Measures the analytics design on this machine, in one
// run (not a test: nothing asserts on time):
//   1. the write path: one INSERT of `--batch` snapshots (the stats consumer writes a batch in one
//      statement) with no rollup trigger, with the statement-level trigger we ship, and with the
//      row-level alternative; first snapshots of a day (new rollup rows) and later ones (updates);
//   2. the legacy alternative: refreshing materialized views of daily and weekly increments over
//      all snapshots;
//   3. the read path: campaign stats and timeseries over the rollup vs the same answers computed
//      from raw snapshots (src/db/analytics.ts *FromRawSnapshots), for campaigns of 100 … 10,000
//      catalogue videos, checking that both answers are identical;
//   4. the migration's backfill (the rollup rebuilt from all snapshots) equals the trigger-kept rollup.
// It starts its own embedded Postgres (fresh, all migrations) and seeds the benchmark catalogue.
import fs from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { benchSql, benchUser, explainWrite, installLegacyMaterializedViews, installRowLevelRollup, loadAnalytics, readCases, tableSizes, timeReads, timeWrites, WRITE_VARIANTS } from './lib/analytics-bench.mjs';
import { catalogueFlags, fmtMs, freePort, machine, median, parseArgs, timed } from './lib/bench-util.mjs';
import { applyMigrations, scratchDir, startLocalPostgres } from './lib/local-postgres.mjs';
import { seedCatalogue } from './lib/seed-catalogue.mjs';

const args = parseArgs();
const { videos: VIDEOS, days: DAYS } = catalogueFlags(args);
const BATCH = Math.min(Number(args.batch ?? 50_000), VIDEOS);
const RUNS = Number(args.runs ?? 5);
const root = path.resolve(import.meta.dirname, '..');
const log = (m) => console.log(`[measure] ${m}`);

const analytics = await loadAnalytics();
const work = scratchDir('influtics-measure-'); // a folder Postgres can reach when it runs as `postgres`
const server = await startLocalPostgres({ dataDir: path.join(work, 'pg', 'data'), port: await freePort(), database: 'measure', fresh: true });
const db = new pg.Client({ connectionString: server.url });
let sql;
try {
  await applyMigrations(server.url, path.join(root, 'supabase/migrations'));
  await db.connect();
  log(`machine: ${machine()}, ${(await db.query('select version()')).rows[0].version.split(' on ')[0]}`);

  const seeded = await timed(() => seedCatalogue(db, { videos: VIDEOS, days: DAYS }));
  const sizes = await tableSizes(db);
  log(`seeded ${seeded.result.videos} videos, ${seeded.result.snapshots} snapshots (${DAYS} days) in ${(seeded.ms / 1000).toFixed(1)} s, trigger on: ${sizes.rollup_rows} rollup rows`);
  log(`sizes: video_statistics ${sizes.raw}, video_daily_stats ${sizes.rollup} (tables + indexes)`);

  // ---- 1. write path -------------------------------------------------------------------------
  const dropRowLevel = await installRowLevelRollup(db);
  const runs = await timeWrites(db, { limit: BATCH, variants: ['none', 'statement', 'row'], runs: RUNS, again: true });
  const writes = {};
  for (const [v, r] of Object.entries(runs)) {
    writes[WRITE_VARIANTS[v].label] = { first: median(r.first), second: median(r.again) };
    log(`write ${BATCH} snapshots, ${WRITE_VARIANTS[v].label}: first of the day ${fmtMs(median(r.first))}, again the same day ${fmtMs(median(r.again))} (median of ${RUNS})`);
  }
  const plan = await explainWrite(db, { limit: BATCH });
  log(`EXPLAIN ANALYZE (statement-level): insert ${fmtMs(plan.executionMs)} total, ${plan.triggers.map((x) => `${x.name} ${fmtMs(x.ms)} × ${x.calls}`).join(', ')}`);
  await dropRowLevel();

  // ---- 2. the legacy alternative: materialized views refreshed after write batches ---------------
  const legacy = await installLegacyMaterializedViews(db);
  const refresh = (await timed(() => legacy.refresh())).ms;
  log(`legacy: refresh materialized views of daily + weekly increments over ${seeded.result.snapshots} snapshots: ${fmtMs(refresh)} (paid after every write batch, growing with the table)`);
  await legacy.drop();

  // ---- 3. read path ------------------------------------------------------------------------------
  await db.query('vacuum (analyze) video_statistics, video_daily_stats, videos');
  const [{ org }] = (await db.query(`select organization_id as org from videos group by 1 order by count(*) desc limit 1`)).rows;
  const orgVideos = Number((await db.query('select count(*) from videos where organization_id = $1', [org])).rows[0].count);
  const claims = await benchUser(db, org);
  const client = benchSql(analytics, server.url);
  sql = client.sql;
  const reads = [];
  for (const size of [100, 1000, 10_000].filter((s) => s <= orgVideos)) {
    const [{ id: campaignId }] = (await db.query(`insert into campaigns (organization_id, name) values ($1, $2) returning id`, [org, `measure ${size}`])).rows;
    await db.query(`update videos set campaign_id = $1 where id in (select id from videos where organization_id = $2 and campaign_id is null order by id limit $3)`, [campaignId, org, size]);
    await db.query('analyze videos');
    const results = await timeReads({ analytics, sql, counter: client.counter, claims, organizationId: org, campaignId, cases: readCases(), runs: { aggregate: { stats: RUNS, series: RUNS }, raw: { stats: RUNS, series: RUNS } },
      log: (m) => log(`${String(size).padStart(6)} videos, ${m}`) });
    for (const r of results) {
      reads.push({ size, label: r.label, rollup: r.rollup.p50, raw: r.raw.p50, same: r.identical });
      if (!r.identical) throw new Error(`rollup and raw answers differ for ${r.label}, ${size} videos`);
    }
  }

  // ---- 4. backfill == trigger ---------------------------------------------------------------------
  const migration = await fs.readFile(path.join(root, 'supabase/migrations/20261122300000_analytics_rollup.sql'), 'utf8');
  const backfill = migration.slice(migration.indexOf('insert into public.video_daily_stats', migration.indexOf('-- Backfill')), migration.indexOf('-- Views (legacy names'));
  await db.query('begin');
  await db.query('create temp table kept on commit drop as select * from video_daily_stats');
  await db.query('delete from video_daily_stats');
  const backfillMs = (await timed(() => db.query(backfill))).ms;
  const diff = (await db.query('select count(*)::int as n from ((select * from kept except select * from video_daily_stats) union all (select * from video_daily_stats except select * from kept)) d')).rows[0].n;
  await db.query('rollback');
  log(`backfill of ${seeded.result.snapshots} snapshots: ${fmtMs(backfillMs)}; rows differing from the trigger-kept rollup: ${diff}`);
  if (diff !== 0) throw new Error('the backfill and the trigger disagree');

  console.log('\n=== analytics measurement ===');
  console.log(JSON.stringify({ videos: VIDEOS, days: DAYS, snapshots: seeded.result.snapshots, rollup_rows: sizes.rollup_rows, batch: BATCH, writes, legacy_refresh_ms: Math.round(refresh), reads, backfill_ms: Math.round(backfillMs) }, null, 2));
} finally {
  await sql?.end({ timeout: 1 }).catch(() => {});
  await db.end().catch(() => {});
  await server.stop();
  await fs.rm(work, { recursive: true, force: true });
}
