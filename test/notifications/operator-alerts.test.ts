import { env } from 'cloudflare:test';
import { beforeEach, describe, expect, it } from 'vitest';
import { runNotificationCron } from '../../src/notifications/cron';
import { eventually } from '../helpers/api';
import { adminSql } from '../helpers/db';
import { fakeTelegram } from '../helpers/fake-telegram';

const sql = adminSql();
const OPS_CHAT = String(900_000_000 + Math.floor(Math.random() * 1_000_000));
const opsEnv = { ...env, OPS_ALERT_TELEGRAM_CHAT_ID: OPS_CHAT, OPS_ALERT_EMAIL: 'ops@influtics.test', OPS_ALERT_DEAD_LETTERS_PER_HOUR: '5' } as unknown as Env;
const opsRows = () => sql`select id, channel, recipient, template, payload, idempotency_key, status, digest_id from notification_outbox where template = 'operator_alert' and recipient in (${OPS_CHAT}, 'ops@influtics.test') order by created_at`;

beforeEach(async () => {
  await fakeTelegram.reset();
});

describe('operator alerts (15-minute cron)', () => {
  it('dead letters above the hourly threshold, an errored run and an exhausted quota each alert the ops chat and email once', async () => {
    const tag = crypto.randomUUID().slice(0, 8);
    const recent = Number((await sql`select count(*)::int as n from dead_letters where created_at > now() - interval '1 hour'`)[0]!.n);
    const needed = Math.max(0, 6 - recent);
    await sql`insert into dead_letters (message_id, source_queue, error_code, reason, body)
      select ${`ops-${tag}-`} || g, 'influtics-low-priority', 'platform_unavailable', 'HTTP 503', '{}'::jsonb from generate_series(1, ${needed}::int) g`;
    await sql`insert into dead_letters (message_id, source_queue, error_code, reason, body)
      values (${`ops-${tag}-quota`}, 'influtics-low-priority', 'quota_exhausted', 'You have exceeded the MONTHLY quota', '{"platform": "tiktok"}')`;
    const instance = `nightly-refresh-test-${tag}`;
    await sql`insert into workflow_runs (instance_id, workflow, trigger, status, error, ended_at) values (${instance}, 'NightlyRefresh', 'cron', 'errored', 'step fan-out failed 10 times', now())`;

    // The cron's relay also sends every due row earlier test files left queued (one shared database);
    // those would queue ahead of the ops alerts, so they are set aside for this test.
    await sql`update notification_outbox set status = 'cancelled' where status in ('queued', 'sending')`;
    // Likewise every run earlier files left errored would alert the ops chat (1 message/s per chat)
    // ahead of this one: they are moved out of the alert's one-day window.
    await sql`update workflow_runs set ended_at = now() - interval '2 days' where status = 'errored' and instance_id <> ${instance}`;
    await runNotificationCron(opsEnv);
    await runNotificationCron(opsEnv); // the conditions persist: nothing is written twice
    const rows = await opsRows();
    // one part per condition and channel, combined into ONE message per channel for the tick
    const parts = rows.filter((r) => r.status === 'combined');
    const telegram = parts.filter((r) => r.channel === 'telegram').map((r) => r.payload.text as string);
    expect(telegram.filter((t) => t.includes('dead letters in the last hour'))).toHaveLength(1);
    expect(telegram.filter((t) => t.includes(instance) && t.includes('step fan-out failed'))).toHaveLength(1);
    expect(telegram.filter((t) => t.includes('tiktok API monthly quota exhausted'))).toHaveLength(1);
    expect(parts.filter((r) => r.channel === 'email')).toHaveLength(telegram.length);
    const combined = rows.filter((r) => r.status !== 'combined');
    expect(combined.map((r) => r.channel).sort()).toEqual(['email', 'telegram']);
    expect(new Set(parts.map((r) => r.digest_id))).toEqual(new Set(combined.map((r) => r.id)));
    // delivered to the ops chat through the queue: one message holding every alert of the tick
    const sent = await eventually(async () => {
      const s = await fakeTelegram.sentTo(OPS_CHAT);
      return s.length > 0 && s;
    }, { timeoutMs: 15_000 });
    expect(sent).toHaveLength(1);
    expect(sent[0]!.text).toMatch(new RegExp(`^🚨 ${telegram.length} operator alerts`));
    for (const needle of [instance, 'dead letters in the last hour', 'tiktok API monthly quota exhausted']) expect(sent[0]!.text).toContain(needle);
    await runNotificationCron(opsEnv);
    expect(await fakeTelegram.sentTo(OPS_CHAT)).toHaveLength(1);
  }, 180_000);

  it('with no ops chat or email configured, nothing is written', async () => {
    const before = (await sql`select count(*)::int as n from notification_outbox where template = 'operator_alert'`)[0]!.n;
    await runNotificationCron(env);
    expect((await sql`select count(*)::int as n from notification_outbox where template = 'operator_alert'`)[0]!.n).toBe(before);
  });
});
