import { env, introspectWorkflowInstance } from 'cloudflare:test';
import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import { reportInstanceId } from '../../src/workflows/report-dispatch';
import { REPORT_STEPS, type ScheduledReportParams } from '../../src/workflows/scheduled-report';
import { createCampaignFixture, type CampaignFixture } from '../campaigns/fixtures';
import { call, eventually, tokenFor } from '../helpers/api';
import { addMember, adminSql, createOrganization, type Fixture } from '../helpers/db';
import { fetchWorker } from '../helpers/worker';

/**
 * ScheduledReport runs on the hand-computed campaign of the analytics tests ("March push",
 * 2026-03-02..08): figures, the xlsx in R2, one outbox row per recipient × channel, the run record,
 * the file download and share links.
 */
const sql = adminSql();
let fx: CampaignFixture;
let token: string;
let stranger: Fixture;
let strangerToken: string;
const CHAT_ID = '777000111';

async function createSchedule(over: Record<string, unknown> = {}) {
  const res = await call('POST', '/reports/schedules', {
    token,
    body: {
      name: 'March weekly',
      scope: { type: 'campaigns', campaign_ids: [fx.campaignId] },
      frequency: 'weekly',
      day_of_week: 1,
      local_time: '09:00',
      recipients: [{ type: 'member', user_id: fx.owner.userId }, { type: 'email', email: 'client@example.com' }],
      channels: ['email', 'telegram'],
      contents: { top_videos: 2, xlsx: 'link' },
      ...over,
    },
  });
  expect(res.status).toBe(201);
  return res.body.schedule as { id: string };
}

const marchParams = (scheduleId: string): ScheduledReportParams => ({
  organizationId: fx.owner.orgId,
  scheduleId,
  occurrence: '2026-03-09T09:00:00.000Z',
  period: { start: '2026-03-02', end: '2026-03-08' },
  previous: { start: '2026-02-23', end: '2026-03-01' },
});

const outboxOf = (scheduleId: string) =>
  sql<{ channel: string; recipient: string; idempotency_key: string; template: string; payload: any }[]>`
    select channel, recipient, idempotency_key, template, payload from notification_outbox where idempotency_key like ${`report:${scheduleId}:%`} order by idempotency_key`;

/** Starts the March run with step faults injected; the caller disposes the introspector (`await using`). */
async function runReport(scheduleId: string, modify: (m: any) => Promise<void>) {
  const id = reportInstanceId(scheduleId, '2026-03-02');
  const instance = await introspectWorkflowInstance(env.SCHEDULED_REPORT, id);
  await instance.modify(async (m) => {
    await m.disableRetryDelays();
    await modify(m);
  });
  await env.SCHEDULED_REPORT.create({ id, params: marchParams(scheduleId) });
  return instance;
}

beforeAll(async () => {
  fx = await createCampaignFixture(sql);
  token = await tokenFor(fx.owner.userId);
  await sql`insert into telegram_links (organization_id, user_id, chat_id, linked_at) values (${fx.owner.orgId}, ${fx.owner.userId}, ${CHAT_ID}, now())`;
  stranger = await createOrganization(sql);
  strangerToken = await tokenFor(stranger.userId);
});

describe('a ScheduledReport run', () => {
  let scheduleId: string;
  let runId: string;
  let emailPayload: any;

  it('computes, stores the xlsx, queues one delivery per recipient × channel with idempotency keys, and records the run', async () => {
    scheduleId = (await createSchedule()).id;
    const id = reportInstanceId(scheduleId, '2026-03-02');
    await using instance = await introspectWorkflowInstance(env.SCHEDULED_REPORT, id);
    await env.SCHEDULED_REPORT.create({ id, params: marchParams(scheduleId) });
    await instance.waitForStatus('complete');
    const output = (await instance.getOutput()) as any;
    expect(output.deliveries).toEqual({ queued: 3, skipped: 1 });

    const rows = await outboxOf(scheduleId);
    expect(rows.map((r) => [r.idempotency_key, r.channel, r.recipient])).toEqual([
      [`report:${scheduleId}:2026-03-02:email:client@example.com:email`, 'email', 'client@example.com'],
      [`report:${scheduleId}:2026-03-02:member:${fx.owner.userId}:email`, 'email', fx.owner.email],
      [`report:${scheduleId}:2026-03-02:member:${fx.owner.userId}:telegram`, 'telegram', CHAT_ID],
    ]);
    expect(rows.every((r) => r.template === 'scheduled_report')).toBe(true);
    emailPayload = rows[0]!.payload;
    expect(emailPayload).toMatchObject({ subject: 'March weekly: 2026-03-02 – 2026-03-08', period_start: '2026-03-02', period_end: '2026-03-08' });
    expect(emailPayload.digest_text).toContain('views: +6,000');
    expect(emailPayload.xlsx_url).toMatch(/^http:\/\/127\.0\.0\.1:8787\/shared\/reports\/[A-Za-z0-9_-]{43}\/file$/);
    expect(rows[2]!.payload.text).toContain('views: +6,000');

    const runs = await call('GET', `/reports/runs?schedule_id=${scheduleId}`, { token });
    expect(runs.status).toBe(200);
    expect(runs.body.data).toHaveLength(1);
    const run = runs.body.data[0];
    runId = run.id;
    expect(run).toMatchObject({ schedule_id: scheduleId, schedule_name: 'March weekly', period: { start: '2026-03-02', end: '2026-03-08' }, status: 'complete', has_file: true });
    expect(run.deliveries.map((d: any) => [d.recipient, d.channel, d.status])).toEqual(expect.arrayContaining([
      ['email:client@example.com', 'email', 'queued'],
      ['email:client@example.com', 'telegram', 'skipped'],
      [`member:${fx.owner.userId}`, 'email', 'queued'],
      [`member:${fx.owner.userId}`, 'telegram', 'queued'],
    ]));
    expect(run.deliveries).toHaveLength(4);
  });

  it("the report's figures equal the campaign analytics API for the same period and the one before", async () => {
    const { body } = await call('GET', `/reports/runs/${runId}`, { token });
    const f = body.run.figures;
    const api = async (q: string) => (await call('GET', `/campaigns/${fx.campaignId}/stats?${q}`, { token })).body;
    const inc = await api('mode=increments&from=2026-03-02&to=2026-03-08');
    const prev = await api('mode=increments&from=2026-02-23&to=2026-03-01');
    const tot = await api('mode=totals&from=2026-03-02&to=2026-03-08');
    expect(f.summary.increments).toEqual(inc.stats);
    expect(f.summary.increments).toEqual({ views: 6000, likes: 350, comments: 50, reposts: 15, saves: 35, engagements: 450 });
    expect(f.summary.previous_increments).toEqual(prev.stats);
    expect(f.summary.totals).toEqual(tot.stats);
    expect(f.summary.metrics).toEqual(inc.metrics);
    expect(f.summary.budget).toBe(inc.budget.effective);
    expect(f.campaigns[0]).toMatchObject({ id: fx.campaignId, increments: inc.stats, previous_increments: prev.stats, totals: tot.stats });
    expect(f.summary.change_pct.views).toBe(prev.stats.views > 0 ? Math.round(((6000 - prev.stats.views) / prev.stats.views) * 100 * 1e6) / 1e6 : null);
    // top 2 by growth, as GET /campaigns/:id/videos?sort=growth
    const top = (await call('GET', `/campaigns/${fx.campaignId}/videos?mode=increments&sort=growth&order=desc&from=2026-03-02&to=2026-03-08&limit=2`, { token })).body;
    expect(f.top_videos.map((v: any) => v.id)).toEqual(top.data.map((v: any) => v.id));
    expect(f.top_videos.map((v: any) => v.increments.views)).toEqual([4000, 2000]);
    // published in the period: V2 (03-03) and V3 (03-01 is before it)
    expect(f.new_videos.map((v: any) => v.id)).toEqual([fx.v.v2]);
    const alice = f.bloggers.find((b: any) => b.username === 'alice');
    expect(alice).toMatchObject({ videos: 2, increments: { views: 4000 } });
  });

  it('the xlsx downloads for the organization and reads back with exceljs', async () => {
    const res = await SELFfetch(`/reports/runs/${runId}/file`, token);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(res.headers.get('content-disposition')).toContain('March-weekly-2026-03-02-2026-03-08.xlsx');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await res.arrayBuffer());
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Summary', 'Campaigns', 'Top videos', 'New videos', 'Bloggers']);
    const summary = wb.getWorksheet('Summary')!;
    expect(summary.getRow(1).values).toEqual([undefined, 'metric', 'growth', 'previous period', 'change %', 'total']);
    expect(summary.getRow(2).getCell(1).value).toBe('views');
    expect(summary.getRow(2).getCell(2).value).toBe(6000);
    expect(summary.getRow(2).getCell(5).value).toBe(58000);
    const campaigns = wb.getWorksheet('Campaigns')!;
    expect(campaigns.getRow(2).getCell(1).value).toBe('March push');
    expect(campaigns.getRow(2).getCell(3).value).toBe(6000);
    expect(wb.getWorksheet('Top videos')!.getRow(2).getCell(6).value).toBe(4000);
  });

  it("another organization gets 404 for the run, its file and its share routes", async () => {
    for (const [method, path] of [
      ['GET', `/reports/runs/${runId}`],
      ['GET', `/reports/runs/${runId}/file`],
      ['POST', `/reports/runs/${runId}/share`],
      ['DELETE', `/reports/runs/${runId}/share`],
    ] as const) {
      const res = await call(method, path, { token: strangerToken, body: method === 'POST' ? {} : undefined });
      expect(res.status, `${method} ${path}`).toBe(404);
    }
    expect((await call('GET', '/reports/runs', { token: strangerToken })).body.data.map((r: any) => r.id)).not.toContain(runId);
  });

  it("the digest's link opens the report read-only without signing in, and its xlsx", async () => {
    const page = await fetchPublic(emailPayload.report_url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('March weekly: 2026-03-02 – 2026-03-08');
    const file = await fetchPublic(emailPayload.xlsx_url);
    expect(file.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await file.arrayBuffer());
    expect(wb.getWorksheet('Summary')!.getRow(2).getCell(2).value).toBe(6000);
    // only the hash is stored
    const token = emailPayload.report_url.split('/').pop();
    expect(await sql`select 1 from report_share_links where token_hash = ${token}`).toHaveLength(0);
  });

  it('share links: created by owners/admins, revocable, expiring; revoked and expired links are refused', async () => {
    const viewer = await addMember(sql, fx.owner.orgId, 'viewer');
    const refused = await call('POST', `/reports/runs/${runId}/share`, { token: await tokenFor(viewer.userId), body: {} });
    expect(refused.status).toBe(403);

    const created = await call('POST', `/reports/runs/${runId}/share`, { token, body: { expires_in_days: 7 } });
    expect(created.status).toBe(201);
    const share = created.body.share;
    expect(new Date(share.expires_at).getTime() - Date.now()).toBeGreaterThan(6.9 * 86_400_000);
    const json = await fetchPublic(share.url, { accept: 'application/json' });
    expect(json.status).toBe(200);
    expect((await json.json() as any).report.figures.summary.increments.views).toBe(6000);
    expect((await call('POST', `/reports/runs/${runId}/share`, { token, body: { expires_in_days: 91 } })).status).toBe(400);

    // expired
    const other = (await call('POST', `/reports/runs/${runId}/share`, { token, body: {} })).body.share;
    await sql`update report_share_links set expires_at = now() - interval '1 second' where token_hash = encode(sha256(convert_to(${other.token}, 'UTF8')), 'hex')`;
    expect((await fetchPublic(other.url)).status).toBe(404);
    expect((await fetchPublic(other.file_url)).status).toBe(404);

    // revoked: every link of the run, the digest's too
    const revoked = await call('DELETE', `/reports/runs/${runId}/share`, { token });
    expect(revoked.status).toBe(200);
    expect(revoked.body.revoked).toBeGreaterThanOrEqual(2);
    for (const url of [share.url, share.file_url, emailPayload.report_url, emailPayload.xlsx_url]) {
      const res = await fetchPublic(url);
      expect(res.status, url).toBe(404);
      expect((await res.json() as any).error.code).toBe('not_found');
    }
    expect((await fetchPublic('http://127.0.0.1:8787/shared/reports/not-a-token')).status).toBe(400);
  });

  it('running the same (schedule, period) again sends nothing twice', async () => {
    const id = reportInstanceId(scheduleId, '2026-03-02');
    // the id is taken (production refuses it; the local engine may accept the call): either way
    // every write of the run is keyed, so nothing new appears
    await env.SCHEDULED_REPORT.create({ id, params: marchParams(scheduleId) }).catch(() => null);
    await eventually(async () => (await (await env.SCHEDULED_REPORT.get(id)).status()).status === 'complete', { timeoutMs: 20_000 });
    expect(await outboxOf(scheduleId)).toHaveLength(3);
    expect(await sql`select 1 from report_runs where schedule_id = ${scheduleId}`).toHaveLength(1);
  });
});

describe('xlsx as an attachment', () => {
  it('the email row names the stored workbook instead of a link, and no share link is made', async () => {
    const { id: scheduleId } = await createSchedule({ name: 'attach', channels: ['email'], contents: { xlsx: 'attachment' } });
    await using instance = await runReport(scheduleId, async () => {});
    await instance.waitForStatus('complete');
    const rows = await outboxOf(scheduleId);
    expect(rows).toHaveLength(2);
    const [run] = await sql`select id, file_key from report_runs where schedule_id = ${scheduleId}`;
    for (const r of rows) {
      expect(r.payload.attachment).toEqual({ r2_key: run!.file_key, filename: 'attach-2026-03-02-2026-03-08.xlsx', content_type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' });
      expect(r.payload.xlsx_url).toBe('');
    }
    expect(await env.FILES.head(run!.file_key)).not.toBeNull();
    expect(await sql`select 1 from report_share_links where run_id = ${run!.id}`).toHaveLength(0);
  });
});

describe('a failing delivery', () => {
  it('retries only its own step: the run completes and every recipient gets one message', async () => {
    const { id: scheduleId } = await createSchedule({ name: 'retry once', channels: ['email'] });
    await using instance = await runReport(scheduleId, async (m) => {
      await m.mockStepError({ name: REPORT_STEPS.deliver('email', 'email:client@example.com') }, new Error('outbox write timed out'), 2);
    });
    await instance.waitForStatus('complete');
    expect((await instance.getOutput()) as any).toMatchObject({ deliveries: { queued: 2, skipped: 0 } });
    const rows = await outboxOf(scheduleId);
    expect(rows.map((r) => r.recipient).sort()).toEqual(['client@example.com', fx.owner.email].sort());
  });

  it('failing for good errors the run after the steps before it delivered, without re-running them', async () => {
    const { id: scheduleId } = await createSchedule({ name: 'fails for good', channels: ['email'] });
    await using instance = await runReport(scheduleId, async (m) => {
      await m.mockStepError({ name: REPORT_STEPS.deliver('email', 'email:client@example.com') }, new Error('outbox unreachable'), 10);
    });
    await instance.waitForStatus('errored');
    // the member (first recipient) got exactly one; the failing one none; the run is on record
    const rows = await outboxOf(scheduleId);
    expect(rows.map((r) => r.recipient)).toEqual([fx.owner.email]);
    const [run] = await sql`select status, error from workflow_runs where instance_id = ${reportInstanceId(scheduleId, '2026-03-02')}`;
    expect(run).toMatchObject({ status: 'errored' });
    const listed = (await call('GET', `/reports/runs?schedule_id=${scheduleId}`, { token })).body.data;
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ status: 'failed', error: 'outbox unreachable' });
    expect(listed[0].deliveries.map((d: any) => [d.recipient, d.status])).toEqual([[`member:${fx.owner.userId}`, 'queued']]);
  });
});

describe('POST /reports/schedules/:id/preview', () => {
  it('answers the last period now without sending, with the same figures as a run', async () => {
    const { id } = await createSchedule({ name: 'preview' });
    const res = await call('POST', `/reports/schedules/${id}/preview`, { token, body: { as_of: '2026-03-09' } });
    expect(res.status).toBe(200);
    expect(res.body.preview.figures.period).toEqual({ start: '2026-03-02', end: '2026-03-08' });
    expect(res.body.preview.figures.summary.increments).toEqual({ views: 6000, likes: 350, comments: 50, reposts: 15, saves: 35, engagements: 450 });
    expect(res.body.preview.text).toContain('Top 2 videos by growth');
    expect(res.body.preview.html).toContain('<table>');
    expect(await outboxOf(id)).toHaveLength(0);
    const now = await call('POST', `/reports/schedules/${id}/preview`, { token });
    expect(now.status).toBe(200);
    expect(now.body.preview.figures.period.end < new Date().toISOString().slice(0, 10)).toBe(true);
  });

  it('scopes: tags cover the campaigns carrying them; the whole organization covers every campaign', async () => {
    const other = (await call('POST', '/campaigns', { token, body: { name: `Other ${crypto.randomUUID().slice(0, 6)}`, tags: ['autumn'] } })).body.campaign;
    expect((await call('PUT', `/campaigns/${fx.campaignId}/tags`, { token, body: { tags: ['spring'] } })).status).toBe(200);
    const preview = async (scope: unknown) => {
      const { id } = await createSchedule({ name: `scope ${crypto.randomUUID().slice(0, 6)}`, scope });
      return (await call('POST', `/reports/schedules/${id}/preview`, { token, body: { as_of: '2026-03-09' } })).body.preview.figures;
    };
    const spring = await preview({ type: 'tags', tags: ['spring'] });
    expect(spring.campaigns.map((c: any) => c.id)).toEqual([fx.campaignId]);
    expect(spring.summary.increments.views).toBe(6000);
    expect((await preview({ type: 'tags', tags: ['autumn'] })).campaigns.map((c: any) => c.id)).toEqual([other.id]);
    const all = await preview({ type: 'organization' });
    expect(all.campaigns.map((c: any) => c.id).sort()).toEqual([fx.campaignId, other.id].sort());
    expect(all.summary.increments.views).toBe(6000);
  });

  it('rejects impossible dates', async () => {
    const { id } = await createSchedule({ name: 'preview dates' });
    for (const as_of of ['2026-02-30', '2026-13-01', '2026-3-1', 'yesterday']) {
      const res = await call('POST', `/reports/schedules/${id}/preview`, { token, body: { as_of } });
      expect(res.status, as_of).toBe(400);
    }
  });
});

/** The Worker's raw Response, checked against the OpenAPI document (test/helpers/worker.ts). */
async function SELFfetch(path: string, bearer: string) {
  return fetchWorker(path, { headers: { authorization: `Bearer ${bearer}` } });
}

/** Public links point at REPORTS_PUBLIC_BASE_URL; the test Worker answers them on any origin. */
async function fetchPublic(url: string, headers: Record<string, string> = {}) {
  const u = new URL(url);
  return fetchWorker(u.pathname, { headers });
}
