// The Excel part of `npm run bench` (alone: `BENCH_PART=excel npm run bench`, or
// `node scripts/bench-excel.mjs --import-rows 10000 --export-videos 100000`):
//   1. import of a 10,000-row workbook through POST /imports/excel → ExcelImport (wall time,
//      rows/s, SQL statements per chunk step as the step counts them, workerd memory);
//   2. export of 100,000 videos, GET /campaigns/:id/export.xlsx and GET /exports/videos.xlsx (wall
//      time, file size, workerd peak memory above its idle level).
// It runs its own Postgres and `wrangler dev` (R2, Workflows and Hyperdrive simulated locally).
// Memory is the resident set of the workerd process, sampled every 20 ms: an upper bound of what
// the isolate holds (it includes the runtime's own buffers).
import fs from 'node:fs/promises';
import { readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import ExcelJS from 'exceljs';
import { Unzip, UnzipInflate } from 'fflate';
import { SignJWT } from 'jose';
import { applyMigrations, startLocalPostgres } from './lib/local-postgres.mjs';
import { freePort, machine, parseArgs } from './lib/bench-util.mjs';
import { spawnWranglerDev } from './lib/wrangler-dev.mjs';

const root = path.resolve(import.meta.dirname, '..');
const log = (m) => console.log(`[bench:excel] ${m}`);
const SECRET = 'bench-secret-bench-secret-bench-secret';

/** Every descendant pid of `pid` (from /proc), to find the workerd that wrangler dev started. */
function descendants(pid) {
  const children = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(entry));
    } catch { /* exited */ }
  }
  const out = [];
  const walk = (p) => { for (const c of children.get(p) ?? []) { out.push(c); walk(c); } };
  walk(pid);
  return out;
}
const rssKb = (pid) => { try { return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0); } catch { return 0; } };
const command = (pid) => { try { return readFileSync(`/proc/${pid}/cmdline`, 'utf8'); } catch { return ''; } };

/** Samples the workerd RSS while `fn` runs: idle level before, peak during. */
async function withMemory(workerdPid, fn) {
  const idle = rssKb(workerdPid);
  let peak = idle;
  const timer = setInterval(() => { peak = Math.max(peak, rssKb(workerdPid)); }, 20);
  const t = performance.now();
  try {
    const result = await fn();
    return { result, ms: performance.now() - t, idleMb: idle / 1024, peakMb: peak / 1024, deltaMb: (peak - idle) / 1024 };
  } finally {
    clearInterval(timer);
  }
}

async function buildImportFile(rows) {
  const wb = new ExcelJS.Workbook();
  const sheet = wb.addWorksheet('Videos');
  sheet.addRow(['Video URL', 'Platform', 'Campaign', 'Tags', 'Budget', 'Notes']);
  for (let i = 0; i < rows; i++) {
    sheet.addRow([`https://www.tiktok.com/@creator${i % 500}/video/${7_310_000_000_000_000_000n + BigInt(i)}`, 'TikTok', null, `ugc, batch${i % 20}`, 100 + (i % 400), `row ${i}`]);
  }
  return new Uint8Array(await wb.xlsx.writeBuffer());
}

/** Streams a response body through an unzip, counting bytes and the videos sheet's rows. */
async function readExport(res) {
  let bytes = 0;
  const rowsBySheet = {};
  const unzip = new Unzip((file) => {
    let count = 0;
    let carry = '';
    const dec = new TextDecoder();
    file.ondata = (err, chunk) => {
      if (err) throw err;
      const text = carry + dec.decode(chunk, { stream: true });
      count += (text.match(/<row[\s>/]/g) ?? []).length;
      carry = text.slice(-4);
      rowsBySheet[file.name] = count;
    };
    file.start();
  });
  unzip.register(UnzipInflate);
  for await (const chunk of res.body) {
    bytes += chunk.length;
    unzip.push(chunk);
  }
  unzip.push(new Uint8Array(0), true);
  return { bytes, rowsBySheet };
}

export async function run({ importRows = 10_000, exportVideos = 100_000 } = {}) {
  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'influtics-bench-excel-'));
  await fs.chmod(work, 0o755);
  const cleanup = [];
  try {
    const pgServer = await startLocalPostgres({ dataDir: path.join(work, 'pg', 'data'), port: await freePort(), database: 'bench', fresh: true });
    cleanup.unshift(() => pgServer.stop());
    await applyMigrations(pgServer.url, path.join(root, 'supabase/migrations'));
    const db = new pg.Client({ connectionString: pgServer.url });
    await db.connect();
    cleanup.unshift(() => db.end());
    log(`machine: ${machine()}`);

    const userId = crypto.randomUUID();
    await db.query(`insert into auth.users (id, email) values ($1, 'bench@excel.local')`, [userId]);
    const orgs = [];
    for (const slug of ['bench-import', 'bench-export']) {
      const { rows } = await db.query(`insert into organizations (name, slug, plan) values ($1, $1, 'pro') returning id`, [slug]);
      await db.query(`insert into organization_members (organization_id, user_id, role) values ($1, $2, 'owner')`, [rows[0].id, userId]);
      orgs.push(rows[0].id);
    }
    const token = await new SignJWT({ email: 'bench@excel.local', role: 'authenticated' })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setSubject(userId).setAudience('authenticated').setIssuedAt().setExpirationTime('2h')
      .sign(new TextEncoder().encode(SECRET));

    const port = await freePort();
    const chunks = [];
    const nowhere = 'http://127.0.0.1:9';
    const wrangler = spawnWranglerDev({
      port, persistTo: path.join(work, 'wrangler'), databaseUrl: pgServer.url,
      platforms: { tiktokBaseUrl: nowhere, instagramBaseUrl: nowhere, youtubeBaseUrl: nowhere },
      vars: { SUPABASE_JWT_SECRET: SECRET, RAPIDAPI_KEY: 'bench', YOUTUBE_API_KEY: 'bench' },
      args: ['--log-level', 'log'],
      spawnOptions: { stdio: ['ignore', 'pipe', 'pipe'] },
    });
    cleanup.unshift(() => new Promise((r) => { if (wrangler.exitCode !== null) return r(); wrangler.once('exit', r); wrangler.kill('SIGINT'); setTimeout(r, 5000); }));
    for (const stream of [wrangler.stdout, wrangler.stderr]) {
      let buf = '';
      stream.on('data', (d) => {
        buf += d;
        let i;
        while ((i = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 1);
          if (process.env.BENCH_VERBOSE) console.log(line);
          const m = /\{"event":"excel_import_chunk".*\}/.exec(line);
          if (m) chunks.push(JSON.parse(m[0]));
        }
      });
    }
    const base = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 120_000;
    while (!(await fetch(`${base}/health`).then((r) => r.ok, () => false))) {
      if (wrangler.exitCode !== null || Date.now() > deadline) throw new Error('wrangler dev did not start');
      await new Promise((r) => setTimeout(r, 300));
    }
    const workerds = descendants(wrangler.pid).filter((p) => command(p).includes('workerd'));
    // the Worker runs in the largest workerd (wrangler may start a small one for its own proxy)
    const workerd = workerds.sort((a, b) => rssKb(b) - rssKb(a))[0];
    if (!workerd) throw new Error('workerd process not found under wrangler dev');
    log(`workerd processes: ${workerds.map((p) => `${p} (${(rssKb(p) / 1024).toFixed(0)} MB)`).join(', ')}; measuring ${workerd}`);
    const auth = (org) => ({ authorization: `Bearer ${token}`, 'x-organization-id': org });

    // ---- 1. import
    let t = performance.now();
    const file = await buildImportFile(importRows);
    log(`built a ${importRows}-row workbook (${(file.length / 1024).toFixed(0)} KB) in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    const imported = await withMemory(workerd, async () => {
      const res = await fetch(`${base}/imports/excel?file_name=bench.xlsx`, { method: 'POST', headers: { ...auth(orgs[0]), 'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' }, body: file });
      if (res.status !== 202) throw new Error(`upload: ${res.status} ${await res.text()}`);
      const { job_id } = await res.json();
      for (;;) {
        await new Promise((r) => setTimeout(r, 200));
        const job = (await (await fetch(`${base}/imports/${job_id}`, { headers: auth(orgs[0]) })).json()).job;
        if (job.status === 'completed' || job.status === 'failed') return job;
      }
    });
    const job = imported.result;
    if (job.status !== 'completed') throw new Error(`import ended ${job.status}: ${JSON.stringify(job.failure)}`);
    const statements = chunks.map((c) => c.statements);
    const chunkMs = chunks.map((c) => c.ms);
    const importResult = {
      rows: job.progress.total, added: job.progress.added, seconds: imported.ms / 1000, rowsPerSecond: job.progress.total / (imported.ms / 1000),
      chunks: chunks.length, statementsMin: Math.min(...statements), statementsMax: Math.max(...statements),
      chunkMsMean: chunkMs.reduce((a, b) => a + b, 0) / Math.max(1, chunkMs.length), memory: imported,
    };

    // ---- 2. export
    t = performance.now();
    const { rows: [campaign] } = await db.query(`insert into campaigns (organization_id, name, budget, currency) values ($1, 'Bench campaign', 50000, 'USD') returning id`, [orgs[1]]);
    await db.query(`insert into blogger_information (organization_id, platform, username, external_id)
                    select $1, 'TikTok', 'creator' || g, 'ext' || g from generate_series(1, 1000) g`, [orgs[1]]);
    await db.query(`
      insert into videos (organization_id, platform, external_video_id, video_url, video_status, campaign_id, blogger_id, budget, title, notes,
                          author_username, published_at, tracking_started_at)
      select $1, 'TikTok', (7320000000000000000 + g)::text, 'https://www.tiktok.com/@creator' || (g % 1000) || '/video/' || (7320000000000000000 + g),
             'tracking', $2, b.id, case when g % 3 = 0 then null else 10 + g % 90 end,
             case when g % 50 = 0 then '=HYPERLINK("x")' else 'Video title number ' || g end, case when g % 7 = 0 then 'note ' || g end,
             'creator' || (g % 1000), now() - interval '40 days', now() - interval '30 days'
      from generate_series(1, $3::int) g
      join (select id, row_number() over (order by id) - 1 as k from blogger_information where organization_id = $1) b on b.k = g % 1000`,
    [orgs[1], campaign.id, exportVideos]);
    await db.query(`
      insert into video_statistics (organization_id, video_id, external_video_id, views, likes, comments, reposts, saves, fetch_key, created_at)
      select v.organization_id, v.id, v.external_video_id, s.views, s.views / 20, s.views / 200, s.views / 500, s.views / 300, 'bench-' || s.k, s.at
      from videos v cross join lateral (values (1, (1000 + (hashtext(v.id::text) & 65535))::bigint, now() - interval '10 days'),
                                               (2, (5000 + (hashtext(v.id::text) & 262143))::bigint, now() - interval '1 day')) s(k, views, at)
      where v.organization_id = $1`, [orgs[1]]);
    await db.query('analyze'); // as autovacuum would after a bulk load: without statistics the planner loops over seq scans
    log(`seeded ${exportVideos} videos with 2 snapshots each in ${((performance.now() - t) / 1000).toFixed(1)} s`);

    const exports = {};
    for (const [name, url] of [
      ['campaign', `${base}/campaigns/${campaign.id}/export.xlsx`],
      ['videos', `${base}/exports/videos.xlsx?status=tracking`],
    ]) {
      const measured = await withMemory(workerd, async () => {
        const res = await fetch(url, { headers: auth(orgs[1]) });
        if (res.status !== 200) throw new Error(`${name} export: ${res.status} ${await res.text()}`);
        return readExport(res);
      });
      const videoRows = Object.entries(measured.result.rowsBySheet).map(([, n]) => n).sort((a, b) => b - a)[0];
      if (videoRows !== exportVideos + 1) throw new Error(`${name} export has ${videoRows} rows in its largest sheet, expected ${exportVideos + 1}`);
      exports[name] = { seconds: measured.ms / 1000, mb: measured.result.bytes / 2 ** 20, rows: videoRows - 1, memory: measured };
    }

    console.log('\n=== excel results ===');
    console.log(`import                         ${importResult.rows} rows (${(file.length / 1024).toFixed(0)} KB xlsx), ${importResult.added} added, in ${importResult.seconds.toFixed(1)} s = ${Math.round(importResult.rowsPerSecond)} rows/s (upload → completed)`);
    console.log(`import chunks                  ${importResult.chunks} steps of ≤ 500 rows, ${importResult.statementsMin}–${importResult.statementsMax} SQL statements each, mean ${Math.round(importResult.chunkMsMean)} ms`);
    console.log(`import workerd memory          idle ${imported.idleMb.toFixed(0)} MB, peak ${imported.peakMb.toFixed(0)} MB (+${imported.deltaMb.toFixed(0)} MB)`);
    for (const [name, e] of Object.entries(exports)) {
      console.log(`export ${name.padEnd(24)}${e.rows} videos in ${e.seconds.toFixed(1)} s, ${e.mb.toFixed(1)} MB file, workerd idle ${e.memory.idleMb.toFixed(0)} MB, peak ${e.memory.peakMb.toFixed(0)} MB (+${e.memory.deltaMb.toFixed(0)} MB)`);
    }
    return { import: importResult, exports };
  } finally {
    for (const fn of cleanup) await fn().catch((e) => console.error(e));
    await fs.rm(work, { recursive: true, force: true }).catch(() => {});
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = parseArgs();
  await run({ importRows: Number(args['import-rows'] ?? 10_000), exportVideos: Number(args['export-videos'] ?? 100_000) });
}
