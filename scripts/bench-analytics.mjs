// Parts 3 and 4 of `npm run bench` (called by scripts/bench.mjs after parts 1-2, on the same
// Postgres, which by then holds the benchmark catalogue and the pipeline's nightly snapshots):
//   3. campaign stats and timeseries latency (p50/p95) for one campaign of `--campaign-videos`
//      videos (10,000) over `--campaign-days` days (90) of snapshots, through the real query
//      functions of src/db/analytics.ts (the rollup) and their *FromRawSnapshots twins (the same
//      answer from raw snapshots), with the ratio, checking that both answers are identical;
//   4. the cost of keeping the increments current after a nightly write: one INSERT of snapshots
//      without the rollup trigger, with the shipped statement-level trigger, with a row-level
//      trigger, and without a trigger followed by a refresh of the legacy materialized views.
// Flags (besides bench.mjs's --videos/--days): --campaign-videos 10000 --campaign-days 90
// --runs 10 (timed stats reads per query and source; timed writes of one consumer batch per variant)
// --series-runs 5 (timed daily-timeseries reads per source: each takes seconds at 10k × 90)
// --night-runs 2 (timed writes of the whole night per variant; the legacy write + refresh runs once).
// Kept to what answers parts 3-4 (about 6 of the ~15 minutes of `npm run bench` on 2 cores).
// scripts/analytics-measure.mjs is the standalone, more detailed variant (weekly timeseries,
// EXPLAIN of the write, row-level trigger at larger batches, campaigns of 100 … 10,000 videos, the
// migration's backfill vs the trigger).
import { installLegacyMaterializedViews, installRowLevelRollup, benchSql, loadAnalytics, readCases, seedCampaign, tableSizes, timeReads, timeWrites, WRITE_VARIANTS } from './lib/analytics-bench.mjs';
import { fmtMs, median, parseArgs, percentile } from './lib/bench-util.mjs';

const DEFAULT_BATCH = 1333; // mean delivered batch of part 2 at the default catalogue

/**
 * @param {{ db: import('pg').Client, url: string, log: (m: string) => void, batchVideos?: number }} opts
 *   db: a connected client (no open transaction); url: the same database for postgres.js;
 *   batchVideos: the mean consumer batch part 2 measured (videos per delivered batch).
 */
export async function run({ db, url, log, batchVideos }) {
  const args = parseArgs();
  const campaignVideos = Number(args['campaign-videos'] ?? 10_000);
  const campaignDays = Number(args['campaign-days'] ?? 90);
  const runs = Number(args.runs ?? 10);
  const seriesRuns = Number(args['series-runs'] ?? 5);
  const nightRuns = Number(args['night-runs'] ?? 2);
  const batch = Math.max(1, Math.round(batchVideos || DEFAULT_BATCH));
  const row = (label, value) => console.log(`${label.padEnd(31)}${value}`);
  const ratio = (a, b) => `${(a / b).toFixed(a / b < 10 ? 2 : 0)} ×`;

  const analytics = await loadAnalytics();
  const campaign = await seedCampaign(db, { videos: campaignVideos, days: campaignDays, log });
  const sizes = await tableSizes(db);
  log(`tables: video_statistics ${sizes.snapshots} rows (${sizes.raw}), video_daily_stats ${sizes.rollup_rows} rows (${sizes.rollup})`);

  // ---- 3. read latency -----------------------------------------------------------------------------
  const { sql, counter } = benchSql(analytics, url);
  let reads;
  try {
    reads = await timeReads({ analytics, sql, counter, claims: campaign.claims, organizationId: campaign.organizationId, campaignId: campaign.campaignId, cases: readCases({ weekly: false }), runs: { stats: runs, series: seriesRuns }, log });
  } finally {
    await sql.end({ timeout: 1 }).catch(() => {});
  }

  // ---- 4. keeping increments current after a nightly write --------------------------------------------
  const [{ all }] = (await db.query('select count(*)::int as all from videos')).rows;
  const dropRowLevel = await installRowLevelRollup(db);
  const legacy = await installLegacyMaterializedViews(db);
  let perBatch, night, legacyNight, mvBytes;
  try {
    log(`write: one consumer batch of ${batch} snapshots × ${runs} runs per variant`);
    perBatch = await timeWrites(db, { limit: batch, variants: ['none', 'statement', 'row'], runs, again: true });
    log(`write: the whole night (${all} snapshots, one INSERT) × ${nightRuns} runs per variant`);
    night = await timeWrites(db, { limit: null, variants: ['none', 'statement'], runs: nightRuns });
    log('write: the whole night without a trigger, then REFRESH of the legacy materialized views (once)');
    legacyNight = await timeWrites(db, { limit: null, variants: ['none'], runs: 1, after: { none: async () => { await legacy.refresh(); mvBytes = Number(await legacy.size()); } } });
  } finally {
    await legacy.drop();
    await dropRowLevel();
  }

  // ---- report ------------------------------------------------------------------------------------
  console.log('\n=== campaign analytics: read latency (part 3) ===');
  row('campaign', `${campaignVideos.toLocaleString('en-US')} videos, ${campaignDays} days from ${campaign.startsOn}, ${campaign.snapshots.toLocaleString('en-US')} snapshots (one per video per night, ~1 % nights missed)`);
  row('tables', `video_statistics ${sizes.snapshots.toLocaleString('en-US')} rows (${sizes.raw}), video_daily_stats ${sizes.rollup_rows.toLocaleString('en-US')} rows (${sizes.rollup})`);
  row('how', `each call in its own asUser transaction (RLS on) with the Worker's client options; n timed calls per query and source after one warm-up, interleaved`);
  row('', `${'n'.padEnd(4)}${'rollup p50 / p95'.padEnd(24)}${'raw snapshots p50 / p95'.padEnd(26)}${'raw/rollup p50'.padEnd(16)}identical`);
  for (const r of reads) {
    row(r.label, `${String(r.runs).padEnd(4)}${`${fmtMs(r.rollup.p50)} / ${fmtMs(r.rollup.p95)}`.padEnd(24)}${`${fmtMs(r.raw.p50)} / ${fmtMs(r.raw.p95)}`.padEnd(26)}${ratio(r.raw.p50, r.rollup.p50).padEnd(16)}${r.identical ? 'yes' : 'NO'}   ${r.answer}`);
  }
  row('statements per call', `${reads.map((r) => `${r.label.split(',')[0]} ${r.statements.rollup}`).filter((x, i, all) => all.indexOf(x) === i).join(', ')} (incl. begin, claims, commit); the same for raw snapshots`);
  const identical = reads.every((r) => r.identical);
  row('rollup == raw snapshots', identical ? 'yes: every answer identical (JSON) in every run' : 'NO: the rollup and raw answers differ (see above)');

  console.log('\n=== keeping increments current after a nightly write (part 4) ===');
  const w = (label, value) => console.log(`  ${label.padEnd(36)}${value}`);
  const line = (label, rows, runsOf, variant, key = 'first') => {
    const ms = median(runsOf[variant][key]);
    const base = median(runsOf.none[key]);
    w(label, `${fmtMs(ms).padStart(9)}  p95 ${fmtMs(percentile(runsOf[variant][key], 95)).padStart(9)}  ${Math.round(rows / (ms / 1000)).toLocaleString('en-US').padStart(7)} rows/s` +
      (variant === 'none' ? '' : `   +${fmtMs(ms - base)} = ${ratio(ms, base)} the bare insert`));
  };
  console.log(`one consumer batch: ${batch} snapshots in one INSERT, the first of a new day (new rollup rows), n = ${runs}`);
  for (const v of ['none', 'statement', 'row']) line(WRITE_VARIANTS[v].label, batch, perBatch, v);
  console.log(`the same ${batch} videos again later that day (rollup rows updated), n = ${runs}`);
  for (const v of ['none', 'statement', 'row']) line(WRITE_VARIANTS[v].label, batch, perBatch, v, 'again');
  console.log(`the whole night: every video (${all.toLocaleString('en-US')} snapshots) in one INSERT, n = ${nightRuns}`);
  for (const v of ['none', 'statement']) line(WRITE_VARIANTS[v].label, all, night, v);
  const nightNone = median(night.none.first);
  const nightStmt = median(night.statement.first);
  const refresh = legacyNight.none.after[0];
  const legacyTotal = legacyNight.none.first[0] + refresh;
  const batchOverhead = median(perBatch.statement.first) - median(perBatch.none.first);
  const nightOverhead = nightStmt - nightNone;
  console.log(`legacy: the same night without a trigger, then REFRESH of daily + weekly materialized views over all ${(sizes.snapshots + all).toLocaleString('en-US')} snapshots (MVs ${(mvBytes / 2 ** 20).toFixed(0)} MiB), n = 1`);
  w('insert + refresh', `${fmtMs(legacyTotal)} = ${fmtMs(legacyNight.none.first[0])} + ${fmtMs(refresh)} refresh = ${ratio(legacyTotal, nightStmt)} the shipped trigger's night`);
  console.log('cost of keeping the increments current');
  w('rollup trigger, per consumer batch', `+${fmtMs(batchOverhead)} (${ratio(median(perBatch.statement.first), median(perBatch.none.first))} the bare insert)`);
  w('rollup trigger, the whole night', `+${fmtMs(nightOverhead)} (${ratio(nightStmt, nightNone)} the bare insert)`);
  w('legacy MV refresh, once a night', `${fmtMs(refresh)} = ${ratio(refresh, nightOverhead)} the trigger's cost for the night`);
  w('legacy MV refresh, after each batch', `${fmtMs(refresh)} per batch = ${ratio(refresh, batchOverhead)} the trigger's cost per batch (× ${Math.ceil(all / batch)} batches a night)`);

  return { campaign: { videos: campaignVideos, days: campaignDays, snapshots: campaign.snapshots }, sizes, reads, identical, writes: { batch, perBatch, all, night, legacyNight } };
}
