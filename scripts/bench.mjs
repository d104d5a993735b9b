// `npm run bench [-- --videos 100000 --days 30]`: measures, in ONE run on this machine,
//   1. refresh throughput of the real pipeline (NightlyRefresh workflow → LOW_PRIORITY queue →
//      stats consumer in workerd via `wrangler dev`, against the local zero-latency fake platforms)
//      and its ratio to the raw Postgres bulk-insert ceiling for the same number of snapshot rows;
//   2. database round trips per consumer batch (reported by the consumer itself);
//   3. campaign stats and timeseries latency (p50/p95) for a 10,000-video campaign over 90 days,
//      on the rollup vs from raw snapshots, and
//   4. the cost of keeping the increments current after a nightly write (rollup trigger vs none vs
//      the legacy materialized views): both in scripts/bench-analytics.mjs, run after 1-2 with
//      wrangler dev stopped (options there: --campaign-videos, --campaign-days, --runs, …).
// BENCH_PARTS=3,4 skips parts 1-2 (the catalogue and the pipeline); BENCH_PARTS=1,2 runs only them.

//   5. Excel import of 10,000 rows and export of 100,000 videos (scripts/bench-excel.mjs; alone:
//      BENCH_PART=excel npm run bench).

//      wrangler dev stopped (options there: --campaign-videos, --campaign-days, --runs, …);
//   6. a Google Sheets resync of a 10,000-row sheet (scripts/bench-sheets.mjs, `--rows`; alone with
//      BENCH_PART=sheets).
// Results go to stdout; BENCHMARKS.md records them with the machine they came from.
import { spawnWranglerDev } from './lib/wrangler-dev.mjs';
import fs from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { applyMigrations, scratchDir, startLocalPostgres } from './lib/local-postgres.mjs';
import { fakeStatsAt, startFakePlatforms } from '../test/fakes/platform-server.mjs';
import { seedCatalogue } from './lib/seed-catalogue.mjs';
import { catalogueFlags, freePort, machine, parseArgs } from './lib/bench-util.mjs';

// BENCH_PART=excel runs only part 5, the Excel import and export (scripts/bench-excel.mjs).
if (process.env.BENCH_PART === 'excel') {
  await (await import('./bench-excel.mjs')).run();
  process.exit(0);
}

// BENCH_PART=sheets runs only the Google Sheets resync part (scripts/bench-sheets.mjs)
if (process.env.BENCH_PART === 'sheets') {
  await (await import('./bench-sheets.mjs')).main();
  process.exit(0);
}

const { videos: VIDEOS, days: DAYS } = catalogueFlags(parseArgs());
// BENCH_PARTS picks parts: 3,4 = only the campaign analytics (scripts/bench-analytics.mjs), 1,2 = only
// the pipeline and its alert evaluation, 5 = Excel, 6 = Sheets; default: all six
const PARTS = new Set((process.env.BENCH_PARTS ?? '1,2,3,4,5,6').split(',').map((p) => p.trim()));
const root = path.resolve(import.meta.dirname, '..');
const log = (m) => console.log(`[bench] ${m}`);

const work = scratchDir('influtics-bench-'); // a folder Postgres can reach when it runs as `postgres`
// pg_stat_statements: the consumer's statements timed by Postgres itself (part 2), apart from the
// Worker's event loop and the connection that its wall-clock figures include
const pgServer = await startLocalPostgres({ dataDir: path.join(work, 'pg', 'data'), port: await freePort(), database: 'bench', fresh: true, settings: { shared_preload_libraries: 'pg_stat_statements', 'pg_stat_statements.track_planning': 'on' } });
await applyMigrations(pgServer.url, path.join(root, 'supabase/migrations'));
const db = new pg.Client({ connectionString: pgServer.url });
await db.connect();
const cleanup = [];
cleanup.push(async () => { await db.end().catch(() => {}); await pgServer.stop(); await fs.rm(work, { recursive: true, force: true }); });

try {
  log(`machine: ${machine()}, ${(await db.query('select version()')).rows[0].version.split(' on ')[0]}`);
  if (!PARTS.has('1') && !PARTS.has('2')) {
    // BENCH_PARTS=3,4: the campaign analytics alone, on a database holding only their campaign
    log(`BENCH_PARTS=${[...PARTS].join(',')}: parts 1-2 skipped`);
    await (await import('./bench-analytics.mjs')).run({ db, url: pgServer.url, log });
  } else {
    let t = performance.now();
    const seeded = await seedCatalogue(db, { videos: VIDEOS, days: DAYS });
    log(`seeded ${seeded.videos} tracked videos with ${seeded.snapshots} snapshots (${DAYS} days) in ${((performance.now() - t) / 1000).toFixed(1)} s`);

    // ---- 1a. the ceiling: one INSERT … SELECT FROM unnest() of N snapshot rows, straight into Postgres
    // Timestamped a day ago (the refresh below still finds every video due) with the fake's own counts
    // for that moment: a constant here (it was 1,000 views until 2026-12-03) became every video's
    // previous-day close, so the refresh then saw millions of views gained overnight by every video
    // and the alert step measured a night in which every video crossed a threshold and went viral.
    const ids = (await db.query(`select id, organization_id, external_video_id from videos order by id`)).rows;
    const dayAgo = ids.map((r) => fakeStatsAt(r.external_video_id, Date.now() - 86_400_000));
    t = performance.now();
    await db.query(
      `insert into video_statistics (organization_id, video_id, external_video_id, views, likes, comments, reposts, saves, fetch_key, created_at)
       select o, v, e, vw, l, c, r, s, 'ceiling', now() - interval '1 day'
       from unnest($1::uuid[], $2::uuid[], $3::text[], $4::bigint[], $5::bigint[], $6::bigint[], $7::bigint[], $8::bigint[]) as u(o, v, e, vw, l, c, r, s)`,
      [ids.map((r) => r.organization_id), ids.map((r) => r.id), ids.map((r) => r.external_video_id),
        dayAgo.map((x) => x.views), dayAgo.map((x) => x.likes), dayAgo.map((x) => x.comments), dayAgo.map((x) => x.reposts), dayAgo.map((x) => x.saves)],
    );
    const ceilingSeconds = (performance.now() - t) / 1000;
    const ceiling = ids.length / ceilingSeconds;
    log(`ceiling: ${ids.length} snapshot rows in one INSERT…SELECT FROM unnest() in ${ceilingSeconds.toFixed(2)} s = ${Math.round(ceiling)} rows/s`);

    // alert rules in every organization, so the consumer's set-based alert statement (run after each
    // batch write, src/notifications/alerts.ts) does its real work: thresholds, viral medians, deletions
    await db.query(`insert into alert_rules (organization_id, type, params)
      select o.id, t.type, t.params::jsonb from organizations o,
        (values ('views_threshold', '{"views": 1000000}'), ('viral', '{"k": 3, "cooldown_hours": 24, "min_views_24h": 1000}'), ('video_unavailable', '{}')) t(type, params)`);

    // ---- 1b. the pipeline: cron → NightlyRefresh → LOW_PRIORITY → consumer, inside wrangler dev
    const fake = await startFakePlatforms({ port: await freePort() });
    const stopFake = () => fake.close();
    cleanup.unshift(stopFake);
    const port = await freePort();
    const batches = [];
    const baselines = [];
    const wrangler = spawnWranglerDev({
      port,
      persistTo: path.join(work, 'wrangler'),
      databaseUrl: pgServer.url,
      platforms: fake,
      vars: { SUPABASE_JWT_SECRET: 'bench-secret-bench-secret-bench-secret', RAPIDAPI_KEY: 'bench', YOUTUBE_API_KEY: 'bench' },
      args: ['--log-level', 'log'],
      spawnOptions: { stdio: ['ignore', 'pipe', 'pipe'] },
    });
    const stopWrangler = () => new Promise((r) => { if (wrangler.exitCode !== null) return r(); wrangler.once('exit', r); wrangler.kill('SIGINT'); setTimeout(r, 5000); });
    cleanup.unshift(stopWrangler);
    let ready;
    const readyPromise = new Promise((r) => (ready = r));
    const onLine = (line) => {
      if (process.env.BENCH_VERBOSE) console.log(line);
      if (line.includes('Ready on')) ready();
      const m = /\{"event":"stats_batch".*\}/.exec(line);
      if (m) batches.push(JSON.parse(m[0]));
      const g = /\{"event":"growth_baselines".*\}/.exec(line);
      if (g) baselines.push(JSON.parse(g[0]));
    };
    for (const stream of [wrangler.stdout, wrangler.stderr]) {
      let buf = '';
      stream.on('data', (d) => { buf += d; let i; while ((i = buf.indexOf('\n')) >= 0) { onLine(buf.slice(0, i)); buf = buf.slice(i + 1); } });
    }
    wrangler.once('exit', (code) => ready(new Error(`wrangler dev exited with ${code} before it was ready`)));
    const notReady = await readyPromise;
    if (notReady) throw notReady;
    const base = `http://127.0.0.1:${port}`;
    while (!(await fetch(`${base}/health`).then((r) => r.ok, () => false))) await new Promise((r) => setTimeout(r, 200));

    await db.query('create extension if not exists pg_stat_statements');
    await db.query('select pg_stat_statements_reset()');
    t = performance.now();
    const fired = await fetch(`${base}/cdn-cgi/handler/scheduled?cron=${encodeURIComponent('0 0 * * *')}`);
    if (!fired.ok) throw new Error(`could not fire the cron: ${fired.status} ${await fired.text()}`);
    // Progress from the consumer's own log lines; the table is counted once the log says all are in
    // (a count over millions of snapshots every second competed with the pipeline it measures).
    const refreshed = async () => Number((await db.query(`select count(distinct video_id) as n from video_statistics where fetch_key like 'nightly-%'`)).rows[0].n);
    let done = 0;
    while (done < VIDEOS) {
      await new Promise((r) => setTimeout(r, 1000));
      const logged = batches.reduce((a, b) => a + b.snapshots_inserted, 0);
      process.stdout.write(`\r[bench] pipeline: ${logged}/${VIDEOS} videos refreshed`);
      if (logged >= VIDEOS) done = await refreshed();
    }
    const pipelineSeconds = (performance.now() - t) / 1000;
    const pipeline = VIDEOS / pipelineSeconds;
    process.stdout.write('\n');
    const trips = batches.map((b) => b.db_round_trips);
    const perBatch = batches.map((b) => b.videos);
    const mean = (xs) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

    console.log('\n=== results ===');
    console.log(`catalogue                      ${VIDEOS} tracked videos, ${DAYS} days of snapshots`);
    console.log(`pipeline refresh               ${VIDEOS} videos in ${pipelineSeconds.toFixed(1)} s = ${Math.round(pipeline)} videos/s`);
    console.log(`raw bulk-insert ceiling        ${Math.round(ceiling)} rows/s`);
    console.log(`pipeline / ceiling             ${(pipeline / ceiling).toFixed(4)} (${(100 * pipeline / ceiling).toFixed(2)} %)`);
    console.log(`consumer batches               ${batches.length}, mean ${mean(perBatch).toFixed(0)} videos and ${mean(batches.map((b) => b.messages)).toFixed(1)} messages per batch`);
    console.log(`db round trips per batch       min ${Math.min(...trips)}, max ${Math.max(...trips)}, mean ${mean(trips).toFixed(2)}`);
    const fetchMs = batches.reduce((a, b) => a + b.fetch_ms, 0);
    const writeMs = batches.reduce((a, b) => a + b.write_ms, 0);
    const written = batches.reduce((a, b) => a + b.snapshots_inserted, 0);
    const writeRate = written / (writeMs / 1000);
    const freshnessMs = batches.reduce((a, b) => a + (b.freshness_ms ?? 0), 0);
    console.log(`consumer time split            freshness checks ${(freshnessMs / 1000).toFixed(1)} s, platform calls ${(fetchMs / 1000).toFixed(1)} s, database writes ${(writeMs / 1000).toFixed(1)} s (summed over batches)`);
    console.log(`consumer write path            ${written} snapshots in ${(writeMs / 1000).toFixed(2)} s = ${Math.round(writeRate)} rows/s from workerd = ${(writeRate / ceiling).toFixed(2)} × the ceiling`);
    const alertMs = batches.reduce((a, b) => a + (b.alert_ms ?? 0), 0);
    console.log(`alert evaluation after writes  ${(alertMs / 1000).toFixed(2)} s = ${(100 * alertMs / writeMs).toFixed(1)} % of the batch writes (mean ${(alertMs / Math.max(1, batches.length)).toFixed(1)} ms vs ${(writeMs / Math.max(1, batches.length)).toFixed(1)} ms per batch; ${batches.reduce((a, b) => a + (b.outbox_rows ?? 0), 0)} outbox rows)`);
    const alertPerBatch = batches.map((b) => (100 * (b.alert_ms ?? 0)) / Math.max(1, b.write_ms)).sort((a, b) => a - b);
    console.log(`alert / write per batch        median ${alertPerBatch[Math.floor(alertPerBatch.length / 2)]?.toFixed(1)} %, max ${alertPerBatch.at(-1)?.toFixed(1)} % (${alertPerBatch.length} batches)`);
    // the same statements as Postgres timed them (planning + execution), each recognised by its text
    const { rows: statements } = await db.query(`
      select k.kind, sum(s.calls)::int as calls, sum(s.total_plan_time + s.total_exec_time) as ms, sum(s.total_plan_time) as plan_ms
      from pg_stat_statements s
      join (values ('write', '%on conflict (video_id, fetch_key) do nothing%'), ('alert', '%rules as materialized%'),
                   ('freshness', '%select s.created_at from public.video_statistics s%')) k(kind, pattern) on s.query like k.pattern
      group by k.kind`);
    const byKind = Object.fromEntries(statements.map((r) => [r.kind, { calls: r.calls, ms: Number(r.ms), planMs: Number(r.plan_ms) }]));
    const per = (k, field = 'ms') => (byKind[k] ? byKind[k][field] / Math.max(1, byKind[k].calls) : NaN);
    console.log(`Postgres time per batch        write ${per('write').toFixed(1)} ms, alert statement ${per('alert').toFixed(1)} ms = ${(100 * per('alert') / per('write')).toFixed(1)} % of the write, freshness ${per('freshness').toFixed(1)} ms (pg_stat_statements: planning + execution; ${byKind.write?.calls ?? 0} writes, ${byKind.alert?.calls ?? 0} alert statements)`);
    console.log(`  of which planning            write ${per('write', 'planMs').toFixed(1)} ms, alert statement ${per('alert', 'planMs').toFixed(1)} ms, freshness ${per('freshness', 'planMs').toFixed(1)} ms (each batch's client is a new connection, so each plans anew)`);
    const baselineMs = baselines.reduce((a, b) => a + b.ms, 0);
    console.log(`growth baselines (NightlyRefresh) ${baselines.reduce((a, b) => a + b.creators, 0)} creators in ${baselines.length} page steps, ${(baselineMs / 1000).toFixed(2)} s = ${(100 * baselineMs / writeMs).toFixed(1)} % of the night's batch writes (once a night, before the fan-out)`);

    // ---- 3-4. campaign analytics: only Postgres is needed from here on, so wrangler dev and the fake
    // platforms stop first and do not compete for the CPU.
    if (PARTS.has('3') || PARTS.has('4')) {
      for (const stop of [stopWrangler, stopFake]) {
        cleanup.splice(cleanup.indexOf(stop), 1);
        await stop().catch((e) => console.error(e));
      }
      const analytics = await import('./bench-analytics.mjs');
      await analytics.run({ db, url: pgServer.url, log, batchVideos: mean(perBatch) });
    }
  }
} finally {
  for (const fn of cleanup) await fn().catch((e) => console.error(e));
}

// ---- 5. Excel: import of a 10,000-row workbook, export of 100,000 videos (its own Postgres and wrangler dev)
if (PARTS.has('5')) await (await import('./bench-excel.mjs')).run();

// ---- 6. Google Sheets: a 10,000-row sheet through SheetsResync (its own Postgres and wrangler dev)
if (PARTS.has('6')) await (await import('./bench-sheets.mjs')).main();
