-- Who hears about what: each member's notification preferences in an organization, and the
-- organization's alert rules (owners/admins write them), plus the function that turns quiet
-- hours and digest preferences into an outbox row's deliver_after.

-- Tables -----------------------------------------------------------------------------------------
create table public.notification_preferences (
  organization_id uuid not null references public.organizations (id) on delete cascade,
  user_id uuid not null,
  -- {"<notification type>": ["email", "telegram"]}; a type not named gets the defaults
  -- (src/notifications/types.ts: alerts go to a linked Telegram chat, email is opt-in)
  channels jsonb not null default '{}'::jsonb check (jsonb_typeof(channels) = 'object'),
  -- local times in the organization's timezone; start > end wraps midnight (22:00–07:00)
  quiet_hours_start time,
  quiet_hours_end time,
  delivery text not null default 'immediate' check (delivery in ('immediate', 'digest')),
  -- digest: alerts wait until this local hour
  digest_hour int not null default 9 check (digest_hour between 0 and 23),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (organization_id, user_id),
  constraint notification_preferences_quiet_hours_pair check ((quiet_hours_start is null) = (quiet_hours_end is null)),
  constraint notification_preferences_quiet_hours_span check (quiet_hours_start is null or quiet_hours_start <> quiet_hours_end)
);
comment on table public.notification_preferences is 'Per member and organization: which notification types on which channel, quiet hours (organization time zone), digest or immediate.';
create index notification_preferences_user_idx on public.notification_preferences (user_id);

create trigger set_updated_at before update on public.notification_preferences
  for each row execute function private.set_updated_at();

create table public.alert_rules (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references public.organizations (id) on delete cascade,
  type text not null check (type in ('views_threshold', 'viral', 'video_unavailable', 'limit_usage')),
  -- per type (validated by the API): views_threshold {views}; viral {k, cooldown_hours, min_views_24h};
  -- video_unavailable {}; limit_usage {percent: 80 | 100}
  params jsonb not null default '{}'::jsonb check (jsonb_typeof(params) = 'object'),
  enabled boolean not null default true,
  created_by uuid,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.alert_rules is 'Organization-wide alert rules, evaluated set-based after each stats batch (src/db/alerts.ts).';
create index alert_rules_organization_enabled_idx on public.alert_rules (organization_id, type) where enabled;

create trigger set_updated_at before update on public.alert_rules
  for each row execute function private.set_updated_at();

-- Functions --------------------------------------------------------------------------------------
-- When a notification for this member may go out, given their quiet hours and digest choice, in
-- the organization's timezone. Called by the set-based alert statement for every recipient.
create function private.notification_deliver_after(p_organization_id uuid, p_user_id uuid, p_at timestamptz)
returns timestamptz
language sql stable security definer
set search_path = ''
as $$
  with p as (
    select np.*, o.timezone as tz, (p_at at time zone o.timezone) as local_ts
    from public.notification_preferences np
    join public.organizations o on o.id = np.organization_id
    where np.organization_id = p_organization_id and np.user_id = p_user_id
  )
  select coalesce((
    select case
      when p.delivery = 'digest' then
        (date_trunc('day', p.local_ts) + make_interval(hours => p.digest_hour)
          + case when p.local_ts::time >= make_time(p.digest_hour, 0, 0) then interval '1 day' else interval '0' end) at time zone p.tz
      when p.quiet_hours_start is not null and (
             (p.quiet_hours_start < p.quiet_hours_end and p.local_ts::time >= p.quiet_hours_start and p.local_ts::time < p.quiet_hours_end)
          or (p.quiet_hours_start > p.quiet_hours_end and (p.local_ts::time >= p.quiet_hours_start or p.local_ts::time < p.quiet_hours_end))) then
        (date_trunc('day', p.local_ts) + p.quiet_hours_end
          + case when p.local_ts::time >= p.quiet_hours_end then interval '1 day' else interval '0' end) at time zone p.tz
      else p_at
    end
    from p), p_at);
$$;
comment on function private.notification_deliver_after(uuid, uuid, timestamptz) is
  'The earliest time a notification made at p_at may be delivered to this member: after their quiet hours, or at their digest hour.';
revoke all on function private.notification_deliver_after(uuid, uuid, timestamptz) from public;
grant execute on function private.notification_deliver_after(uuid, uuid, timestamptz) to service_role;

-- RLS --------------------------------------------------------------------------------------------
alter table public.notification_preferences enable row level security;

create policy "Members can read their own notification preferences"
  on public.notification_preferences for select to authenticated
  using (user_id = (select auth.uid()) and organization_id = any (array(select private.user_organization_ids())));

create policy "Members can add their own notification preferences"
  on public.notification_preferences for insert to authenticated
  with check (user_id = (select auth.uid()) and organization_id = any (array(select private.user_organization_ids())));

create policy "Members can update their own notification preferences"
  on public.notification_preferences for update to authenticated
  using (user_id = (select auth.uid()) and organization_id = any (array(select private.user_organization_ids())))
  with check (user_id = (select auth.uid()) and organization_id = any (array(select private.user_organization_ids())));

create policy "Members can delete their own notification preferences"
  on public.notification_preferences for delete to authenticated
  using (user_id = (select auth.uid()) and organization_id = any (array(select private.user_organization_ids())));

alter table public.alert_rules enable row level security;

create policy "Members can read their organization's alert rules"
  on public.alert_rules for select to authenticated
  using (organization_id = any (array(select private.user_organization_ids())));

create policy "Owners and admins can add alert rules"
  on public.alert_rules for insert to authenticated
  with check ((select private.member_role(organization_id)) in ('owner', 'admin'));

create policy "Owners and admins can update alert rules"
  on public.alert_rules for update to authenticated
  using ((select private.member_role(organization_id)) in ('owner', 'admin'))
  with check ((select private.member_role(organization_id)) in ('owner', 'admin'));

create policy "Owners and admins can delete alert rules"
  on public.alert_rules for delete to authenticated
  using ((select private.member_role(organization_id)) in ('owner', 'admin'));
