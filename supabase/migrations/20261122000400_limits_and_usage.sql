-- Per-organization limit overrides and usage counters. Effective limit of an organization =
-- coalesce(organization_custom_limits.<limit> (when not expired), subscription_plan_limits.<limit>
-- of organizations.plan). Usage is counted per billing period in usage_counters.

-- Tables -----------------------------------------------------------------------------------------
create table public.organization_custom_limits (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null unique references public.organizations (id) on delete cascade,
  -- null = no override, the plan's value applies
  max_tracked_videos int check (max_tracked_videos >= 0),
  max_tracked_bloggers int check (max_tracked_bloggers >= 0),
  videos_per_period int check (videos_per_period >= 0),
  max_initial_videos_per_blogger int check (max_initial_videos_per_blogger >= 0),
  max_daily_videos_per_blogger int check (max_daily_videos_per_blogger >= 0),
  max_sheets_sources int check (max_sheets_sources >= 0),
  max_members int check (max_members >= 0),
  max_report_schedules int check (max_report_schedules >= 0),
  expires_at timestamptz,
  note text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.organization_custom_limits is 'Per-organization overrides of plan limits; a null column (or an expired row) means the plan applies.';

create trigger set_updated_at before update on public.organization_custom_limits
  for each row execute function private.set_updated_at();

create table public.usage_counters (
  organization_id uuid not null references public.organizations (id) on delete cascade,
  period_start timestamptz not null,
  videos_fetched int not null default 0 check (videos_fetched >= 0),
  updated_at timestamptz not null default now(),
  primary key (organization_id, period_start)
);
comment on table public.usage_counters is 'Videos fetched per organization and billing period (period_start = organizations.billing_period_started_at advanced by whole months). Increment with insert ... on conflict do update.';

create trigger set_updated_at before update on public.usage_counters
  for each row execute function private.set_updated_at();

-- RLS --------------------------------------------------------------------------------------------
-- Members of the row's organization read and write it (roles: the application's permission matrix).
-- The caller's organization ids are read once per statement: see private.user_organization_ids().
alter table public.organization_custom_limits enable row level security;

create policy "Members can read their organization's custom limits"
  on public.organization_custom_limits for select to authenticated
  using (organization_id = any (array(select private.user_organization_ids())));

create policy "Members can add custom limits to their organization"
  on public.organization_custom_limits for insert to authenticated
  with check (organization_id = any (array(select private.user_organization_ids())));

create policy "Members can update their organization's custom limits"
  on public.organization_custom_limits for update to authenticated
  using (organization_id = any (array(select private.user_organization_ids())))
  with check (organization_id = any (array(select private.user_organization_ids())));

create policy "Members can delete their organization's custom limits"
  on public.organization_custom_limits for delete to authenticated
  using (organization_id = any (array(select private.user_organization_ids())));

alter table public.usage_counters enable row level security;

create policy "Members can read their organization's usage counters"
  on public.usage_counters for select to authenticated
  using (organization_id = any (array(select private.user_organization_ids())));

create policy "Members can add usage counters to their organization"
  on public.usage_counters for insert to authenticated
  with check (organization_id = any (array(select private.user_organization_ids())));

create policy "Members can update their organization's usage counters"
  on public.usage_counters for update to authenticated
  using (organization_id = any (array(select private.user_organization_ids())))
  with check (organization_id = any (array(select private.user_organization_ids())));

create policy "Members can delete their organization's usage counters"
  on public.usage_counters for delete to authenticated
  using (organization_id = any (array(select private.user_organization_ids())));
