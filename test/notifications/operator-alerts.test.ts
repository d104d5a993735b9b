import { env } from 'cloudflare:test';
import { beforeEach, describe, expect, it } from 'vitest';
import { runNotificationCron } from '../../src/notifications/cron';
import { eventually } from '../helpers/api';
import { adminSql } from '../helpers/db';
import { fakeTelegram } from '../helpers/fake-telegram';

const sql = adminSql();
const OPS_CHAT = String(900_000_000 + Math.floor(Math.random() * 1_000_000));
const opsEnv = { ...env, OPS_ALERT_TELEGRAM_CHAT_ID: OPS_CHAT, OPS_ALERT_EMAIL: 'ops@influtics.test', OPS_ALERT_DEAD_LETTERS_PER_HOUR: '5' } as unknown as Env;
const opsRows = () => sql`select channel, recipient, template, payload, idempotency_key from notification_outbox where template = 'operator_alert' and recipient in (${OPS_CHAT}, 'ops@influtics.test') order by created_at`;

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
    const telegram = rows.filter((r) => r.channel === 'telegram').map((r) => r.payload.text as string);
    expect(telegram.filter((t) => t.includes('dead letters in the last hour'))).toHaveLength(1);
    expect(telegram.filter((t) => t.includes(instance) && t.includes('step fan-out failed'))).toHaveLength(1);
    expect(telegram.filter((t) => t.includes('tiktok API monthly quota exhausted'))).toHaveLength(1);
    expect(rows.filter((r) => r.channel === 'email')).toHaveLength(rows.filter((r) => r.channel === 'telegram').length);
    // delivered to the ops chat through the queue, once each; ≤ 1 message a second per chat, and in
    // a full run every errored run of earlier test files is alerted to this chat too
    await eventually(async () => (await fakeTelegram.sentTo(OPS_CHAT)).some((m) => m.text.includes(instance)), { timeoutMs: 15_000 + 1_200 * telegram.length });
    const sent = await fakeTelegram.sentTo(OPS_CHAT);
    expect(sent.filter((m) => m.text.includes(instance))).toHaveLength(1);
  }, 180_000);

  it('with no ops chat or email configured, nothing is written', async () => {
    const before = (await sql`select count(*)::int as n from notification_outbox where template = 'operator_alert'`)[0]!.n;
    await runNotificationCron(env);
    expect((await sql`select count(*)::int as n from notification_outbox where template = 'operator_alert'`)[0]!.n).toBe(before);
  });
});
