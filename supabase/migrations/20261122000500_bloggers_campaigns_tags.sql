-- Creators ("bloggers"), their tracking records, campaigns and tags, and the blogger link tables.
--
-- Cross-tenant integrity: link columns use composite foreign keys (organization_id, x_id) against a
-- unique (organization_id, id) on the parent, so a row can only ever point at a parent of its own
-- organization (foreign key checks bypass RLS, so a plain `x_id` foreign key would not ensure it).

-- Types ------------------------------------------------------------------------------------------
create type public.platform as enum ('TikTok', 'Instagram', 'YouTube', 'Other');

-- Tables -----------------------------------------------------------------------------------------
create table public.blogger_information (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references public.organizations (id) on delete cascade,
  platform public.platform not null,
  username text not null,
  channel_name text,
  external_id text not null check (external_id <> ''),
  sec_uid text,
  subscribers bigint,
  thumbnail_url text,
  profile_url text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (organization_id, platform, external_id),
  unique (organization_id, id)
);
comment on table public.blogger_information is 'Creator profiles as the platforms report them, per organization.';
comment on column public.blogger_information.external_id is 'Platform user id (TikTok user id, Instagram pk, YouTube channel id UC…).';
comment on column public.blogger_information.sec_uid is 'TikTok secUid (needed by some TikTok endpoints); null elsewhere.';
-- The stats writer links videos to bloggers by author username as well as by external id.
create index blogger_information_username_idx on public.blogger_information (organization_id, platform, lower(username));

create trigger set_updated_at before update on public.blogger_information
  for each row execute function private.set_updated_at();

create table public.tracked_accounts (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references public.organizations (id) on delete cascade,
  blogger_id uuid not null,
  is_active boolean not null default true,
  initial_videos_count int not null check (initial_videos_count between 1 and 1000),
  daily_videos_count int not null check (daily_videos_count between 1 and 1000),
  initial_videos_fetched boolean not null default false,
  last_scraped_at timestamptz,
  last_skip_reason text,
  created_by uuid,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (organization_id, blogger_id),
  foreign key (organization_id, blogger_id) references public.blogger_information (organization_id, id) on delete cascade
);
comment on table public.tracked_accounts is 'Which bloggers an organization tracks, and how many videos to fetch initially and per batch run.';
-- Midnight/noon batch: all active tracking records.
create index tracked_accounts_active_idx on public.tracked_accounts (organization_id) where is_active;

create trigger set_updated_at before update on public.tracked_accounts
  for each row execute function private.set_updated_at();

create table public.campaigns (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references public.organizations (id) on delete cascade,
  name text not null check (length(btrim(name)) between 1 and 200),
  description text,
  budget numeric(14, 2) check (budget >= 0),
  currency text not null default 'USD' check (currency ~ '^[A-Z]{3}$'),
  starts_on date,
  ends_on date,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (organization_id, name),
  unique (organization_id, id),
  check (starts_on is null or ends_on is null or ends_on >= starts_on)
);
comment on table public.campaigns is 'Marketing campaigns; videos and bloggers are assigned to them.';

create trigger set_updated_at before update on public.campaigns
  for each row execute function private.set_updated_at();

create table public.tags (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references public.organizations (id) on delete cascade,
  name text not null check (length(btrim(name)) between 1 and 100),
  color text,
  created_at timestamptz not null default now(),
  unique (organization_id, name),
  unique (organization_id, id)
);
comment on table public.tags is 'Free-form labels for videos and bloggers.';

create table public.blogger_tags (
  organization_id uuid not null,
  blogger_id uuid not null,
  tag_id uuid not null,
  created_at timestamptz not null default now(),
  primary key (blogger_id, tag_id),
  foreign key (organization_id, blogger_id) references public.blogger_information (organization_id, id) on delete cascade,
  foreign key (organization_id, tag_id) references public.tags (organization_id, id) on delete cascade
);
-- RLS filter and the tag foreign key (cascade on tag delete).
create index blogger_tags_organization_tag_idx on public.blogger_tags (organization_id, tag_id);

create table public.blogger_campaigns (
  organization_id uuid not null,
  blogger_id uuid not null,
  campaign_id uuid not null,
  created_at timestamptz not null default now(),
  primary key (blogger_id, campaign_id),
  foreign key (organization_id, blogger_id) references public.blogger_information (organization_id, id) on delete cascade,
  foreign key (organization_id, campaign_id) references public.campaigns (organization_id, id) on delete cascade
);
-- RLS filter and the campaign foreign key (cascade on campaign delete).
create index blogger_campaigns_organization_campaign_idx on public.blogger_campaigns (organization_id, campaign_id);

-- RLS --------------------------------------------------------------------------------------------
-- Members of the row's organization read and write it (roles: the application's permission matrix).
-- The caller's organization ids are read once per statement: see private.user_organization_ids().
alter table public.blogger_information enable row level security;

create policy "Members can read their organization's bloggers"
  on public.blogger_information for select to authenticated
  using (organization_id = any (array(select private.user_organization_ids())));

create policy "Members can add bloggers to their organization"
  on public.blogger_information for insert to authenticated
  with check (organization_id = any (array(select private.user_organization_ids())));

create policy "Members can update their organization's bloggers"
  on public.blogger_information for update to authenticated
  using (organization_id = any (array(select private.user_organization_ids())))
  with check (organization_id = any (array(select private.user_organization_ids())));

create policy "Members can delete their organization's bloggers"
  on public.blogger_information for delete to authenticated
  using (organization_id = any (array(select private.user_organization_ids())));

alter table public.tracked_accounts enable row level security;

create policy "Members can read their organization's tracking records"
  on public.tracked_accounts for select to authenticated
  using (organization_id = any (array(select private.user_organization_ids())));

create policy "Members can add tracking records to their organization"
  on public.tracked_accounts for insert to authenticated
  with check (organization_id = any (array(select private.user_organization_ids())));

create policy "Members can update their organization's tracking records"
  on public.tracked_accounts for update to authenticated
  using (organization_id = any (array(select private.user_organization_ids())))
  with check (organization_id = any (array(select private.user_organization_ids())));

create policy "Members can delete their organization's tracking records"
  on public.tracked_accounts for delete to authenticated
  using (organization_id = any (array(select private.user_organization_ids())));

alter table public.campaigns enable row level security;

create policy "Members can read their organization's campaigns"
  on public.campaigns for select to authenticated
  using (organization_id = any (array(select private.user_organization_ids())));

create policy "Members can add campaigns to their organization"
  on public.campaigns for insert to authenticated
  with check (organization_id = any (array(select private.user_organization_ids())));

create policy "Members can update their organization's campaigns"
  on public.campaigns for update to authenticated
  using (organization_id = any (array(select private.user_organization_ids())))
  with check (organization_id = any (array(select private.user_organization_ids())));

create policy "Members can delete their organization's campaigns"
  on public.campaigns for delete to authenticated
  using (organization_id = any (array(select private.user_organization_ids())));

alter table public.tags enable row level security;

create policy "Members can read their organization's tags"
  on public.tags for select to authenticated
  using (organization_id = any (array(select private.user_organization_ids())));

create policy "Members can add tags to their organization"
  on public.tags for insert to authenticated
  with check (organization_id = any (array(select private.user_organization_ids())));

create policy "Members can update their organization's tags"
  on public.tags for update to authenticated
  using (organization_id = any (array(select private.user_organization_ids())))
  with check (organization_id = any (array(select private.user_organization_ids())));

create policy "Members can delete their organization's tags"
  on public.tags for delete to authenticated
  using (organization_id = any (array(select private.user_organization_ids())));

alter table public.blogger_tags enable row level security;

create policy "Members can read their organization's blogger tags"
  on public.blogger_tags for select to authenticated
  using (organization_id = any (array(select private.user_organization_ids())));

create policy "Members can add blogger tags to their organization"
  on public.blogger_tags for insert to authenticated
  with check (organization_id = any (array(select private.user_organization_ids())));

create policy "Members can update their organization's blogger tags"
  on public.blogger_tags for update to authenticated
  using (organization_id = any (array(select private.user_organization_ids())))
  with check (organization_id = any (array(select private.user_organization_ids())));

create policy "Members can delete their organization's blogger tags"
  on public.blogger_tags for delete to authenticated
  using (organization_id = any (array(select private.user_organization_ids())));

alter table public.blogger_campaigns enable row level security;

create policy "Members can read their organization's blogger-campaign links"
  on public.blogger_campaigns for select to authenticated
  using (organization_id = any (array(select private.user_organization_ids())));

create policy "Members can add blogger-campaign links to their organization"
  on public.blogger_campaigns for insert to authenticated
  with check (organization_id = any (array(select private.user_organization_ids())));

create policy "Members can update their organization's blogger-campaign links"
  on public.blogger_campaigns for update to authenticated
  using (organization_id = any (array(select private.user_organization_ids())))
  with check (organization_id = any (array(select private.user_organization_ids())));

create policy "Members can delete their organization's blogger-campaign links"
  on public.blogger_campaigns for delete to authenticated
  using (organization_id = any (array(select private.user_organization_ids())));
