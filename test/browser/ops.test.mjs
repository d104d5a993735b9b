// Browser test of the ops page against a real local stack (wrangler dev + Postgres + fake platforms):
// Debian's chromium driven by playwright-core. Run by `npm test` after vitest (`npm run test:browser`).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium } from 'playwright-core';
import pg from 'pg';
import { BROWSER_SECRETS, demoToken, startStack } from './stack.mjs';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

let stack;
/** @type {import('playwright-core').BrowserContext} */
let browser;
let page;
let profileDir;

async function api(method, pathname, { token, body } = {}) {
  const res = await fetch(`${stack.url}${pathname}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = await res.json();
  assert.ok(res.ok, `${method} ${pathname} answered ${res.status}: ${JSON.stringify(json)}`);
  return json;
}

async function fault(body) {
  const res = await fetch(`${stack.platforms.url}/__control/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  assert.ok(res.ok);
}

/** Waits for the live status (through the ops API) to be one of `statuses`. */
async function waitForStatus(id, statuses, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const d = await api('GET', `/ops/api/runs/${id}`, { token: BROWSER_SECRETS.OPS_TOKEN });
    if (statuses.includes(d.run.status)) return d;
    if (Date.now() > deadline) throw new Error(`${id} stayed ${d.run.status}, wanted ${statuses.join('|')}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('ops page in a browser', { timeout: 240_000 }, () => {
  let runningId;
  let failedId;

  before(async () => {
    assert.ok(fs.existsSync(CHROMIUM), `${CHROMIUM} is missing: npm run test:browser installs it (scripts/ensure-chromium.mjs)`);
    stack = await startStack();
    const user = await demoToken();
    // a run that fails for good (monthly quota), and one that stays running for ~50 s: its first page
    // answers slowly three times (each attempt times out after 15 s, then retries), time enough to act
    await fault({ platform: 'tiktok', path: 'posts', kind: 'rate_limit_monthly', times: 1 });
    failedId = (await api('POST', '/blogger/add', { token: user, body: { username: 'browser_failing', platform: 'TikTok', initial_videos_count: 3 } })).workflow.instance_id;
    await waitForStatus(failedId, ['errored']);
    // (16 s: just over the adapter's 15 s timeout, so no slow answer outlives the test by long)
    await fault({ platform: 'tiktok', path: 'posts', kind: 'slow', delayMs: 16_000, times: 3 });
    runningId = (await api('POST', '/blogger/add', { token: user, body: { username: 'browser_running', platform: 'TikTok', initial_videos_count: 3 } })).workflow.instance_id;
    await waitForStatus(runningId, ['running']);

    profileDir = fs.mkdtempSync(path.join(os.tmpdir(), 'influtics-chromium-'));
    // a fresh profile (--user-data-dir) per run: playwright passes it for a persistent context
    browser = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1400, height: 1000 },
    });
    page = await browser.newPage();
    page.on('pageerror', (err) => console.error('page error:', err.message));
  });

  after(async () => {
    await browser?.close().catch(() => {});
    if (profileDir) fs.rmSync(profileDir, { recursive: true, force: true });
    await stack?.stop();
  });

  it('asks for a token and refuses a wrong one', async () => {
    await page.goto(`${stack.url}/ops`);
    await page.locator('#token').fill('not-the-ops-token');
    await page.locator('#login-form button[type=submit]').click();
    await page.locator('#login-error').filter({ hasText: /failed|operator/i }).waitFor();
    assert.equal(await page.locator('#app').isVisible(), false);
  });

  it('signs in, shows charts, and makes the failed run impossible to miss', async () => {
    await page.locator('#token').fill(BROWSER_SECRETS.OPS_TOKEN);
    await page.locator('#login-form button[type=submit]').click();
    await page.locator('#who').filter({ hasText: 'ops-token (admin)' }).waitFor();
    const banner = page.locator('#failure-banner');
    await banner.waitFor({ state: 'visible' });
    assert.match(await banner.innerText(), /1 run failed in the last 24 h/);
    assert.match(await banner.innerText(), new RegExp(failedId));
    assert.match(await page.locator('[data-tile="Failed"]').innerText(), /1/);
    assert.equal(await page.locator('#chart-throughput').evaluate((c) => c.width > 0 && Boolean(window.Chart?.getChart(c))), true);
    const failedRow = page.locator(`#runs tr[data-instance-id="${failedId}"]`);
    assert.match((await failedRow.getAttribute('class')) ?? '', /failed/);
  });

  it('finds the running run, shows its steps from the local Workflows API, terminates it and shows the new status', async () => {
    await page.locator('#auto-refresh').uncheck();
    await page.locator('#f-q').fill(runningId);
    await page.locator('#apply-filters').click();
    // the search narrows the list to that one run
    await page.waitForFunction((id) => {
      const rows = [...document.querySelectorAll('#runs tr.run')];
      return rows.length === 1 && rows[0].dataset.instanceId === id;
    }, runningId);
    const row = page.locator(`#runs tr[data-instance-id="${runningId}"]`);
    assert.equal(await row.getAttribute('data-status'), 'running');
    await row.click();

    const detail = page.locator(`#detail[data-instance-id="${runningId}"]`);
    await detail.waitFor();
    assert.equal(await page.locator('#detail-status').innerText(), 'running');
    assert.match(await page.locator('#steps-source').innerText(), /local-explorer/);
    await page.locator('#steps tr[data-step="record run started"][data-state="complete"]').waitFor();
    await page.locator('#steps tr[data-step="fetch videos page 1"]').waitFor();

    await page.locator('#detail button[data-action="terminate"]').click();
    const dialog = page.locator('#confirm');
    await dialog.waitFor({ state: 'visible' });
    assert.match(await page.locator('#confirm-text').innerText(), new RegExp(`terminate run ${runningId}`));
    await page.locator('#confirm-ok').click();

    await page.locator('#detail-status').filter({ hasText: /^terminated$/ }).waitFor({ timeout: 15_000 });
    await page.locator(`#runs tr[data-instance-id="${runningId}"][data-status="terminated"]`).waitFor();
    // hasText matches textContent, where table cells have no whitespace between them
    await page.locator('#detail-actions tr').filter({ hasText: /terminate\s*ops-token\s*ok/ }).waitFor();
    const d = await api('GET', `/ops/api/runs/${runningId}`, { token: BROWSER_SECRETS.OPS_TOKEN });
    assert.equal(d.run.status, 'terminated');
    assert.equal(d.live.status, 'terminated');
  });

  it('restarts the failed run from the page after confirmation', async () => {
    const reset = await fetch(`${stack.platforms.url}/__control/reset`, { method: 'POST' });
    assert.ok(reset.ok);
    await page.locator('#f-q').fill(failedId);
    await page.locator('#apply-filters').click();
    await page.locator(`#runs tr[data-instance-id="${failedId}"]`).click();
    await page.locator(`#detail[data-instance-id="${failedId}"][data-status="errored"]`).waitFor();
    await page.locator('#detail button[data-action="restart"]').click();
    await page.locator('#confirm-ok').click();
    await page.locator(`#detail[data-instance-id="${failedId}"]:not([data-status="errored"])`).waitFor({ timeout: 15_000 });
    const d = await waitForStatus(failedId, ['complete']);
    assert.equal(d.run.error, null);
    assert.equal(d.actions[0].action, 'restart');
  });

  /** A video whose stats fetch fails for good (monthly quota): the real pipeline dead-letters it. */
  async function deadLetteredVideo() {
    const user = await demoToken();
    const ext = `7309${String(Date.now()).slice(-9)}${Math.floor(Math.random() * 1e6).toString().padStart(6, '0')}`;
    const videoId = (await api('POST', '/dashboard/videos', { token: user, body: { url: `https://www.tiktok.com/@demo/video/${ext}` } })).video.id;
    await fault({ platform: 'tiktok', kind: 'rate_limit_monthly', times: 1 });
    await api('POST', '/dashboard/videos/start-tracking', { token: user, body: { video_id: videoId } });
    const deadline = Date.now() + 30_000;
    for (;;) {
      const list = await api('GET', '/ops/api/dead-letters?status=open&limit=100', { token: BROWSER_SECRETS.OPS_TOKEN });
      const letter = list.data.find((l) => l.error_code !== 'invalid_message');
      if (letter) {
        const detail = await api('GET', `/ops/api/dead-letters/${letter.id}`, { token: BROWSER_SECRETS.OPS_TOKEN });
        if (detail.dead_letter.body.video_id === videoId) return { letter, videoId, ext };
      }
      if (Date.now() > deadline) throw new Error('no dead letter appeared');
      await new Promise((r) => setTimeout(r, 300));
    }
  }

  it('shows a dead letter with its original message and replays it once from the page', async () => {
    const { letter, videoId, ext } = await deadLetteredVideo();
    await page.locator('#refresh-now').click();
    const row = page.locator(`#dead-letters tr[data-dead-letter-id="${letter.id}"][data-status="open"]`);
    await row.waitFor();
    assert.match((await row.getAttribute('class')) ?? '', /failed/);
    await row.click();
    await page.locator(`#dl-detail[data-dead-letter-id="${letter.id}"][data-status="open"]`).waitFor();
    assert.match(await page.locator('#dl-detail-body').innerText(), new RegExp(ext));
    assert.match(await page.locator('#dl-replay-info').innerText(), /influtics-high-priority/);

    await page.locator('#dl-replay').click();
    assert.match(await page.locator('#confirm-text').innerText(), new RegExp(`Replay dead letter ${letter.id}`));
    await page.locator('#confirm-ok').click();
    await page.locator(`#dl-detail[data-dead-letter-id="${letter.id}"][data-status="replayed"]`).waitFor({ timeout: 15_000 });
    await page.locator('#dl-detail-actions tr').filter({ hasText: /dead_letter_replay\s*ops-token\s*ok/ }).waitFor();
    assert.equal(await page.locator('#dl-replay').innerText(), 'Replay again');
    // the replayed message went through the queue: the video has its first snapshot now
    const user = await demoToken();
    const deadline = Date.now() + 20_000;
    while (!(await api('GET', `/dashboard/videos/${videoId}`, { token: user })).video.latest_stats) {
      assert.ok(Date.now() < deadline, 'the replayed message wrote no snapshot');
      await new Promise((r) => setTimeout(r, 300));
    }
    // open letters are the default filter: the replayed one has left the list
    await page.locator(`#dead-letters tr[data-dead-letter-id="${letter.id}"]`).waitFor({ state: 'detached' });
  });

  it('resolves the filtered dead letters in bulk after showing how many', async () => {
    const { letter } = await deadLetteredVideo();
    await page.locator('#dl-f-code').fill(letter.error_code);
    await page.locator('#dl-apply').click();
    await page.locator(`#dead-letters tr[data-dead-letter-id="${letter.id}"]`).waitFor();
    await page.locator('#dl-bulk-note').fill('quota was raised; the nightly refresh fetches it');
    await page.locator('#dl-bulk-resolve').click();
    // (the dialog opens after the dry run has answered)
    await page.locator('#confirm-text').filter({ hasText: /^resolve 1 dead letters \(1 from influtics-high-priority\)\?$/ }).waitFor();
    await page.locator('#confirm-ok').click();
    await page.locator('#dl-empty').waitFor({ state: 'visible', timeout: 15_000 });
    const d = await api('GET', `/ops/api/dead-letters/${letter.id}`, { token: BROWSER_SECRETS.OPS_TOKEN });
    assert.equal(d.dead_letter.status, 'resolved');
    assert.equal(d.dead_letter.resolution_note, 'quota was raised; the nightly refresh fetches it');
    assert.equal(d.actions[0].action, 'dead_letter_resolve');
    assert.ok(d.actions[0].bulk_id);
  });

  it('shows notification delivery: counts by status and the rows a provider refused for good, filtered by channel', async () => {
    // two deliveries the provider refused (what the NOTIFICATIONS consumer writes on a permanent
    // 4xx) and one it accepted, in the demo organization
    const db = new pg.Client({ connectionString: stack.databaseUrl });
    await db.connect();
    const org = '00000000-0000-4000-8000-0000000000a1';
    const { rows } = await db.query(
      `insert into notification_outbox (organization_id, channel, recipient, template, idempotency_key, status, attempts, error)
       values ($1, 'email', 'nobody@example.test', 'invitation', 'browser:failed:email', 'failed', 1, 'Loops 400: transactionalId not found'),
              ($1, 'telegram', '424242', 'views_threshold', 'browser:failed:telegram', 'failed', 1, 'Telegram 403: Forbidden: bot was blocked by the user'),
              ($1, 'email', 'someone@example.test', 'invitation', 'browser:sent:email', 'sent', 1, null)
       returning id, idempotency_key`, [org]);
    await db.end();
    const id = (key) => rows.find((r) => r.idempotency_key === key).id;
    const failedEmail = id('browser:failed:email');

    await page.locator('#refresh-now').click();
    await page.locator(`#failed-notifications tr[data-outbox-id="${failedEmail}"]`).waitFor();
    const telegram = page.locator(`#failed-notifications tr[data-outbox-id="${id('browser:failed:telegram')}"]`);
    assert.match(await telegram.innerText(), /bot was blocked by the user/);
    assert.match(await telegram.innerText(), /Demo|0000000000a1/);
    assert.equal(await page.locator(`#failed-notifications tr[data-outbox-id="${id('browser:sent:email')}"]`).count(), 0);
    assert.match(await page.locator('#nf-tiles [data-notification-status="Failed"]').innerText(), /^2\b/);
    assert.equal(await page.locator('#nf-tiles [data-notification-status="Failed"]').evaluate((e) => e.classList.contains('bad')), true);
    assert.match(await page.locator('#nf-tiles [data-notification-status="Sent"]').innerText(), /^1\b/);

    await page.locator('#nf-f-channel').selectOption('telegram');
    await page.locator('#nf-apply').click();
    await page.locator(`#failed-notifications tr[data-outbox-id="${failedEmail}"]`).waitFor({ state: 'detached' });
    assert.equal(await telegram.count(), 1);
  });

  it("sets an organization's limit override with an expiry, changes its plan and clears the override; GET /limits follows", async () => {
    const org = '00000000-0000-4000-8000-0000000000a1';
    const user = await demoToken();
    await page.locator('#lim-org').fill(org);
    await page.locator('#lim-load').click();
    await page.locator(`#limits-view[data-organization-id="${org}"][data-plan="pro"]`).waitFor();
    await page.locator('#limits-form input[name="max_tracked_bloggers"]').fill('7');
    const expires = new Date(Date.now() + 7 * 86_400_000);
    const local = new Date(expires.getTime() - expires.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
    await page.locator('#lim-expires').fill(local);
    await page.locator('#lim-note').fill('pilot');
    await page.locator('#lim-save').click();
    await page.locator('#confirm-ok').click();
    await page.locator('#lim-effective tr[data-limit="max_tracked_bloggers"][data-source="override"]').waitFor();
    let limits = await api('GET', '/limits', { token: user });
    assert.equal(limits.limits.max_tracked_bloggers.limit, 7);
    assert.equal(limits.limits.max_tracked_bloggers.source, 'override');
    assert.equal(new Date(limits.override.expires_at).toISOString().slice(0, 16), new Date(local).toISOString().slice(0, 16));

    await page.locator('#lim-plan').selectOption('starter');
    await page.locator('#lim-plan-save').click();
    await page.locator('#confirm-ok').click();
    await page.locator('#limits-view[data-plan="starter"]').waitFor();
    assert.equal((await api('GET', '/limits', { token: user })).plan, 'starter');

    await page.locator('#lim-clear').click();
    await page.locator('#confirm-ok').click();
    await page.locator('#lim-effective tr[data-limit="max_tracked_bloggers"][data-source="plan"]').waitFor();
    limits = await api('GET', '/limits', { token: user });
    assert.equal(limits.override, null);
    const log = await api('GET', `/ops/api/actions?organization_id=${org}`, { token: BROWSER_SECRETS.OPS_TOKEN });
    // (the demo organization's dead letters above are in its log too)
    assert.deepEqual(log.data.map((a) => a.action).filter((a) => !a.startsWith('dead_letter')), ['limits_override_clear', 'plan_change', 'limits_override_set']);
  });
});
