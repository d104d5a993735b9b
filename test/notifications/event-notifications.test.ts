import { env, introspectWorkflow } from 'cloudflare:test';
import { beforeEach, describe, expect, it } from 'vitest';
import { strToU8 } from 'fflate';
import { recordImportFinished } from '../../src/notifications/import-finished';
import { recordNewVideos } from '../../src/notifications/new-video';
import { runNotificationCron } from '../../src/notifications/cron';
import { accessTokenFor, NeedsReauthError } from '../../src/steps/google-token';
import { EXCEL_IMPORT_STEPS } from '../../src/workflows/excel-import';
import type { BloggerFetchParams } from '../../src/workflows/params';
import { eventually, tokenFor } from '../helpers/api';
import { addMember, adminSql, createOrganization, type Fixture } from '../helpers/db';
import { fakeLoops } from '../helpers/fake-loops';
import { fakePlatforms } from '../helpers/fake-platforms';
import { fakeTelegram } from '../helpers/fake-telegram';
import { waitForWorkflow } from '../helpers/workflows';
import { simpleWorkbook, tiktokUrl } from '../excel/files';
import { upload, waitForImport } from '../excel/helpers';
import { connectGoogle, fakeGoogle } from '../sheets/support';

/**
 * The notification types other features produce (transactional outbox): each event → outbox row
 * → NOTIFICATIONS queue → exactly one request to the fake Telegram / Loops; the same event again
 * (a retried step, a re-run, a later cron) writes and sends nothing twice.
 */
const sql = adminSql();
let nextChat = 900_000_000 + Math.floor(Math.random() * 1_000_000);

async function linkTelegram(who: Fixture): Promise<number> {
  const c = ++nextChat;
  await sql`insert into telegram_links (organization_id, user_id, chat_id, linked_at) values (${who.orgId}, ${who.userId}, ${c}, now())`;
  return c;
}
const rowsOf = (orgId: string, template: string) =>
  sql`select user_id, channel, recipient, status, payload, idempotency_key from notification_outbox where organization_id = ${orgId} and template = ${template} order by created_at, channel`;
/** Long enough for a wrongly enqueued second message to have been delivered. */
const settle = () => new Promise((r) => setTimeout(r, 1500));

beforeEach(async () => {
  await fakeTelegram.reset();
  await fakeLoops.reset();
});

describe('import_finished (ExcelImport)', () => {
  it('a completed import tells the member who started it, with its counts, once', async () => {
    const org = await createOrganization(sql, { plan: 'pro' });
    const ownerChat = await linkTelegram(org);
    const starter = await addMember(sql, org.orgId, 'member');
    const starterChat = await linkTelegram(starter);
    const file = await simpleWorkbook(['Video URL'], [[tiktokUrl()], [tiktokUrl()], ['not a link']]);
    const res = await upload(await tokenFor(starter.userId), file, { multipart: true, orgId: org.orgId });
    expect(res.status).toBe(202);
    const job = await waitForImport(await tokenFor(starter.userId), res.body.job_id);
    expect(job.status).toBe('completed');

    const sent = await eventually(async () => {
      const m = await fakeTelegram.sentTo(starterChat);
      return m.length > 0 && m;
    });
    expect(sent).toHaveLength(1);
    expect(sent[0]!.text).toBe('📥 Import "links.xlsx" finished: 2 added, 0 already present, 1 invalid.');
    // the finish step run again (a retry after its commit) writes nothing new
    expect(await recordImportFinished(sql, res.body.job_id)).toEqual([]);
    await settle();
    expect(await fakeTelegram.sentTo(starterChat)).toHaveLength(1);
    expect(await fakeTelegram.sentTo(ownerChat)).toHaveLength(0);
    const rows = await rowsOf(org.orgId, 'import_finished');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ user_id: starter.userId, channel: 'telegram', status: 'sent', idempotency_key: `import_finished:import:${res.body.job_id}:completed:${starter.userId}:telegram` });
  });

  it('a refused file tells the starter why it failed; an email subscriber gets the counts as Loops variables', async () => {
    const org = await createOrganization(sql, { plan: 'pro' });
    const chat = await linkTelegram(org);
    await sql`insert into notification_preferences (organization_id, user_id, channels) values (${org.orgId}, ${org.userId}, '{"import_finished": ["telegram", "email"]}')`;
    const token = await tokenFor(org.userId);
    const res = await upload(token, strToU8(`url\n${tiktokUrl()}\n`), { multipart: true });
    const job = await waitForImport(token, res.body.job_id);
    expect(job.status).toBe('failed');

    const sent = await eventually(async () => {
      const m = await fakeTelegram.sentTo(chat);
      return m.length > 0 && m;
    });
    expect(sent).toHaveLength(1);
    expect(sent[0]!.text).toMatch(/^❌ Import "links\.xlsx" failed: .*not an \.xlsx workbook/);
    const mails = await eventually(async () => {
      const m = await fakeLoops.sentTo(org.email);
      return m.length > 0 && m;
    });
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({
      transactionalId: 'test-tx-import-finished',
      dataVariables: { status: 'failed', fileName: 'links.xlsx', jobId: res.body.job_id, added: 0, failureReason: expect.stringMatching(/not an \.xlsx workbook/) },
    });
    expect(await recordImportFinished(sql, res.body.job_id)).toEqual([]);
    await settle();
    expect(await fakeTelegram.sentTo(chat)).toHaveLength(1);
    expect(await fakeLoops.sentTo(org.email)).toHaveLength(1);
  });
});

describe('import_finished when the run fails for good', () => {
  it('a step out of retries marks the job failed and tells its starter, once', async () => {
    const org = await createOrganization(sql, { plan: 'pro' });
    const chat = await linkTelegram(org);
    const token = await tokenFor(org.userId);
    await using introspector = await introspectWorkflow(env.EXCEL_IMPORT);
    await introspector.modifyAll(async (m) => {
      await m.disableRetryDelays();
      await m.mockStepError({ name: EXCEL_IMPORT_STEPS.chunk(1) }, new Error('database refused the chunk'));
    });
    const res = await upload(token, await simpleWorkbook(['Video URL'], [[tiktokUrl()]]), { multipart: true });
    expect(res.status).toBe(202);
    const job = await waitForImport(token, res.body.job_id);
    expect(job.status).toBe('failed');
    expect(job.failure).toEqual({ code: 'import_error', reason: expect.stringMatching(/database refused the chunk/) });
    const sent = await eventually(async () => {
      const m = await fakeTelegram.sentTo(chat);
      return m.length > 0 && m;
    });
    expect(sent).toHaveLength(1);
    expect(sent[0]!.text).toMatch(/^❌ Import "links\.xlsx" failed: the import stopped with an error: .*database refused the chunk/);
    await eventually(async () => (await sql`select status from workflow_runs where instance_id = ${job.workflow_instance_id}`)[0]?.status === 'errored');
    await settle();
    expect(await fakeTelegram.sentTo(chat)).toHaveLength(1);
  });
});

describe('sheets_reauth (Google invalid_grant)', () => {
  it('one notification per reauth episode to the connector, by Telegram and email; later runs meeting the mark send nothing', async () => {
    const org = await createOrganization(sql);
    const chat = await linkTelegram(org);
    const viewer = await addMember(sql, org.orgId, 'viewer');
    const viewerChat = await linkTelegram(viewer);
    const email = `reauth-${org.userId.slice(0, 8)}@gmail.com`;
    const { integrationId } = await connectGoogle(org, { email });
    await fakeGoogle.tokens({ revoke_refresh_for: email });

    // the token step of a Sheets run: Google refuses the grant
    await expect(accessTokenFor(env, sql, integrationId, { forceRefresh: true })).rejects.toBeInstanceOf(NeedsReauthError);
    const sent = await eventually(async () => {
      const m = await fakeTelegram.sentTo(chat);
      return m.length > 0 && m;
    });
    expect(sent).toHaveLength(1);
    expect(sent[0]!.text).toContain(`${email} must be connected again`);
    const mails = await eventually(async () => {
      const m = await fakeLoops.sentTo(org.email);
      return m.length > 0 && m;
    });
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({ transactionalId: 'test-tx-sheets-reauth', dataVariables: { googleEmail: email, integrationId, reason: expect.stringMatching(/invalid_grant/) } });

    // the next run finds the integration still needs_reauth: nothing new
    await expect(accessTokenFor(env, sql, integrationId, { forceRefresh: true })).rejects.toBeInstanceOf(NeedsReauthError);
    await settle();
    expect(await fakeTelegram.sentTo(chat)).toHaveLength(1);
    expect(await fakeLoops.sentTo(org.email)).toHaveLength(1);
    expect(await fakeTelegram.sentTo(viewerChat)).toHaveLength(0); // a viewer cannot reconnect it
    expect(await rowsOf(org.orgId, 'sheets_reauth')).toHaveLength(2); // one telegram, one email

    // reconnected, then revoked again: a new episode, a new notification
    await connectGoogle(org, { email });
    await fakeGoogle.tokens({ revoke_refresh_for: email });
    await expect(accessTokenFor(env, sql, integrationId, { forceRefresh: true })).rejects.toBeInstanceOf(NeedsReauthError);
    await eventually(async () => (await fakeTelegram.sentTo(chat)).length === 2);
    expect(await rowsOf(org.orgId, 'sheets_reauth')).toHaveLength(4);
  });
});

describe('new_video (BloggerDailyFetch)', () => {
  it('a daily fetch that saves videos the organization did not have notifies once per blogger and run; the initial fetch does not', async () => {
    await fakePlatforms.reset();
    const org = await createOrganization(sql, { plan: 'pro' });
    const chat = await linkTelegram(org);
    const username = `newvid_${crypto.randomUUID().slice(0, 8)}`;
    const [b] = await sql`insert into blogger_information (organization_id, platform, username, external_id) values (${org.orgId}, 'TikTok', ${username}, ${'ext-' + username}) returning id`;
    const [t] = await sql`insert into tracked_accounts (organization_id, blogger_id, initial_videos_count, daily_videos_count, initial_videos_fetched) values (${org.orgId}, ${b!.id}, 3, 5, false) returning id`;
    const params: BloggerFetchParams = { trackingId: t!.id, organizationId: org.orgId, bloggerId: b!.id, platform: 'TikTok', externalId: `ext-${username}`, secUid: null, username, videoCount: 3, userId: org.userId };

    const initial = `initial-newvid-${crypto.randomUUID().slice(0, 8)}`;
    await env.INITIAL_BLOGGER_FETCH.create({ id: initial, params });
    expect((await waitForWorkflow('INITIAL_BLOGGER_FETCH', initial)).output).toMatchObject({ saved: { videos_inserted: 3 } });

    const daily = `blogger-daily-newvid-${crypto.randomUUID().slice(0, 8)}`;
    await env.BLOGGER_DAILY_FETCH.create({ id: daily, params: { ...params, videoCount: 5, runKey: '20261203T00' } });
    const run = await waitForWorkflow('BLOGGER_DAILY_FETCH', daily);
    expect(run.output).toMatchObject({ saved: { videos_inserted: 2, videos_updated: 3 } });

    const sent = await eventually(async () => {
      const m = await fakeTelegram.sentTo(chat);
      return m.length > 0 && m;
    });
    expect(sent).toHaveLength(1);
    const added = await sql`select video_url from videos where blogger_id = ${b!.id} and source = 'blogger_batch' order by published_at desc`;
    expect(added).toHaveLength(2);
    expect(sent[0]!.text).toBe(`🆕 @${username} (TikTok) posted 2 new videos: ${added[0]!.video_url}`);

    // the same run's save again (a retry after its commit) notifies nobody
    expect(await recordNewVideos(sql, params, daily, { videos_inserted: 2, videos_updated: 3, snapshots_inserted: 0, skipped_for_quota: 0, to_refresh: [], first_new_video_url: added[0]!.video_url })).toEqual([]);
    // a later run that finds nothing new is silent
    const again = `blogger-daily-newvid-${crypto.randomUUID().slice(0, 8)}`;
    await env.BLOGGER_DAILY_FETCH.create({ id: again, params: { ...params, videoCount: 5, runKey: '20261204T00' } });
    expect((await waitForWorkflow('BLOGGER_DAILY_FETCH', again)).output).toMatchObject({ saved: { videos_inserted: 0 } });
    await settle();
    expect(await fakeTelegram.sentTo(chat)).toHaveLength(1);
    expect(await rowsOf(org.orgId, 'new_video')).toHaveLength(1);
  });
});

describe('limit_usage (15-minute cron)', () => {
  async function trackVideos(orgId: string, n: number) {
    await sql`insert into videos (organization_id, platform, external_video_id, video_url, video_status)
      select ${orgId}, 'TikTok', e, 'https://www.tiktok.com/@lim/video/' || e, 'tracking'
      from (select '75' || lpad((floor(random() * 1e15))::bigint::text, 15, '0') as e from generate_series(1, ${n})) x`;
  }

  it('80 % and 100 % rules alert once each per limit and period, by Telegram and email, from the effective (overridden) limit', async () => {
    const org = await createOrganization(sql, { plan: 'pro' });
    const chat = await linkTelegram(org);
    await sql`insert into organization_custom_limits (organization_id, max_tracked_videos) values (${org.orgId}, 10)`;
    await sql`insert into alert_rules (organization_id, type, params) values (${org.orgId}, 'limit_usage', '{"percent": 80}'), (${org.orgId}, 'limit_usage', '{"percent": 100}')`;
    const quiet = await createOrganization(sql, { plan: 'pro' }); // no rule: never alerted
    const quietChat = await linkTelegram(quiet);
    await sql`insert into organization_custom_limits (organization_id, max_tracked_videos) values (${quiet.orgId}, 1)`;
    await trackVideos(quiet.orgId, 1);

    await trackVideos(org.orgId, 7); // 70 %: nothing yet
    await runNotificationCron(env);
    expect(await rowsOf(org.orgId, 'limit_usage')).toHaveLength(0);

    await trackVideos(org.orgId, 1); // 80 %
    await runNotificationCron(env);
    const first = await eventually(async () => {
      const m = await fakeTelegram.sentTo(chat);
      return m.length > 0 && m;
    });
    expect(first).toHaveLength(1);
    expect(first[0]!.text).toBe('⚠️ Your organization has used 80% of its tracked videos limit (8 of 10).');
    const mails = await eventually(async () => {
      const m = await fakeLoops.sentTo(org.email);
      return m.length > 0 && m;
    });
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({ transactionalId: 'test-tx-limit-usage', dataVariables: { limit: 'max_tracked_videos', used: 8, max: 10, percent: 80, threshold: 80 } });

    await runNotificationCron(env); // the next cron: still 80 %, nothing new
    await settle();
    expect(await fakeTelegram.sentTo(chat)).toHaveLength(1);

    await trackVideos(org.orgId, 2); // 100 %: the 100 % rule fires, the 80 % rule stays quiet
    await runNotificationCron(env);
    await runNotificationCron(env);
    const both = await eventually(async () => {
      const m = await fakeTelegram.sentTo(chat);
      return m.length > 1 && m;
    });
    await settle();
    expect((await fakeTelegram.sentTo(chat)).map((m) => m.text)).toEqual([
      '⚠️ Your organization has used 80% of its tracked videos limit (8 of 10).',
      '⛔ Your organization has used 100% of its tracked videos limit (10 of 10): nothing more can be added until it is raised or the period ends.',
    ]);
    expect(both).toHaveLength(2);
    expect(await fakeLoops.sentTo(org.email)).toHaveLength(2);
    expect(await rowsOf(org.orgId, 'limit_usage')).toHaveLength(4);
    expect(await fakeTelegram.sentTo(quietChat)).toHaveLength(0);
    expect(await rowsOf(quiet.orgId, 'limit_usage')).toHaveLength(0);
  });

  it('an expired override no longer counts: the plan limit applies', async () => {
    const org = await createOrganization(sql, { plan: 'free' });
    const chat = await linkTelegram(org);
    const [plan] = await sql`select max_tracked_videos from subscription_plan_limits where plan = 'free'`;
    const planMax = plan!.max_tracked_videos as number;
    // 5 tracked videos: at the expired override's 5, far below the free plan's limit
    await sql`insert into organization_custom_limits (organization_id, max_tracked_videos, expires_at) values (${org.orgId}, 5, now() - interval '1 day')`;
    await sql`insert into alert_rules (organization_id, type, params) values (${org.orgId}, 'limit_usage', '{"percent": 80}')`;
    await trackVideos(org.orgId, 5);
    expect(planMax).toBeGreaterThan(Math.ceil(5 / 0.8));
    await runNotificationCron(env);
    await settle();
    expect(await rowsOf(org.orgId, 'limit_usage')).toHaveLength(0);
    expect(await fakeTelegram.sentTo(chat)).toHaveLength(0);
  });
});
