// README "Try it locally: walkthroughs", automated: `npm run dev` (a copy of this checkout, every port
// free, so it runs beside a developer's own stack) and a newcomer's steps over HTTP, as the README
// writes them — issue 10 (Sheets: connect the fake Google, map the demo sheet, fire the 4-hourly cron,
// stats beside each link, the run's steps on /ops) and issue 12 (an invitation reaches the fake Loops
// once; a video crossing a threshold in the nightly refresh gives exactly one Telegram message;
// nothing dead-lettered) and issue 13 (a weekly report at its due time: one email per recipient
// with a working xlsx link, the run on /ops). Node-side (node:test): it starts real processes.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { copyCheckout, freePort } from './checkout.mjs';

const repo = path.resolve(import.meta.dirname, '../..');
const DEMO_SHEET = '1DemoInflutics-Sheet_0123456789abcdefghijklmn';



async function until(what, check, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check().catch(() => undefined);
    if (v) return v;
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

describe('README walkthroughs on npm run dev', { timeout: 240_000 }, () => {
  let dir;
  let dev;
  let out = '';
  let dataDir;
  const ports = {};
  let api;
  let token;

  /** JSON from one of the stack's servers (`api` = the Worker with the demo user's token). */
  const get = async (url, headers = {}) => {
    const res = await fetch(url, { headers });
    assert.ok(res.ok, `${url} answered ${res.status}: ${await res.clone().text()}`);
    return res.json();
  };
  const post = async (url, body, headers = {}) => {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });
    assert.ok(res.ok, `${url} answered ${res.status}: ${await res.clone().text()}`);
    return res.json();
  };
  const auth = () => ({ authorization: `Bearer ${token}` });
  const ops = { authorization: 'Bearer local-ops-token' };
  const fake = (name) => `http://127.0.0.1:${ports[name]}`;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'influtics-walkthrough-'));
    copyCheckout(path.join(dir, 'app'));
    for (const v of ['INFLUTICS_PG_PORT', 'INFLUTICS_PORT', 'INFLUTICS_FAKE_PORT', 'INFLUTICS_INSPECTOR_PORT', 'INFLUTICS_LOOPS_PORT', 'INFLUTICS_TELEGRAM_PORT', 'INFLUTICS_GOOGLE_PORT']) ports[v] = await freePort();
    dev = spawn(process.execPath, [path.join(dir, 'app', 'scripts', 'dev.mjs')], {
      cwd: path.join(dir, 'app'),
      env: { ...process.env, ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])), CI: 'true', WRANGLER_SEND_METRICS: 'false' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    dev.stdout.on('data', (d) => (out += d));
    dev.stderr.on('data', (d) => (out += d));
    api = `http://127.0.0.1:${ports.INFLUTICS_PORT}`;
    await until('/health', () => fetch(`${api}/health`).then((r) => r.ok), 150_000);
    dataDir = /\[dev\] data\s+(.+?)\s+\(npm run dev -- --reset/.exec(out)?.[1];
    token = /\[dev\] token\s+(\S+)/.exec(out)?.[1];
    assert.ok(token, out);
  });

  after(async () => {
    if (dev && dev.exitCode === null) {
      const exited = new Promise((r) => dev.once('exit', r));
      dev.kill('SIGTERM');
      await exited;
    }
    fs.rmSync(dir, { recursive: true, force: true });
    if (dataDir && !dataDir.startsWith(dir)) fs.rmSync(path.dirname(dataDir), { recursive: true, force: true });
  });

  it('issue 10: connect the fake Google, map the demo sheet, fire the 4-hourly cron: stats beside each link, the run on /ops with its steps', async () => {
    const { url } = await get(`${api}/integrations/google/authorize`, auth());
    const consent = await fetch(url, { redirect: 'manual' });
    const connected = await get(consent.headers.get('location'));
    assert.equal(connected.integration.status, 'active');
    const integration = connected.integration.id;
    const sheets = await get(`${api}/integrations/google/${integration}/spreadsheets/${DEMO_SHEET}/sheets`, auth());
    assert.equal(sheets.sheets[0].title, 'Videos');
    const { source } = await post(`${api}/sheets/sources`, { integration_id: integration, spreadsheet_id: DEMO_SHEET, sheet_id: 0, mapping: { url: 'Video URL', campaign: 'Campaign' } }, auth());

    assert.equal(await (await fetch(`${api}/__scheduled?cron=0+*/4+*+*+*`)).text(), 'Ran scheduled event');
    const [run] = await until('the resync run', async () => {
      const runs = (await get(`${api}/sheets/sources/${source.id}/runs`, auth())).data;
      return runs[0]?.status === 'completed' ? runs : undefined;
    });
    assert.equal(run.trigger, 'cron');
    assert.deepEqual([run.rows_read, run.added, run.invalid], [6, 3, 1]);

    const rows = (await get(`${fake('INFLUTICS_GOOGLE_PORT')}/__control/spreadsheets/${DEMO_SHEET}`)).sheets[0].rows;
    const header = rows[0];
    const views = header.indexOf('Views');
    const status = header.indexOf('Status');
    for (const row of rows.slice(1)) {
      if (row[0] === 'not a link') assert.match(row[status], /^invalid link/);
      else assert.ok(typeof row[views] === 'number' && row[views] > 0, `no views beside ${row[0]}: ${JSON.stringify(row)}`);
    }
    // the demo sheet's campaign is the seeded one, so the new links joined it
    const videos = (await get(`${api}/dashboard/videos?campaign_id=00000000-0000-4000-8000-0000000000c1&limit=100`, auth())).data;
    assert.ok(videos.some((v) => v.video_url.includes('7301234567890123456')));

    const listed = (await get(`${api}/ops/api/runs?workflow=SheetsResyncSource`, ops)).data;
    assert.equal(listed[0].instance_id, run.workflow_instance_id);
    const detail = await get(`${api}/ops/api/runs/${run.workflow_instance_id}`, ops);
    assert.equal(detail.run.status, 'complete');
    const steps = detail.steps.map((s) => s.name);
    for (const s of ['google access token', 'read worksheet', 'upsert videos', 'wait for first stats', 'write stats', 'record run']) assert.ok(steps.includes(s), `${s} not in ${steps}`);
  });

  it('issue 12: an invitation reaches the fake Loops once; the nightly refresh crossing a threshold sends exactly one Telegram message; nothing dead-lettered', async () => {
    const inv = await post(`${api}/organization/invitations`, { email: 'newcomer@example.com', role: 'member' }, auth());
    const mails = await until('the invitation email', async () => {
      const sent = (await get(`${fake('INFLUTICS_LOOPS_PORT')}/__control/sent`)).filter((m) => m.email === 'newcomer@example.com');
      return sent.length ? sent : undefined;
    });
    assert.equal(mails[0].dataVariables.acceptUrl, `${api}/invitations/accept?token=${inv.token}`);

    const link = await post(`${api}/me/telegram/link`, undefined, auth());
    await post(`${fake('INFLUTICS_TELEGRAM_PORT')}/__control/press-start`, { chat_id: 4242, payload: new URL(link.url).searchParams.get('start') });
    await until('the Telegram link', async () => (await get(`${api}/me/telegram`, auth())).linked);
    await post(`${api}/alerts/rules`, { type: 'views_threshold', params: { views: 100000 } }, auth());
    // the seeded "Launch teaser" (52,000 views a day ago) is what the nightly refresh fetches
    await post(`${fake('INFLUTICS_FAKE_PORT')}/__control/stats`, { id: '7300000000000000003', views: 120000, likes: 9000, comments: 300, reposts: 80, saves: 700 });
    await fetch(`${api}/__scheduled?cron=0+0+*+*+*`);
    const alert = await until('the Telegram alert', async () => {
      const sent = (await get(`${fake('INFLUTICS_TELEGRAM_PORT')}/__control/sent`)).filter((m) => m.text.includes('crossed 100000 views'));
      return sent.length ? sent : undefined;
    });
    assert.match(alert[0].text, /now 120000/);
    // the 01:00 catch-up and a repeated 00:00 fire send nothing more
    await fetch(`${api}/__scheduled?cron=0+1+*+*+*`);
    await fetch(`${api}/__scheduled?cron=0+0+*+*+*`);
    await new Promise((r) => setTimeout(r, 3000));
    const telegram = await get(`${fake('INFLUTICS_TELEGRAM_PORT')}/__control/sent`);
    assert.equal(telegram.filter((m) => m.text.includes('crossed')).length, 1);
    assert.equal((await get(`${fake('INFLUTICS_LOOPS_PORT')}/__control/sent`)).filter((m) => m.email === 'newcomer@example.com').length, 1);

    assert.deepEqual((await get(`${api}/ops/api/dead-letters`, ops)).data, []);
    const summary = await get(`${api}/ops/api/notifications/summary?hours=1`, ops);
    assert.equal(summary.by_status.failed, 0);
  });

  it('issue 13: a weekly schedule, the 15-minute cron at its due time: one email per recipient with the digest and an xlsx link that works on this port; the run on /ops', async () => {
    const { schedule } = await post(`${api}/reports/schedules`, {
      name: 'Weekly digest', scope: { type: 'campaigns', campaign_ids: ['00000000-0000-4000-8000-0000000000c1'] }, frequency: 'weekly', day_of_week: 1, local_time: '09:00',
      recipients: [{ type: 'member', user_id: '00000000-0000-4000-8000-000000000001' }, { type: 'email', email: 'client@example.com' }], channels: ['email'],
    }, auth());
    // (the README makes it due in the next minute and waits for it; the test moves it there at once)
    const { default: pg } = await import('pg');
    const db = new pg.Client({ connectionString: `postgres://postgres:postgres@127.0.0.1:${ports.INFLUTICS_PG_PORT}/influtics` });
    await db.connect();
    try {
      await db.query(`update report_schedules set next_run_at = date_trunc('minute', now()) where id = $1`, [schedule.id]);
    } finally {
      await db.end();
    }
    await fetch(`${api}/__scheduled?cron=*/15+*+*+*+*`);
    const mails = await until('the digest emails', async () => {
      const sent = (await get(`${fake('INFLUTICS_LOOPS_PORT')}/__control/sent`)).filter((m) => m.transactionalId === 'local-scheduled-report');
      return sent.length >= 2 ? sent : undefined;
    });
    assert.deepEqual(mails.map((m) => m.email).sort(), ['client@example.com', 'demo@influtics.local']);
    assert.match(mails[0].dataVariables.digest_html, /Launch week|Weekly digest/);
    assert.ok(mails[0].dataVariables.xlsx_url.startsWith(`${api}/shared/reports/`), mails[0].dataVariables.xlsx_url);
    const xlsx = await fetch(mails[0].dataVariables.xlsx_url);
    assert.equal(xlsx.status, 200, mails[0].dataVariables.xlsx_url);
    assert.equal(xlsx.headers.get('content-type'), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    assert.equal(Buffer.from(await xlsx.arrayBuffer()).subarray(0, 2).toString(), 'PK');

    const [run] = (await get(`${api}/ops/api/runs?workflow=ScheduledReport`, ops)).data;
    const detail = await get(`${api}/ops/api/runs/${run.instance_id}`, ops);
    assert.equal(detail.run.status, 'complete');
    assert.ok(detail.steps.some((s) => s.name === 'deliver email to email:client@example.com'), detail.steps.map((s) => s.name).join(', '));
  });
});
