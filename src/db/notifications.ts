import { jsonb, type Db, type Sql } from './client';

/**
 * The notification outbox (service only: RLS has no policy for members). A row is claimed before
 * it is sent and the claim lapses, so a crashed consumer's row is sent by the next delivery, and
 * a redelivered message finds the row `sent` and sends nothing.
 */
export type OutboxStatus = 'queued' | 'sending' | 'sent' | 'failed' | 'cancelled' | 'combined';

export interface OutboxRow {
  id: string;
  organization_id: string | null;
  user_id: string | null;
  channel: 'email' | 'telegram';
  recipient: string;
  template: string;
  payload: Record<string, unknown>;
  idempotency_key: string;
  status: OutboxStatus;
  attempts: number;
  error: string | null;
  claimed_until: Date | null;
  deliver_after: Date;
  enqueued_at: Date | null;
  sent_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = (db: Db) => db`id, organization_id, user_id, channel, recipient, template, payload, idempotency_key, status, attempts, error,
  claimed_until, deliver_after, enqueued_at, sent_at, created_at, updated_at`;

export interface NewOutboxRow {
  /** null for operator alerts and bot replies to chats that belong to no organization */
  organizationId: string | null;
  userId?: string | null;
  channel: 'email' | 'telegram';
  recipient: string;
  template: string;
  payload: Record<string, unknown>;
  idempotencyKey: string;
  deliverAfter?: Date | null;
}

/**
 * Writes the row inside the caller's transaction (the transactional outbox), also when the caller
 * runs as the signed-in user: private.record_notification is the one door members' requests have.
 * A second write with the same idempotency key returns the first row's id.
 */
export async function recordNotification(db: Db, m: NewOutboxRow): Promise<string> {
  const [row] = await db<{ id: string }[]>`
    select private.record_notification(
      ${m.organizationId}::uuid, ${m.channel}, ${m.recipient}, ${m.template}, ${jsonb(m.payload)}::text::jsonb,
      ${m.idempotencyKey}, ${m.userId ?? null}::uuid, ${m.deliverAfter ?? null}::timestamptz) as id`;
  return row!.id;
}

export async function findOutboxRow(db: Db, id: string): Promise<OutboxRow | undefined> {
  const [row] = await db<OutboxRow[]>`select ${COLUMNS(db)} from public.notification_outbox where id = ${id}`;
  return row;
}

/**
 * Claims a row for sending: queued (or failed, when an operator replays its dead letter) and due,
 * or `sending` with a lapsed claim. Undefined when someone else holds it or there is nothing to send.
 * Telegram rows also wait for the chat's previous message to be ≥ 1 s old (the Bot API's per-chat
 * limit); a per-chat advisory lock makes that check and the claim one step for concurrent consumers.
 */
export async function claimOutboxRow(sql: Sql, id: string, claimSeconds: number): Promise<{ row?: OutboxRow; chatBusyUntil?: Date }> {
  return (await sql.begin(async (tx) => {
    const [target] = await tx<{ channel: string; recipient: string }[]>`select channel, recipient from public.notification_outbox where id = ${id}`;
    if (!target) return {};
    if (target.channel === 'telegram') {
      await tx`select pg_advisory_xact_lock(hashtext(${`telegram-chat:${target.recipient}`}))`;
      const [busy] = await tx<{ until: Date }[]>`
        select greatest(max(sent_at) + interval '1 second', max(claimed_until) filter (where status = 'sending' and claimed_until > now())) as until
        from public.notification_outbox
        where channel = 'telegram' and recipient = ${target.recipient} and id <> ${id}
          and (sent_at > now() - interval '1 second' or (status = 'sending' and claimed_until > now()))`;
      if (busy?.until && busy.until > new Date()) return { chatBusyUntil: busy.until };
    }
    const [row] = await tx<OutboxRow[]>`
      update public.notification_outbox
      set status = 'sending', claimed_until = now() + make_interval(secs => ${claimSeconds}), attempts = attempts + 1, last_attempt_at = now()
      where id = ${id} and deliver_after <= now() and not digest
        and (status in ('queued', 'failed') or (status = 'sending' and claimed_until < now()))
      returning ${COLUMNS(tx)}`;
    return { row };
  })) as { row?: OutboxRow; chatBusyUntil?: Date };
}

export async function markOutboxSent(db: Db, id: string): Promise<void> {
  await db`update public.notification_outbox set status = 'sent', sent_at = now(), claimed_until = null, error = null where id = ${id}`;
}

export async function markOutboxFailed(db: Db, id: string, error: string): Promise<void> {
  await db`update public.notification_outbox set status = 'failed', claimed_until = null, error = ${error} where id = ${id}`;
}

export async function markOutboxCancelled(db: Db, id: string, reason: string): Promise<void> {
  await db`update public.notification_outbox set status = 'cancelled', claimed_until = null, error = ${reason} where id = ${id}`;
}

/** Gives the claim back after a transient failure; the queue redelivers the message later. */
export async function releaseOutboxRow(db: Db, id: string, error: string): Promise<void> {
  await db`update public.notification_outbox set status = 'queued', claimed_until = null, error = ${error} where id = ${id} and status = 'sending'`;
}

/** A deferred row (quiet hours) needs no message now: the relay enqueues it when it is due. */
export async function forgetEnqueue(db: Db, id: string): Promise<void> {
  await db`update public.notification_outbox set enqueued_at = null where id = ${id} and status = 'queued'`;
}

/**
 * The relay's pick: due rows with no live queue message (never enqueued — the producer's send
 * failed or the row was deferred — or enqueued long ago and still not done), marked enqueued in
 * the same statement so two relays never pick the same row.
 */
export async function takeRowsToEnqueue(db: Db, graceMinutes: number, limit: number): Promise<{ id: string; organization_id: string | null }[]> {
  return db<{ id: string; organization_id: string | null }[]>`
    update public.notification_outbox o set enqueued_at = now()
    where o.id in (
      select id from public.notification_outbox
      where deliver_after <= now() and not digest
        and ((status = 'queued' and (enqueued_at is null or enqueued_at < now() - make_interval(mins => ${graceMinutes})))
          or (status = 'sending' and claimed_until < now() - make_interval(mins => ${graceMinutes})))
      order by deliver_after
      limit ${limit}
      for update skip locked)
    returning o.id, o.organization_id`;
}

/** Telegram's limit is 4,096 characters; past this many a digest lists the rest as "… and N more". */
export const DIGEST_TEXT_BUDGET = 3600;

/**
 * Members who chose digests: their due `digest` rows become ONE `digest` row per (organization,
 * member, channel, recipient) — the texts in order, "… and N more" past DIGEST_TEXT_BUDGET — and
 * the parts are marked `combined` (digest_id) in the same statement, so a part is in exactly one
 * digest and is never sent alone. The new rows are due now; the relay enqueues them. Operator
 * alerts are written as parts too (due at once), so an outage that errors a hundred runs sends the
 * ops chat one message per cron tick, not a hundred.
 */
export async function combineDueDigests(db: Db, limit: number): Promise<{ id: string; organization_id: string | null; parts: number }[]> {
  return db<{ id: string; organization_id: string | null; parts: number }[]>`
    with due as materialized (
      select o.id, o.organization_id, o.user_id, o.channel, o.recipient, coalesce(o.payload ->> 'text', o.template) as text, o.created_at
      from public.notification_outbox o
      where o.digest and o.status = 'queued' and o.deliver_after <= now()
      order by o.deliver_after, o.id
      limit ${limit}
      for update skip locked
    ),
    numbered as (
      select d.*, sum(char_length(d.text) + 2) over (partition by d.organization_id, d.user_id, d.channel, d.recipient order by d.created_at, d.id) as running
      from due d
    ),
    groups as (
      select g.*, 'digest:' || md5(array_to_string(g.ids, ',')) as idempotency_key,
             -- rows of no organization are operator alerts (src/db/operator-alerts.ts): one message per cron tick
             case when g.organization_id is null then 'operator_alert' else 'digest' end as template,
             case when g.organization_id is null then format('🚨 %s operator alerts', g.n)
                  else format('📬 Your Influtics digest: %s notification%s', g.n, case when g.n = 1 then '' else 's' end) end as header
      from (
        select organization_id, user_id, channel, recipient, count(*)::int as n, array_agg(id order by id) as ids,
               string_agg(text, E'\n\n' order by created_at, id) filter (where running <= ${DIGEST_TEXT_BUDGET}) as body,
               count(*) filter (where running > ${DIGEST_TEXT_BUDGET})::int as more
        from numbered
        group by organization_id, user_id, channel, recipient) g
    ),
    made as (
      insert into public.notification_outbox (organization_id, user_id, channel, recipient, template, payload, idempotency_key)
      select g.organization_id, g.user_id, g.channel, g.recipient, g.template,
             jsonb_build_object(
               'text', case when g.organization_id is null and g.n = 1 then g.body
                            else format(E'%s\n\n%s%s', g.header, coalesce(g.body, ''), case when g.more > 0 then format(E'\n\n… and %s more', g.more) else '' end) end,
               'count', g.n),
             g.idempotency_key
      from groups g
      on conflict (idempotency_key) do nothing
      returning id, organization_id, idempotency_key
    ),
    parts as (
      update public.notification_outbox o set status = 'combined', digest_id = m.id
      from groups g join made m on m.idempotency_key = g.idempotency_key
      where o.id = any(g.ids)
      returning o.digest_id
    )
    select m.id, m.organization_id, (select count(*)::int from parts p where p.digest_id = m.id) as parts from made m`;
}

export interface FailedOutboxRow {
  id: string;
  organization_id: string | null;
  organization_name: string | null;
  channel: string;
  template: string;
  recipient: string;
  attempts: number;
  error: string | null;
  created_at: Date;
  failed_at: Date;
}

/** Operators' view of permanent failures, newest first (keyset on failed_at, id). */
export async function listFailedOutbox(db: Db, opts: { organizationId?: string; channel?: string; before?: { at: Date; id: string }; limit: number }): Promise<FailedOutboxRow[]> {
  return db<FailedOutboxRow[]>`
    select o.id, o.organization_id, org.name as organization_name, o.channel, o.template, o.recipient, o.attempts, o.error, o.created_at, o.updated_at as failed_at
    from public.notification_outbox o left join public.organizations org on org.id = o.organization_id
    where o.status = 'failed'
      ${opts.organizationId ? db`and o.organization_id = ${opts.organizationId}` : db``}
      ${opts.channel ? db`and o.channel = ${opts.channel}` : db``}
      ${opts.before ? db`and (o.updated_at, o.id) < (${opts.before.at}, ${opts.before.id}::uuid)` : db``}
    order by o.updated_at desc, o.id desc
    limit ${opts.limit}`;
}

export async function outboxStatusCounts(db: Db, since: Date): Promise<Record<OutboxStatus, number>> {
  const rows = await db<{ status: OutboxStatus; n: number }[]>`
    select status, count(*)::int as n from public.notification_outbox where updated_at >= ${since} group by status`;
  const out: Record<OutboxStatus, number> = { queued: 0, sending: 0, sent: 0, failed: 0, cancelled: 0, combined: 0 };
  for (const r of rows) out[r.status] = r.n;
  return out;
}

// What templates read at send time ---------------------------------------------------------------

export interface InvitationForEmail {
  id: string;
  organization_id: string;
  organization_name: string;
  email: string;
  role: string;
  token_hash: string;
  expires_at: Date;
  invited_by_email: string | null;
  open: boolean;
}

export async function findInvitationForEmail(db: Db, organizationId: string, invitationId: string): Promise<InvitationForEmail | undefined> {
  const [row] = await db<InvitationForEmail[]>`
    select i.id, i.organization_id, org.name as organization_name, i.email, i.role::text as role, i.token_hash, i.expires_at,
           u.email as invited_by_email,
           (i.accepted_at is null and i.declined_at is null and i.revoked_at is null and i.expires_at > now()) as open
    from public.invitations i
    join public.organizations org on org.id = i.organization_id
    left join auth.users u on u.id = i.invited_by
    where i.id = ${invitationId} and i.organization_id = ${organizationId}`;
  return row;
}
