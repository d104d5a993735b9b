-- Notification settings (email / Telegram, including scheduled reports), Telegram chat links and
-- the notification outbox (one row per delivery, deduplicated by idempotency_key).

-- Tables -----------------------------------------------------------------------------------------
create table public.notification_settings (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references public.organizations (id) on delete cascade,
  user_id uuid, -- null = organization-wide setting
  channel text not null check (channel in ('email', 'telegram')),
  event text not null,
  enabled boolean not null default true,
  schedule_cron text, -- scheduled reports only
  report_config jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.notification_settings is 'Which events notify whom on which channel; rows with schedule_cron are scheduled reports.';
create index notification_settings_organization_idx on public.notification_settings (organization_id, event);
create index notification_settings_user_idx on public.notification_settings (user_id) where user_id is not null;
create index notification_settings_scheduled_idx on public.notification_settings (organization_id)
  where enabled and schedule_cron is not null;

create trigger set_updated_at before update on public.notification_settings
  for each row execute function private.set_updated_at();

create table public.telegram_links (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references public.organizations (id) on delete cascade,
  user_id uuid,
  chat_id bigint, -- set when the user opens the bot deep link
  -- Only a hash of the one-time /start token is stored.
  link_token_hash text unique,
  link_token_expires_at timestamptz,
  linked_at timestamptz,
  created_at timestamptz not null default now()
);
comment on table public.telegram_links is 'Telegram chats linked to an organization (and user) via a one-time deep-link token.';
create index telegram_links_organization_idx on public.telegram_links (organization_id);
create index telegram_links_user_idx on public.telegram_links (user_id) where user_id is not null;

create table public.notification_outbox (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references public.organizations (id) on delete cascade,
  channel text not null check (channel in ('email', 'telegram')),
  recipient text not null,
  template text not null,
  payload jsonb not null default '{}'::jsonb,
  idempotency_key text not null unique,
  status text not null default 'queued',
  attempts int not null default 0,
  error text,
  created_at timestamptz not null default now(),
  sent_at timestamptz
);
comment on table public.notification_outbox is 'Deliveries to make; insert ... on conflict (idempotency_key) do nothing, then the NOTIFICATIONS consumer sends.';
create index notification_outbox_organization_created_idx on public.notification_outbox (organization_id, created_at desc);
create index notification_outbox_queued_idx on public.notification_outbox (created_at) where status = 'queued';

-- RLS --------------------------------------------------------------------------------------------
-- Members of the row's organization read and write it (roles: the application's permission matrix).
-- The caller's organization ids are read once per statement: see private.user_organization_ids().
alter table public.notification_settings enable row level security;

create policy "Members can read their organization's notification settings"
  on public.notification_settings for select to authenticated
  using (organization_id = any (array(select private.user_organization_ids())));

create policy "Members can add notification settings to their organization"
  on public.notification_settings for insert to authenticated
  with check (organization_id = any (array(select private.user_organization_ids())));

create policy "Members can update their organization's notification settings"
  on public.notification_settings for update to authenticated
  using (organization_id = any (array(select private.user_organization_ids())))
  with check (organization_id = any (array(select private.user_organization_ids())));

create policy "Members can delete their organization's notification settings"
  on public.notification_settings for delete to authenticated
  using (organization_id = any (array(select private.user_organization_ids())));

alter table public.telegram_links enable row level security;

create policy "Members can read their organization's Telegram links"
  on public.telegram_links for select to authenticated
  using (organization_id = any (array(select private.user_organization_ids())));

create policy "Members can add Telegram links to their organization"
  on public.telegram_links for insert to authenticated
  with check (organization_id = any (array(select private.user_organization_ids())));

create policy "Members can update their organization's Telegram links"
  on public.telegram_links for update to authenticated
  using (organization_id = any (array(select private.user_organization_ids())))
  with check (organization_id = any (array(select private.user_organization_ids())));

create policy "Members can delete their organization's Telegram links"
  on public.telegram_links for delete to authenticated
  using (organization_id = any (array(select private.user_organization_ids())));

alter table public.notification_outbox enable row level security;

create policy "Members can read their organization's notification outbox"
  on public.notification_outbox for select to authenticated
  using (organization_id = any (array(select private.user_organization_ids())));

create policy "Members can add notification outbox to their organization"
  on public.notification_outbox for insert to authenticated
  with check (organization_id = any (array(select private.user_organization_ids())));

create policy "Members can update their organization's notification outbox"
  on public.notification_outbox for update to authenticated
  using (organization_id = any (array(select private.user_organization_ids())))
  with check (organization_id = any (array(select private.user_organization_ids())));

create policy "Members can delete their organization's notification outbox"
  on public.notification_outbox for delete to authenticated
  using (organization_id = any (array(select private.user_organization_ids())));
