-- Digests that are digests: a member who chose `delivery = 'digest'` gets ONE message per channel at
-- their digest hour listing what happened, not each notification deferred to that hour.
--
-- The fan-out marks such rows `digest` (their deliver_after is the next digest hour, as before).
-- When they are due, the relay (src/db/notifications.ts combineDueDigests, every 15 minutes) writes
-- one `digest` row per (organization, member, channel, recipient) holding their texts, and marks the
-- parts `combined` with `digest_id` pointing at it — in one statement, so a part is in exactly one
-- digest. Parts are never sent on their own: the consumer's claim skips `digest` rows.

alter table public.notification_outbox
  add column digest boolean not null default false,
  add column digest_id uuid references public.notification_outbox (id) on delete set null;
comment on column public.notification_outbox.digest is 'Part of the member''s digest: combined into one message at deliver_after, never sent alone.';
comment on column public.notification_outbox.digest_id is 'The digest row this row was combined into (status combined).';

alter table public.notification_outbox
  drop constraint notification_outbox_status_check,
  add constraint notification_outbox_status_check check (status in ('queued', 'sending', 'sent', 'failed', 'cancelled', 'combined'));
comment on column public.notification_outbox.status is
  'queued (waiting or retrying) → sending (claimed until claimed_until) → sent | failed (permanent, see error) | cancelled (nothing to send any more, e.g. a revoked invitation) | combined (a digest part: sent as part of digest_id).';

create index notification_outbox_digest_due_idx on public.notification_outbox (deliver_after) where digest and status = 'queued';
create index notification_outbox_digest_id_idx on public.notification_outbox (digest_id) where digest_id is not null;

-- the fan-out, now marking digest rows (otherwise unchanged from 20261203120300)
create or replace function private.fan_out_notifications(p_events jsonb, p_default_channels jsonb)
returns table (outbox_id uuid, organization_id uuid, due boolean)
language sql volatile security definer
set search_path = ''
as $$
  with ev as (
    -- user_ids: only these members (null: every member of the organization)
    select * from jsonb_to_recordset(p_events) as e(organization_id uuid, type text, dedupe_key text, text text, vars jsonb, user_ids jsonb)
  ),
  recipients as (
    select ev.organization_id, ev.type, ev.dedupe_key, ev.text, ev.vars, m.user_id, ch.channel,
           coalesce(np.delivery = 'digest', false) as digest
    from ev
    join public.organization_members m on m.organization_id = ev.organization_id
      and (ev.user_ids is null or m.user_id::text in (select jsonb_array_elements_text(ev.user_ids)))
    left join public.notification_preferences np on np.organization_id = ev.organization_id and np.user_id = m.user_id
    cross join lateral jsonb_array_elements_text(coalesce(np.channels -> ev.type, p_default_channels -> ev.type, '[]'::jsonb)) as ch(channel)
  ),
  addressed as (
    select r.*, case r.channel when 'telegram' then tl.chat_id::text else u.email end as recipient,
           private.notification_deliver_after(r.organization_id, r.user_id, now()) as deliver_after
    from recipients r
    left join public.telegram_links tl on r.channel = 'telegram' and tl.organization_id = r.organization_id and tl.user_id = r.user_id
      and tl.linked_at is not null and tl.disabled_at is null
    left join auth.users u on r.channel = 'email' and u.id = r.user_id
  )
  insert into public.notification_outbox as o (organization_id, user_id, channel, recipient, template, payload, idempotency_key, deliver_after, enqueued_at, digest)
  select a.organization_id, a.user_id, a.channel, a.recipient, a.type,
         case a.channel when 'telegram' then jsonb_build_object('text', a.text) else coalesce(a.vars, '{}'::jsonb) || jsonb_build_object('text', a.text) end,
         a.dedupe_key || ':' || a.user_id || ':' || a.channel,
         a.deliver_after,
         case when a.deliver_after <= now() then now() end,
         a.digest
  from addressed a
  where a.recipient is not null
  on conflict (idempotency_key) do nothing
  returning o.id, o.organization_id, o.deliver_after <= now();
$$;
