-- Scheduled reports: schedules (what, when, to whom), their runs (one per schedule and period),
-- each run's deliveries (one per recipient and channel) and revocable share links to a run.
-- Replaces the free-form organizations.report_preferences (migrated below) and the scheduled rows
-- of notification_settings as what max_report_schedules counts.

-- Tables -----------------------------------------------------------------------------------------
create table public.report_schedules (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references public.organizations (id) on delete cascade,
  name text not null check (length(btrim(name)) between 1 and 200),
  enabled boolean not null default true,
  -- {"type":"organization"} | {"type":"campaigns","campaign_ids":[…]} | {"type":"tags","tags":[…]}
  scope jsonb not null check (jsonb_typeof(scope) = 'object' and scope ->> 'type' in ('organization', 'campaigns', 'tags')),
  frequency text not null check (frequency in ('daily', 'weekly', 'monthly')),
  -- ISO weekday (1 = Monday) of weekly reports; day of month of monthly ones (31 = the month's last day)
  day_of_week int check (day_of_week between 1 and 7),
  day_of_month int check (day_of_month between 1 and 31),
  -- local wall-clock time in the organization's time zone, 'HH:MM'
  local_time text not null check (local_time ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
  -- [{"type":"member","user_id":…} | {"type":"email","email":…}]
  recipients jsonb not null check (jsonb_typeof(recipients) = 'array' and jsonb_array_length(recipients) between 1 and 50),
  channels jsonb not null check (jsonb_typeof(channels) = 'array' and jsonb_array_length(channels) between 1 and 2),
  -- {"summary":bool,"top_videos":n,"new_videos":bool,"bloggers":bool,"xlsx":"attachment"|"link"|"none"}
  contents jsonb not null check (jsonb_typeof(contents) = 'object'),
  next_run_at timestamptz not null,
  last_run_at timestamptz,
  created_by uuid default auth.uid(),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint report_schedules_weekly_day check ((frequency = 'weekly') = (day_of_week is not null)),
  constraint report_schedules_monthly_day check ((frequency = 'monthly') = (day_of_month is not null)),
  unique (organization_id, id)
);
comment on table public.report_schedules is 'Scheduled campaign digests; the 15-minute dispatcher starts a ScheduledReport run when next_run_at has passed.';
create index report_schedules_organization_idx on public.report_schedules (organization_id, created_at);
-- the dispatcher's one query: enabled schedules that are due
create index report_schedules_due_idx on public.report_schedules (next_run_at) where enabled;

create trigger set_updated_at before update on public.report_schedules
  for each row execute function private.set_updated_at();

create table public.report_runs (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references public.organizations (id) on delete cascade,
  -- runs outlive their schedule (history, share links)
  schedule_id uuid references public.report_schedules (id) on delete set null,
  schedule_name text not null,
  -- the ScheduledReport instance that made it: one per (schedule, period)
  instance_id text not null unique,
  period_start date not null,
  period_end date not null check (period_end >= period_start),
  status text not null default 'running' check (status in ('running', 'complete', 'failed')),
  figures jsonb,
  digest_text text,
  file_key text,
  file_size int,
  error text,
  created_at timestamptz not null default now(),
  completed_at timestamptz,
  unique (organization_id, id)
);
comment on table public.report_runs is 'One generated report (figures, digest, xlsx in R2 under file_key); written by the ScheduledReport workflow only.';
create index report_runs_organization_idx on public.report_runs (organization_id, created_at desc, id desc);
create unique index report_runs_schedule_period_idx on public.report_runs (schedule_id, period_start) where schedule_id is not null;

create table public.report_deliveries (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references public.organizations (id) on delete cascade,
  run_id uuid not null references public.report_runs (id) on delete cascade,
  -- 'member:<user id>' or 'email:<address>'
  recipient text not null,
  channel text not null check (channel in ('email', 'telegram')),
  -- where it went: an email address or a Telegram chat id (null when skipped)
  address text,
  idempotency_key text not null unique,
  outbox_id uuid,
  status text not null check (status in ('queued', 'skipped')),
  detail text,
  created_at timestamptz not null default now(),
  unique (run_id, recipient, channel)
);
comment on table public.report_deliveries is 'A run''s deliveries: one outbox row per recipient and channel (status after queued lives in notification_outbox).';
create index report_deliveries_organization_idx on public.report_deliveries (organization_id);

create table public.report_share_links (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references public.organizations (id) on delete cascade,
  run_id uuid not null references public.report_runs (id) on delete cascade,
  -- SHA-256 (hex) of the link token; the token itself is never stored
  token_hash text not null unique check (token_hash ~ '^[0-9a-f]{64}$'),
  expires_at timestamptz not null,
  revoked_at timestamptz,
  -- null: made by the ScheduledReport workflow for the digest's link
  created_by uuid,
  created_at timestamptz not null default now()
);
comment on table public.report_share_links is 'Read-only links to one report run for people without an account: expiring, revocable, stored as a token hash.';
create index report_share_links_run_idx on public.report_share_links (run_id);
create index report_share_links_organization_idx on public.report_share_links (organization_id);

-- Migrate report_preferences -----------------------------------------------------------------------
-- Organizations that enabled the old preferences get one whole-organization schedule with the same
-- frequency, day, hour, channels and recipients (external emails). The first due time is the next
-- matching local time after now in the organization's time zone (Postgres' own zone rules).
insert into public.report_schedules (organization_id, name, scope, frequency, day_of_week, day_of_month, local_time,
                                     recipients, channels, contents, next_run_at, created_by)
select o.id, 'Report (from preferences)', '{"type":"organization"}'::jsonb, p.frequency,
       case when p.frequency = 'weekly' then p.dow end,
       case when p.frequency = 'monthly' then p.dom end,
       lpad(p.hour::text, 2, '0') || ':00',
       p.recipients, p.channels,
       '{"summary":true,"top_videos":10,"new_videos":true,"bloggers":true,"xlsx":"link"}'::jsonb,
       (select min(((d::date + make_time(p.hour, 0, 0)) at time zone o.timezone))
        from generate_series((now() at time zone o.timezone)::date, (now() at time zone o.timezone)::date + 62, interval '1 day') d
        where ((d::date + make_time(p.hour, 0, 0)) at time zone o.timezone) > now()
          and (p.frequency = 'daily'
               or (p.frequency = 'weekly' and extract(isodow from d) = p.dow)
               or (p.frequency = 'monthly' and extract(day from d) = least(p.dom, extract(day from (date_trunc('month', d) + interval '1 month - 1 day')))))),
       o.created_by
from public.organizations o
cross join lateral (
  select coalesce(o.report_preferences ->> 'frequency', 'weekly') as frequency,
         coalesce((o.report_preferences ->> 'day_of_week')::int, 1) as dow,
         coalesce((o.report_preferences ->> 'day_of_month')::int, 1) as dom,
         coalesce((o.report_preferences ->> 'hour')::int, 9) as hour,
         coalesce((select jsonb_agg(jsonb_build_object('type', 'email', 'email', e)) from jsonb_array_elements_text(o.report_preferences -> 'recipients') e), '[]'::jsonb) as recipients,
         coalesce(nullif(o.report_preferences -> 'channels', '[]'::jsonb), '["email"]'::jsonb) as channels
) p
where (o.report_preferences ->> 'enabled')::boolean is true
  and jsonb_array_length(p.recipients) > 0;

comment on column public.organizations.report_preferences is 'Deprecated: migrated into report_schedules (20261203160000); nothing reads it.';

-- RLS --------------------------------------------------------------------------------------------
-- Every member reads; owners and admins write schedules and share links (the HTTP layer writes as
-- the user). Runs and deliveries are written by the ScheduledReport workflow only (no write policy).
alter table public.report_schedules enable row level security;

create policy "Members can read their organization's report schedules"
  on public.report_schedules for select to authenticated
  using (organization_id = any (array(select private.user_organization_ids())));

create policy "Owners and admins can add report schedules"
  on public.report_schedules for insert to authenticated
  with check ((select private.member_role(organization_id)) in ('owner', 'admin'));

create policy "Owners and admins can change report schedules"
  on public.report_schedules for update to authenticated
  using ((select private.member_role(organization_id)) in ('owner', 'admin'))
  with check ((select private.member_role(organization_id)) in ('owner', 'admin'));

create policy "Owners and admins can delete report schedules"
  on public.report_schedules for delete to authenticated
  using ((select private.member_role(organization_id)) in ('owner', 'admin'));

alter table public.report_runs enable row level security;

create policy "Members can read their organization's report runs"
  on public.report_runs for select to authenticated
  using (organization_id = any (array(select private.user_organization_ids())));

alter table public.report_deliveries enable row level security;

create policy "Members can read their organization's report deliveries"
  on public.report_deliveries for select to authenticated
  using (organization_id = any (array(select private.user_organization_ids())));

alter table public.report_share_links enable row level security;

create policy "Owners and admins can read their organization's report share links"
  on public.report_share_links for select to authenticated
  using ((select private.member_role(organization_id)) in ('owner', 'admin'));

create policy "Owners and admins can add report share links"
  on public.report_share_links for insert to authenticated
  with check ((select private.member_role(organization_id)) in ('owner', 'admin')
              and exists (select 1 from public.report_runs r where r.id = run_id and r.organization_id = report_share_links.organization_id));

create policy "Owners and admins can revoke report share links"
  on public.report_share_links for update to authenticated
  using ((select private.member_role(organization_id)) in ('owner', 'admin'))
  with check ((select private.member_role(organization_id)) in ('owner', 'admin'));
