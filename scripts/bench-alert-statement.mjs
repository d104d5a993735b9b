// The alert statement alone (BENCHMARKS.md "Alert evaluation"): `node scripts/bench-alert-statement.mjs
// [--videos 100000] [--batch 1250] [--explain yes]`. Starts its own Postgres (all migrations), seeds the
// benchmark catalogue and the bench's three alert rules per organization, prepares today's growth
// baselines as NightlyRefresh does, then writes one consumer batch with the real writer
// (src/db/statistics.ts) and times the real alert statement (src/db/alerts.ts) on the same warm
// connection, twice; --explain prints its EXPLAIN (ANALYZE, BUFFERS). No workerd, no queue: the
// pipeline's own figure is part 2 of `npm run bench`.
import path from 'node:path';
import fs from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import postgres from 'postgres';
import { build } from 'esbuild';
import { applyMigrations, scratchDir, startLocalPostgres } from './lib/local-postgres.mjs';
import { seedCatalogue } from './lib/seed-catalogue.mjs';
import { fakeStatsAt } from '../test/fakes/platform-server.mjs';
import { freePort, machine, parseArgs } from './lib/bench-util.mjs';

const args = parseArgs();
const VIDEOS = Number(args.videos ?? 100_000);
const BATCH = Number(args.batch ?? 1250);
const root = path.resolve(import.meta.dirname, '..');
const log = (m) => console.log(`[bench:alerts] ${m}`);

// the Worker's modules, bundled for node (as scripts/lib/analytics-bench.mjs does)
const outfile = path.join(root, 'node_modules', '.cache', `bench-alerts-${process.pid}.mjs`);
await build({
  stdin: { contents: `export * from './src/db/alerts.ts'; export * from './src/db/statistics.ts'; export { createSql } from './src/db/client.ts';`, resolveDir: root, loader: 'ts', sourcefile: 'bench-alerts-entry.ts' },
  bundle: true, format: 'esm', platform: 'node', outfile, external: ['postgres'], logLevel: 'warning',
});
const m = await import(pathToFileURL(outfile).href);
await fs.rm(outfile, { force: true });

const work = scratchDir('influtics-bench-alerts-');
const server = await startLocalPostgres({ dataDir: path.join(work, 'pg', 'data'), port: await freePort(), database: 'bench', fresh: true });
const db = new pg.Client({ connectionString: server.url });
let captured;
const sql = m.createSql({ DB: { connectionString: server.url } });
const capture = postgres(server.url, { fetch_types: false, prepare: false, debug: (_c, query, params) => (captured = { query, params }), transform: { undefined: null } });
const ms = async (fn) => { const t = performance.now(); const result = await fn(); return { result, ms: performance.now() - t }; };
try {
  await applyMigrations(server.url, path.join(root, 'supabase/migrations'));
  await db.connect();
  log(`machine: ${machine()}`);
  const seeded = await ms(() => seedCatalogue(db, { videos: VIDEOS, days: 30 }));
  log(`seeded ${seeded.result.videos} videos, ${seeded.result.snapshots} snapshots in ${(seeded.ms / 1000).toFixed(0)} s`);
  await db.query(`insert into alert_rules (organization_id, type, params)
    select o.id, t.type, t.params::jsonb from organizations o,
      (values ('views_threshold', '{"views": 1000000}'), ('viral', '{"k": 3, "cooldown_hours": 24, "min_views_24h": 1000}'), ('video_unavailable', '{}')) t(type, params)`);

  const ids = (await db.query('select id from videos order by id')).rows.map((r) => r.id);
  const prepared = await ms(async () => {
    let n = 0;
    for (let i = 0; i < ids.length; i += 1000) n += await m.prepareGrowthBaselines(sql, ids.slice(i, i + 1000));
    return n;
  });
  log(`growth baselines: ${prepared.result} creators in ${(prepared.ms / 1000).toFixed(2)} s (${((1000 * prepared.ms) / Math.max(1, prepared.result)).toFixed(0)} µs each)`);

  // one batch as the consumer writes it: the fake platforms' current answer for random videos
  const videos = (await db.query('select organization_id, platform, external_video_id from videos order by random() limit $1', [BATCH])).rows;
  const found = videos.map((v) => ({ organizationId: v.organization_id, platform: v.platform, externalVideoId: v.external_video_id, fetchKey: 'bench-alerts', ...fakeStatsAt(v.external_video_id, Date.now()) }));
  const write = await ms(() => m.writeStatsBatch(sql, found, []));
  const first = await ms(() => m.evaluateAlertsForBatch(sql, write.result.videos));
  const again = await ms(() => m.evaluateAlertsForBatch(sql, write.result.videos));
  console.log('\n=== the alert statement alone ===');
  console.log(`catalogue                      ${VIDEOS.toLocaleString('en-US')} videos × 30 days; one batch of ${BATCH} videos`);
  console.log(`batch write                    ${write.ms.toFixed(1)} ms`);
  console.log(`alert statement                ${first.ms.toFixed(1)} ms (first on the connection), ${again.ms.toFixed(1)} ms (again) = ${((100 * first.ms) / write.ms).toFixed(1)} %, ${((100 * again.ms) / write.ms).toFixed(1)} % of the write; ${first.result.length} outbox rows`);
  if (args.explain === 'yes') {
    await m.evaluateAlertsForBatch(capture, write.result.videos);
    const literal = captured.query.replace(/\$(\d+)/g, (_, n) => `'${String(captured.params[n - 1]).replace(/'/g, "''")}'`);
    const plan = await db.query(`explain (analyze, buffers, costs off) ${literal}`);
    console.log(plan.rows.map((r) => r['QUERY PLAN']).join('\n'));
  }
} finally {
  await sql.end({ timeout: 1 }).catch(() => {});
  await capture.end({ timeout: 1 }).catch(() => {});
  await db.end().catch(() => {});
  await server.stop();
  await fs.rm(work, { recursive: true, force: true });
}
