-- Subscription plans: the default limits of every plan. Organizations reference a plan; per-
-- organization overrides live in organization_custom_limits. Plans change only by migration (or
-- the service role): every signed-in user may read them, nobody writes them through the API.

-- Tables -----------------------------------------------------------------------------------------
create table public.subscription_plan_limits (
  plan text primary key check (plan ~ '^[a-z][a-z0-9_]*$'),
  max_tracked_videos int not null check (max_tracked_videos >= 0),
  max_tracked_bloggers int not null check (max_tracked_bloggers >= 0),
  videos_per_period int not null check (videos_per_period >= 0),
  max_initial_videos_per_blogger int not null check (max_initial_videos_per_blogger >= 0),
  max_daily_videos_per_blogger int not null check (max_daily_videos_per_blogger >= 0),
  max_sheets_sources int not null check (max_sheets_sources >= 0),
  max_members int not null check (max_members >= 0),
  max_report_schedules int not null check (max_report_schedules >= 0),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.subscription_plan_limits is 'Default limits per subscription plan.';
comment on column public.subscription_plan_limits.videos_per_period is 'Videos fetched from platforms per billing period (see usage_counters).';

create trigger set_updated_at before update on public.subscription_plan_limits
  for each row execute function private.set_updated_at();

insert into public.subscription_plan_limits
  (plan, max_tracked_videos, max_tracked_bloggers, videos_per_period, max_initial_videos_per_blogger,
   max_daily_videos_per_blogger, max_sheets_sources, max_members, max_report_schedules)
values
  ('free',          50,     5,     500,  30, 10,  1,   2,   1),
  ('starter',      500,    25,    5000,  50, 20,  3,   5,   5),
  ('pro',         2500,   100,   25000, 100, 30, 10,  15,  20),
  ('enterprise', 25000,  1000,  250000, 200, 50, 50, 100, 100)
on conflict (plan) do nothing;

-- RLS --------------------------------------------------------------------------------------------
alter table public.subscription_plan_limits enable row level security;

create policy "Signed-in users can read subscription plans"
  on public.subscription_plan_limits for select to authenticated
  using (true);
