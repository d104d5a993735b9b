-- Fan-out: notification events → one outbox row per (member, channel) the member chose, addressed
-- to their email or live Telegram chat, deferred by their quiet hours / digest, deduplicated by
-- the event's key. Used by the set-based alert statement and by the writers other features call
-- (new video, Sheets re-auth, import finished) — src/db/alerts.ts.

create function private.fan_out_notifications(p_events jsonb, p_default_channels jsonb)
returns table (outbox_id uuid, organization_id uuid, due boolean)
language sql volatile security definer
set search_path = ''
as $$
  with ev as (
    -- user_ids: only these members (null: every member of the organization)
    select * from jsonb_to_recordset(p_events) as e(organization_id uuid, type text, dedupe_key text, text text, vars jsonb, user_ids jsonb)
  ),
  recipients as (
    select ev.organization_id, ev.type, ev.dedupe_key, ev.text, ev.vars, m.user_id, ch.channel
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
  insert into public.notification_outbox as o (organization_id, user_id, channel, recipient, template, payload, idempotency_key, deliver_after, enqueued_at)
  select a.organization_id, a.user_id, a.channel, a.recipient, a.type,
         case a.channel when 'telegram' then jsonb_build_object('text', a.text) else coalesce(a.vars, '{}'::jsonb) || jsonb_build_object('text', a.text) end,
         a.dedupe_key || ':' || a.user_id || ':' || a.channel,
         a.deliver_after,
         case when a.deliver_after <= now() then now() end
  from addressed a
  where a.recipient is not null
  on conflict (idempotency_key) do nothing
  returning o.id, o.organization_id, o.deliver_after <= now();
$$;
comment on function private.fan_out_notifications(jsonb, jsonb) is
  'Writes one outbox row per member and chosen channel for each event {organization_id, type, dedupe_key, text, vars, user_ids?}; returns the rows written (due = may be sent now).';
revoke all on function private.fan_out_notifications(jsonb, jsonb) from public;
grant execute on function private.fan_out_notifications(jsonb, jsonb) to service_role;
