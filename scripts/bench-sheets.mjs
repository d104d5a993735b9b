// Google Sheets resync benchmark: a 10,000-row worksheet through the real SheetsResyncSource
// workflow inside `wrangler dev`, against the fake Google and a local Postgres.
//
//   node scripts/bench-sheets.mjs [--rows 10000]        this part alone
//   BENCH_PART=sheets npm run bench [-- --rows 10000]    the same through npm run bench
//   npm run bench                                        runs it after the other parts
//
// Measures, per run: wall time (POST /resync → run completed), Google API calls (from the fake's
// call log: goal ≤ 3), database statements (the workflow counts its own: goal constant, ≤ 10) and
// the fraction of the run spent in each step. Runs: (1) steady state — every link already tracked,
// stats written back (the 4-hourly case); (2) the same sheet re-sorted; (3) a first import of
// 10,000 new links (inserts + tracking + the stats fan-out).
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { SignJWT } from 'jose';
import { applyMigrations, startLocalPostgres } from './lib/local-postgres.mjs';
import { spawnWranglerDev } from './lib/wrangler-dev.mjs';
import { freePort, machine, parseArgs } from './lib/bench-util.mjs';
import { startFakePlatforms } from '../test/fakes/platform-server.mjs';
import { startFakeGoogle } from '../test/fakes/google.mjs';

const root = path.resolve(import.meta.dirname, '..');
const log = (m) => console.log(`[bench:sheets] ${m}`);
const JWT_SECRET = 'bench-secret-bench-secret-bench-secret';
const OPS_TOKEN = 'bench-ops-token';
const ORG = '00000000-0000-4000-8000-00000000b001';
const USER = '00000000-0000-4000-8000-00000000b002';

export async function main({ rows: ROWS = Number(parseArgs().rows ?? 10_000) } = {}) {
  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'influtics-bench-sheets-'));
  await fs.chmod(work, 0o755);
  const cleanup = [];
  try {
    const pgServer = await startLocalPostgres({ dataDir: path.join(work, 'pg', 'data'), port: await freePort(), database: 'bench_sheets', fresh: true });
    cleanup.unshift(() => pgServer.stop());
    await applyMigrations(pgServer.url, path.join(root, 'supabase/migrations'));
    const db = new pg.Client({ connectionString: pgServer.url });
    await db.connect();
    cleanup.unshift(() => db.end());
    log(`machine: ${machine()}`);

    // an organization whose 2 × ROWS videos are already tracked, each with a snapshot from 2 days ago and one from now
    await db.query(`insert into auth.users (id, email) values ($1, 'bench@influtics.local')`, [USER]);
    await db.query(`insert into public.organizations (id, name, slug, plan) values ($1, 'Bench', 'bench', 'pro')`, [ORG]);
    await db.query(`insert into public.organization_members (organization_id, user_id, role) values ($1, $2, 'owner')`, [ORG, USER]);
    await db.query(`insert into public.organization_custom_limits (organization_id, max_tracked_videos, max_sheets_sources) values ($1, 1000000, 100)`, [ORG]);
    const link = (i) => `https://www.tiktok.com/@bench_creator/video/${7_300_000_000_000_000_000n + BigInt(i)}`;
    await db.query(
      `insert into public.videos (organization_id, platform, external_video_id, video_url, video_status, tracking_started_at, title)
       select $1, 'TikTok', (7300000000000000000 + g)::text, 'https://www.tiktok.com/@bench_creator/video/' || (7300000000000000000 + g), 'tracking', now() - interval '3 days', 'clip ' || g
       from generate_series(0, $2 - 1) g`,
      [ORG, ROWS],
    );
    await db.query(
      `insert into public.video_statistics (organization_id, video_id, external_video_id, views, likes, comments, reposts, saves, fetch_key, created_at)
       select v.organization_id, v.id, v.external_video_id, 1000 + k * 500, 50 + k, 5, 2, 1, 'bench-' || k, now() - (2 - k) * interval '1 day'
       from public.videos v cross join (values (0), (2)) as s(k) where v.organization_id = $1`,
      [ORG],
    );
    log(`seeded ${ROWS} tracked videos with 2 snapshots each`);

    const google = await startFakeGoogle({ port: await freePort() });
    cleanup.unshift(() => google.close());
    const platforms = await startFakePlatforms({ port: await freePort() });
    cleanup.unshift(() => platforms.close());
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const wrangler = spawnWranglerDev({
      port,
      persistTo: path.join(work, 'wrangler'),
      databaseUrl: pgServer.url,
      platforms,
      vars: {
        ...google.vars,
        GOOGLE_REDIRECT_URI: `${base}/integrations/google/callback`,
        GOOGLE_TOKEN_KEYS: 'bench:AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=',
        SUPABASE_JWT_SECRET: JWT_SECRET,
        OPS_TOKEN,
        RAPIDAPI_KEY: 'bench',
        YOUTUBE_API_KEY: 'bench',
      },
      spawnOptions: { stdio: ['ignore', 'pipe', 'pipe'] },
    });
    cleanup.unshift(() => new Promise((r) => { if (wrangler.exitCode !== null) return r(); wrangler.once('exit', r); wrangler.kill('SIGINT'); setTimeout(r, 5000); }));
    const ready = new Promise((resolve, reject) => {
      for (const s of [wrangler.stdout, wrangler.stderr]) s.on('data', (d) => { if (process.env.BENCH_VERBOSE) process.stdout.write(d); if (String(d).includes('Ready on')) resolve(); });
      wrangler.once('exit', (code) => reject(new Error(`wrangler dev exited with ${code}`)));
    });
    await ready;
    while (!(await fetch(`${base}/health`).then((r) => r.ok, () => false))) await new Promise((r) => setTimeout(r, 200));

    const token = await new SignJWT({ email: 'bench@influtics.local', role: 'authenticated' })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setSubject(USER).setAudience('authenticated').setIssuedAt().setExpirationTime('2h')
      .sign(new TextEncoder().encode(JWT_SECRET));
    const api = async (method, p, body) => {
      const res = await fetch(`${base}${p}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body ? JSON.stringify(body) : undefined });
      const json = await res.json();
      if (!res.ok) throw new Error(`${method} ${p} → ${res.status} ${JSON.stringify(json)}`);
      return json;
    };

    // connect the fake Google account the way a browser does
    const { url } = await api('GET', '/integrations/google/authorize');
    const consent = await fetch(url, { redirect: 'manual' });
    const callback = await fetch(consent.headers.get('location'));
    const integrationId = (await callback.json()).integration.id;

    const header = ['Video URL', 'Campaign', 'Notes'];
    const sheetRows = Array.from({ length: ROWS }, (_, i) => [link(i), 'Bench campaign', `row ${i + 2}`]);
    const spreadsheetId = 'bench_sheet_0123456789';
    await fetch(`${google.url}/__control/spreadsheets`, { method: 'POST', body: JSON.stringify({ spreadsheetId, title: 'Bench', sheets: [{ title: 'Links', sheetId: 0, rows: [header, ...sheetRows] }] }) });
    const { source } = await api('POST', '/sheets/sources', { integration_id: integrationId, spreadsheet_id: spreadsheetId, sheet_id: 0, mapping: { url: 'Video URL' } });

    const runOnce = async (label, sourceId, sheet) => {
      const callsBefore = (await (await fetch(`${google.url}/__control/calls`)).json()).length;
      const t = performance.now();
      const { run } = await api('POST', `/sheets/sources/${sourceId}/resync`);
      let row;
      for (;;) {
        await new Promise((r) => setTimeout(r, 100));
        row = (await db.query(`select status, error from public.import_jobs where id = $1`, [run.id])).rows[0];
        if (row.status === 'completed' || row.status === 'failed') break;
      }
      const wallMs = performance.now() - t;
      if (row.status !== 'completed') throw new Error(`${label}: run failed: ${row.error}`);
      // the run registry records the output one step after the job row completes
      let output;
      while (!output) {
        const detail = await (await fetch(`${base}/ops/api/runs/${run.workflow_instance_id}`, { headers: { authorization: `Bearer ${OPS_TOKEN}` } })).json();
        output = detail.output ?? detail.run?.output;
        if (!output) await new Promise((r) => setTimeout(r, 100));
      }
      const calls = (await (await fetch(`${google.url}/__control/calls`)).json()).slice(callsBefore);
      const writes = (await (await fetch(`${google.url}/__control/writes`)).json()).filter((w) => w.spreadsheetId === sheet);
      const stepTotal = Object.values(output.step_ms).reduce((a, b) => a + b, 0);
      const order = ['open run', 'google access token', 'read worksheet', 'parse rows', 'upsert videos', 'write stats', 'record run'];
      const split = Object.entries(output.step_ms).sort(([a], [b]) => order.indexOf(a) - order.indexOf(b)).map(([k, v]) => `${k} ${((100 * v) / stepTotal).toFixed(0)}%`).join(', ');
      console.log(`\n${label}`);
      console.log(`  wall time (POST → completed)   ${(wallMs / 1000).toFixed(2)} s`);
      console.log(`  rows                           read ${output.rows_read}, added ${output.added}, already tracked ${output.already_tracked}, cells written ${output.cells_written}`);
      console.log(`  Google API calls               ${calls.length} (${calls.map((c) => (c.api === 'oauth' ? 'token' : c.path.split(':').pop().split('/').pop())).join(', ')}); last batchUpdate ${(writes.at(-1)?.bytes / 1e6).toFixed(2)} MB`);
      console.log(`  database statements            ${output.db_statements} in the source pipeline's steps (+2 for the run registry)`);
      console.log(`  time per step                  ${split} (of ${(stepTotal / 1000).toFixed(2)} s in steps)`);
      return { wallMs, output, calls: calls.length };
    };

    const steady = await runOnce(`steady state: ${ROWS} rows, every video already tracked`, source.id, spreadsheetId);
    // the user sorts the sheet (reversed): every number must follow its link
    const current = await (await fetch(`${google.url}/__control/spreadsheets/${spreadsheetId}`)).json();
    const [head, ...body] = current.sheets[0].rows;
    await fetch(`${google.url}/__control/spreadsheets`, { method: 'POST', body: JSON.stringify({ spreadsheetId, title: 'Bench', sheets: [{ title: 'Links', sheetId: 0, rows: [head, ...body.reverse().map((r) => r.slice(0, 3))] }] }) });
    const sorted = await runOnce(`re-sorted sheet: ${ROWS} rows reversed`, source.id, spreadsheetId);
    const after = (await (await fetch(`${google.url}/__control/spreadsheets/${spreadsheetId}`)).json()).sheets[0].rows;
    const views = new Map((await db.query(`select video_url, views from public.videos_with_statistics_fast where organization_id = $1`, [ORG])).rows.map((r) => [r.video_url, Number(r.views)]));
    const wrong = after.slice(1).filter((r) => views.get(r[0]) !== r[3]).length;
    console.log(`  rows whose Views is not their own video's   ${wrong}`);

    const firstId = 'bench_sheet_first_import';
    await fetch(`${google.url}/__control/spreadsheets`, { method: 'POST', body: JSON.stringify({ spreadsheetId: firstId, title: 'Bench new', sheets: [{ title: 'Links', sheetId: 0, rows: [header, ...Array.from({ length: ROWS }, (_, i) => [link(ROWS + i), '', ''])] }] }) });
    const created = await api('POST', '/sheets/sources', { integration_id: integrationId, spreadsheet_id: firstId, sheet_id: 0, mapping: { url: 'Video URL' } });
    const first = await runOnce(`first import: ${ROWS} new links (insert, start tracking, queue first fetches)`, created.source.id, firstId);
    return { rows: ROWS, steady, sorted, first, wrong };
  } finally {
    for (const fn of cleanup) await fn().catch((e) => console.error(e));
    await fs.rm(work, { recursive: true, force: true }).catch(() => {});
  }
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  await main();
  process.exit(0);
}
