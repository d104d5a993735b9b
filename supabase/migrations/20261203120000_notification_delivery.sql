-- Notification delivery: the outbox becomes service-only and gains what the NOTIFICATIONS consumer
-- needs to send each row exactly once (a claim that expires, a delivery time for deferred rows,
-- the provider's last error); invitation rows stop carrying the accept token.
--
-- Why no token is stored anywhere: an invitation's token is HMAC-SHA256(INVITATION_TOKEN_SECRET,
-- invitation id) (src/notifications/invitation-token.ts). The database keeps its SHA-256 in
-- invitations.token_hash (as before); the consumer rebuilds the token from the invitation id when it
-- sends the email, so neither the outbox nor the queue message nor any other table holds a usable
-- token, and a database dump alone cannot accept an invitation.

-- Outbox columns -------------------------------------------------------------------------------
alter table public.notification_outbox
  -- the user this row is for, when it is for one (alerts, Telegram); invitations address an email
  add column user_id uuid,
  -- a consumer holds the row while it sends; a crashed consumer's claim lapses and another may send
  add column claimed_until timestamptz,
  -- not before: quiet hours defer a row; the relay enqueues it when this time has passed
  add column deliver_after timestamptz not null default now(),
  -- when a queue message was last sent for the row (the relay re-enqueues rows that never got one)
  add column enqueued_at timestamptz,
  add column last_attempt_at timestamptz,
  add column updated_at timestamptz not null default now();

-- Operator alerts and bot replies to strangers (an invalid /start) belong to no organization.
alter table public.notification_outbox alter column organization_id drop not null;

alter table public.notification_outbox
  add constraint notification_outbox_status_check check (status in ('queued', 'sending', 'sent', 'failed', 'cancelled')),
  add constraint notification_outbox_idempotency_key_length check (char_length(idempotency_key) between 1 and 200);

comment on column public.notification_outbox.status is
  'queued (waiting or retrying) → sending (claimed until claimed_until) → sent | failed (permanent, see error) | cancelled (nothing to send any more, e.g. a revoked invitation).';

create trigger set_updated_at before update on public.notification_outbox
  for each row execute function private.set_updated_at();

-- The relay's scan: queued rows that are due.
create index notification_outbox_due_idx on public.notification_outbox (deliver_after) where status = 'queued';
-- Operators' list of failures.
create index notification_outbox_failed_idx on public.notification_outbox (updated_at desc) where status = 'failed';
-- ≤ 1 Telegram message per second per chat: the consumer looks up the chat's latest send.
create index notification_outbox_recipient_sent_idx on public.notification_outbox (channel, recipient, sent_at desc) where sent_at is not null;

-- No usable token in any row: drop the plaintext token older invitation rows carried. Such rows
-- can still be sent only if the rebuilt token matches the invitation's hash (it does not for
-- tokens made before this change: the consumer then fails the row and an admin re-invites).
update public.notification_outbox set payload = payload - 'token' where payload ? 'token';

-- RLS: service only -----------------------------------------------------------------------------
-- Members never read or write deliveries: the rows name other people's addresses and chats, and
-- a member who could write one could send mail in the organization's name. RLS stays enabled with
-- no policy for authenticated; the Worker writes through private.record_notification() below.
drop policy "Members can read their organization's notification outbox" on public.notification_outbox;
drop policy "Members can add notification outbox to their organization" on public.notification_outbox;
drop policy "Members can update their organization's notification outbox" on public.notification_outbox;
drop policy "Members can delete their organization's notification outbox" on public.notification_outbox;

-- Functions --------------------------------------------------------------------------------------
-- Lets a request that runs as the signed-in user write its event's outbox row in the SAME
-- transaction as the event (the transactional outbox), without giving members the table. The
-- private schema is not exposed by the Data API, so only the Worker calls it; it still checks the
-- caller is an owner or admin of the organization (the only writers today: invitations).
create function private.record_notification(
  p_organization_id uuid,
  p_channel text,
  p_recipient text,
  p_template text,
  p_payload jsonb,
  p_idempotency_key text,
  p_user_id uuid default null,
  p_deliver_after timestamptz default null
) returns uuid
language plpgsql security definer
set search_path = ''
as $$
declare
  v_id uuid;
begin
  if (select auth.uid()) is not null
     and coalesce(private.member_role(p_organization_id)::text, '') not in ('owner', 'admin') then
    raise exception 'not allowed to notify for organization %', p_organization_id using errcode = '42501';
  end if;
  -- enqueued_at: the caller sends the queue message right after its commit; if that send is lost,
  -- the relay (src/notifications/relay.ts) finds the row again after a grace period.
  insert into public.notification_outbox (organization_id, channel, recipient, template, payload, idempotency_key, user_id, deliver_after, enqueued_at)
  values (p_organization_id, p_channel, p_recipient, p_template, p_payload, p_idempotency_key, p_user_id, coalesce(p_deliver_after, now()),
          case when coalesce(p_deliver_after, now()) > now() then null else now() end)
  on conflict (idempotency_key) do update set idempotency_key = excluded.idempotency_key
  returning id into v_id;
  return v_id;
end;
$$;
comment on function private.record_notification(uuid, text, text, text, jsonb, text, uuid, timestamptz) is
  'Writes one outbox row (deduplicated by idempotency key) in the caller''s transaction; callers signed in as a user must be an owner or admin of the organization.';
revoke all on function private.record_notification(uuid, text, text, text, jsonb, text, uuid, timestamptz) from public;
grant execute on function private.record_notification(uuid, text, text, text, jsonb, text, uuid, timestamptz) to authenticated, service_role;
