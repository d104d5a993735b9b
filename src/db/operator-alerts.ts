import type { Db } from './client';

export interface OperatorAlertConfig {
  telegramChatId: string | null;
  email: string | null;
  deadLettersPerHour: number;
}

/**
 * Operator alerts, ONE statement (run by the 15-minute cron): finds
 *   - more dead letters in the last hour than the threshold          key: the hour
 *   - workflow runs the registry records as errored (after their last retry) in the last day
 *                                                                      key: the instance id
 *   - a platform's monthly quota exhausted (quota_exhausted dead letters this month)
 *                                                                      key: platform and month
 * and writes one outbox row per configured channel (ops Telegram chat, ops email), organization
 * null, deduplicated by key: a condition that persists alerts once per key, not every 15 minutes.
 * The rows are digest parts, due at once: the relay right after combines each tick's alerts into
 * one message per channel (combineDueDigests), so an outage does not flood the ops chat.
 */
export async function recordOperatorAlerts(db: Db, cfg: OperatorAlertConfig): Promise<{ id: string; organization_id: string | null }[]> {
  const channels = [
    ...(cfg.telegramChatId ? [{ channel: 'telegram', recipient: cfg.telegramChatId }] : []),
    ...(cfg.email ? [{ channel: 'email', recipient: cfg.email }] : []),
  ];
  if (channels.length === 0) return [];
  return db<{ id: string; organization_id: string | null }[]>`
    with events as (
      select 'ops:dead-letters:' || to_char(date_trunc('hour', now()), 'YYYY-MM-DD"T"HH24') as key,
             format('🚨 %s dead letters in the last hour (threshold %s). See /ops.', d.n, ${cfg.deadLettersPerHour}::int) as text
      from (select count(*)::int as n from public.dead_letters where created_at > now() - interval '1 hour') d
      where d.n > ${cfg.deadLettersPerHour}::int
      union all
      select 'ops:run-errored:' || r.instance_id,
             format('🚨 %s run %s errored after its last retry: %s', r.workflow, r.instance_id, left(coalesce(r.error, 'no error recorded'), 300))
      from public.workflow_runs r
      where r.status = 'errored' and coalesce(r.ended_at, r.updated_at) > now() - interval '1 day'
      union all
      select 'ops:quota:' || q.platform || ':' || to_char(now(), 'YYYY-MM'),
             format('🚨 %s API monthly quota exhausted (%s dead letters this month): %s', q.platform, q.n, left(q.reason, 200))
      from (
        select coalesce(d.body -> 'video' ->> 'platform', d.body ->> 'platform', 'unknown') as platform, count(*)::int as n, min(d.reason) as reason
        from public.dead_letters d
        where d.error_code = 'quota_exhausted' and d.created_at >= date_trunc('month', now())
        group by 1
      ) q
    ),
    channels as (
      select * from jsonb_to_recordset(${JSON.stringify(channels)}::text::jsonb) as c(channel text, recipient text)
    )
    insert into public.notification_outbox (organization_id, channel, recipient, template, payload, idempotency_key, digest)
    select null, c.channel, c.recipient, 'operator_alert', jsonb_build_object('text', e.text), e.key || ':' || c.channel, true
    from events e cross join channels c
    on conflict (idempotency_key) do nothing
    returning id, organization_id`;
}
