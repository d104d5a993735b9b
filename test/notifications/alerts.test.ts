import { createExecutionContext, createMessageBatch, env } from 'cloudflare:test';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import worker from '../../src/index';
import { recordNotificationEvents } from '../../src/db/alerts';
import type { SingleVideoMessage } from '../../src/domain/stats-messages';
import { relayDueNotifications } from '../../src/notifications/relay';
import { eventually } from '../helpers/api';
import { addMember, adminSql, createOrganization, rolledBackAs, type Fixture } from '../helpers/db';
import { fakePlatforms } from '../helpers/fake-platforms';
import { fakeTelegram } from '../helpers/fake-telegram';

const sql = adminSql();
let org: Fixture;
let linked: Fixture;
let chat: number;

const digits = () => `74${Math.floor(Math.random() * 1e15).toString().padStart(15, '0')}`;
let nextChat = 800_000_000 + Math.floor(Math.random() * 1_000_000);

async function linkTelegram(who: Fixture): Promise<number> {
  const c = ++nextChat;
  await sql`insert into telegram_links (organization_id, user_id, chat_id, linked_at) values (${who.orgId}, ${who.userId}, ${c}, now())`;
  return c;
}

async function trackedVideo() {
  const ext = digits();
  const url = `https://www.tiktok.com/@creator/video/${ext}`;
  const [v] = await sql`insert into videos (organization_id, platform, external_video_id, video_url, video_status, title)
    values (${org.orgId}, 'TikTok', ${ext}, ${url}, 'tracking', ${`Clip ${ext.slice(-4)}`}) returning id`;
  return { id: v!.id as string, ext, url };
}

/** The stats consumer refreshing one video (as HIGH_PRIORITY does), through the Worker's queue handler. */
async function refresh(v: { id: string; ext: string; url: string }, messageId: string = crypto.randomUUID()) {
  const body: SingleVideoMessage = {
    type: 'single_video', video_id: v.id, source: 'test', priority: 'high',
    video: { organization_id: org.orgId, video_url: v.url, initial_url: v.url, platform: 'TikTok', external_video_id: v.ext, user_id: org.userId },
  };
  const batch = createMessageBatch('influtics-high-priority', [{ id: messageId, timestamp: new Date(), attempts: 1, body }]);
  await worker.queue(batch, env, createExecutionContext());
}

const pin = (ext: string, views: number) => fakePlatforms.pinStats({ id: ext, views, likes: 1, comments: 1, reposts: 1, saves: 1 });
const alertRows = (videoId: string) => sql`select user_id, channel, recipient, template, status, deliver_after, payload from notification_outbox where idempotency_key like ${`alert:%:${videoId}:%`} order by created_at`;

beforeAll(async () => {
  org = await createOrganization(sql, { name: 'Acme Alerts' });
  linked = await addMember(sql, org.orgId, 'member');
  chat = await linkTelegram(linked);
  await sql`insert into alert_rules (organization_id, type, params) values
    (${org.orgId}, 'views_threshold', '{"views": 10000}'),
    (${org.orgId}, 'viral', '{"k": 3, "cooldown_hours": 24, "min_views_24h": 1000}'),
    (${org.orgId}, 'video_unavailable', '{}')`;
});
beforeEach(async () => {
  await fakePlatforms.reset();
  await fakeTelegram.reset();
});

describe('alerts after a stats batch (set-based, from the rollup)', () => {
  it('a video crossing N views produces exactly one Telegram message; a later refresh alerts nothing again', async () => {
    const v = await trackedVideo();
    await pin(v.ext, 15_000);
    await refresh(v);
    const sent = await eventually(async () => {
      const m = await fakeTelegram.sentTo(chat);
      return m.length > 0 && m;
    });
    expect(sent).toHaveLength(1);
    expect(sent[0]!.text).toContain('crossed 10000 views (now 15000)');
    expect(sent[0]!.text).toContain(v.url);

    await pin(v.ext, 16_000);
    await refresh(v);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await fakeTelegram.sentTo(chat)).toHaveLength(1);
    const rows = await alertRows(v.id);
    expect(rows.filter((r) => r.template === 'views_threshold')).toHaveLength(1);
  });

  it('a video that was already past N at the previous day’s close alerts nothing: the threshold was crossed before', async () => {
    const v = await trackedVideo();
    await sql`insert into video_statistics (organization_id, video_id, external_video_id, views, fetch_key, created_at)
      select ${org.orgId}, ${v.id}, ${v.ext}, 20000 + 100 * (3 - d), ${`hist-${v.id}-`} || d, date_trunc('day', now()) - make_interval(days => d) + interval '12 hours'
      from generate_series(1, 3) d`;
    await pin(v.ext, 20_500);
    await refresh(v);
    expect(await alertRows(v.id)).toHaveLength(0);
  });

  it('below the threshold nothing is written', async () => {
    const v = await trackedVideo();
    await pin(v.ext, 9_999);
    await refresh(v);
    expect(await alertRows(v.id)).toHaveLength(0);
  });

  it('a redelivered message whose snapshot was already written (the worker died before the alert step) still alerts, once', async () => {
    const v = await trackedVideo();
    const messageId = crypto.randomUUID();
    // what the first delivery wrote before it died: the snapshot under the message's fetch key
    await sql`insert into video_statistics (organization_id, video_id, external_video_id, views, fetch_key) values (${org.orgId}, ${v.id}, ${v.ext}, 15000, ${messageId})`;
    await pin(v.ext, 15_000);
    await refresh(v, messageId);
    expect(await sql`select count(*)::int as n from video_statistics where video_id = ${v.id}`).toEqual([{ n: 1 }]);
    expect((await alertRows(v.id)).map((r) => r.template)).toEqual(['views_threshold']);
    await refresh(v, messageId);
    expect((await alertRows(v.id)).map((r) => r.template)).toEqual(['views_threshold']);
  });

  it('viral: growth far above the video’s usual day alerts once per cooldown; steady growth does not', async () => {
    const hot = await trackedVideo();
    const steady = await trackedVideo();
    for (const v of [hot, steady]) {
      // ten days of history, +100 views a day (the rollup triggers keep video_daily_stats)
      await sql`insert into video_statistics (organization_id, video_id, external_video_id, views, fetch_key, created_at)
        select ${org.orgId}, ${v.id}, ${v.ext}, 1000 + 100 * (10 - d), ${`hist-${v.id}-`} || d, date_trunc('day', now()) - make_interval(days => d) + interval '12 hours'
        from generate_series(1, 10) d`;
    }
    await pin(hot.ext, 9_000); // +7,100 since yesterday's close (1,900): 71 × its median day, under the 10k rule
    await pin(steady.ext, 2_000); // +100: its usual day
    await refresh(hot);
    await refresh(steady);
    const hotRows = await alertRows(hot.id);
    expect(hotRows.map((r) => r.template)).toEqual(['viral']);
    expect(hotRows[0]!.payload.text).toContain('+7100 views since yesterday');
    expect(await alertRows(steady.id)).toHaveLength(0);
    await eventually(async () => (await fakeTelegram.sentTo(chat)).some((m) => m.text.includes('is taking off')));
    // the same day again: within the cooldown, nothing new
    await pin(hot.ext, 12_000 - 2_500);
    await refresh(hot);
    expect((await alertRows(hot.id)).filter((r) => r.template === 'viral')).toHaveLength(1);
  });

  it('the creator’s baseline is computed once a day and shared by its videos: later batches read the kept row', async () => {
    const [blogger] = await sql`insert into blogger_information (organization_id, platform, username, external_id) values (${org.orgId}, 'TikTok', ${`creator${digits()}`}, ${`ext-${digits()}`}) returning id`;
    const first = await trackedVideo();
    const second = await trackedVideo();
    const third = await trackedVideo();
    for (const v of [first, second, third]) {
      await sql`update videos set blogger_id = ${blogger!.id} where id = ${v.id}`;
      await sql`insert into video_statistics (organization_id, video_id, external_video_id, views, fetch_key, created_at)
        select ${org.orgId}, ${v.id}, ${v.ext}, 1000 + 100 * (10 - d), ${`hist-${v.id}-`} || d, date_trunc('day', now()) - make_interval(days => d) + interval '12 hours'
        from generate_series(1, 10) d`;
    }
    await pin(first.ext, 9_000); // +7,100 against the creator's usual +100
    await refresh(first);
    expect((await alertRows(first.id)).map((r) => r.template)).toEqual(['viral']);
    const [kept] = await sql`select day = current_date as today, median from creator_growth_baselines where creator_id = ${blogger!.id}`;
    expect(kept).toEqual({ today: true, median: 100 });
    // service only: members of the organization read none of it
    expect(await rolledBackAs(sql, { sub: org.userId }, (tx) => tx`select * from creator_growth_baselines where organization_id = ${org.orgId}`)).toEqual([]);

    // the second video's batch reads the kept row, not the history: with a kept usual day of
    // 1,000,000 views the same jump is ordinary
    await sql`update creator_growth_baselines set median = 1000000 where creator_id = ${blogger!.id}`;
    await pin(second.ext, 9_000);
    await refresh(second);
    expect(await alertRows(second.id)).toHaveLength(0);
    // a row kept on an earlier day is not today's: the next batch computes today's again
    await sql`update creator_growth_baselines set day = current_date - 1 where creator_id = ${blogger!.id}`;
    await pin(third.ext, 9_000);
    await refresh(third);
    expect((await alertRows(third.id)).map((r) => r.template)).toEqual(['viral']);
    expect((await sql`select median from creator_growth_baselines where creator_id = ${blogger!.id} and day = current_date`)[0]).toEqual({ median: 100 });
  });

  it('a video the platform no longer returns alerts "unavailable" once', async () => {
    const v = await trackedVideo();
    await fakePlatforms.markDeleted([v.ext]);
    await refresh(v);
    await refresh(v);
    const rows = await alertRows(v.id);
    expect(rows.map((r) => r.template)).toEqual(['video_unavailable']);
    await eventually(async () => (await fakeTelegram.sentTo(chat)).some((m) => m.text.includes('deleted or is no longer available')));
  });

  it('quiet hours defer: the row waits until the member’s quiet hours end, and the relay leaves it until then', async () => {
    const sleeper = await addMember(sql, org.orgId, 'viewer');
    const sleeperChat = await linkTelegram(sleeper);
    const hour = new Date().getUTCHours(); // the organization's timezone is UTC
    const hh = (h: number) => `${String((h + 24) % 24).padStart(2, '0')}:00`;
    await sql`insert into notification_preferences (organization_id, user_id, quiet_hours_start, quiet_hours_end)
      values (${org.orgId}, ${sleeper.userId}, ${hh(hour - 1)}::time, ${hh(hour + 2)}::time)`;
    const v = await trackedVideo();
    await pin(v.ext, 20_000);
    await refresh(v);
    await eventually(async () => (await fakeTelegram.sentTo(chat)).some((m) => m.text.includes(v.url)));
    const [row] = (await alertRows(v.id)).filter((r) => r.user_id === sleeper.userId);
    expect(row).toMatchObject({ status: 'queued', channel: 'telegram', recipient: String(sleeperChat) });
    const end = new Date();
    end.setUTCHours(hour + 2, 0, 0, 0);
    expect(new Date(row!.deliver_after).getTime()).toBe(end.getTime());
    await relayDueNotifications(env);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await fakeTelegram.sentTo(sleeperChat)).toHaveLength(0);
    // when the quiet hours are over, the relay sends it
    await sql`update notification_outbox set deliver_after = now() - interval '1 second' where user_id = ${sleeper.userId} and idempotency_key like ${`alert:%:${v.id}:%`}`;
    await relayDueNotifications(env);
    await eventually(async () => (await fakeTelegram.sentTo(sleeperChat)).length === 1);
  });

  it('a member who turned a type off, or chose email, gets exactly what they chose', async () => {
    const off = await addMember(sql, org.orgId, 'member');
    await linkTelegram(off);
    await sql`insert into notification_preferences (organization_id, user_id, channels) values (${org.orgId}, ${off.userId}, '{"views_threshold": []}')`;
    const mail = await addMember(sql, org.orgId, 'member');
    await sql`insert into notification_preferences (organization_id, user_id, channels) values (${org.orgId}, ${mail.userId}, '{"views_threshold": ["email"]}')`;
    const v = await trackedVideo();
    await pin(v.ext, 30_000);
    await refresh(v);
    const rows = await alertRows(v.id);
    expect(rows.filter((r) => r.user_id === off.userId)).toHaveLength(0);
    expect(rows.filter((r) => r.user_id === mail.userId).map((r) => [r.channel, r.recipient])).toEqual([['email', mail.email]]);
  });
});

describe('writers for other features', () => {
  it('recordNotificationEvents fans an event out once per member and channel, deduplicated by its key', async () => {
    const key = `job-${crypto.randomUUID()}`;
    const event = { organizationId: org.orgId, type: 'import_finished' as const, dedupeKey: key, text: 'Import finished: 120 videos added', userIds: [linked.userId] };
    const first = await recordNotificationEvents(sql, [event]);
    const second = await recordNotificationEvents(sql, [event]);
    expect(first).toHaveLength(1);
    expect(second).toHaveLength(0);
    const [row] = await sql`select channel, recipient, template, payload from notification_outbox where id = ${first[0]!.outbox_id}`;
    expect(row).toMatchObject({ channel: 'telegram', recipient: String(chat), template: 'import_finished', payload: { text: 'Import finished: 120 videos added' } });
  });
});

describe('another organization', () => {
  it('never hears about this organization’s videos', async () => {
    const outsider = await createOrganization(sql);
    const outsiderChat = await linkTelegram(outsider);
    await sql`insert into alert_rules (organization_id, type, params) values (${outsider.orgId}, 'views_threshold', '{"views": 1}')`;
    const v = await trackedVideo();
    await pin(v.ext, 50_000);
    await refresh(v);
    const rows = await alertRows(v.id);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.recipient !== String(outsiderChat))).toBe(true);
    expect((await sql`select count(*)::int as n from notification_outbox where organization_id = ${outsider.orgId}`)[0]!.n).toBe(0);
  });
});
