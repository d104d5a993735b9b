-- Videos, their append-only statistics snapshots, and video tags.
--
-- video_statistics is append-only: every fetch inserts one row per video. fetch_key is the
-- idempotency key of the fetch that produced the row (queue message id, workflow step), so a
-- redelivered message or retried step writes `insert ... on conflict (video_id, fetch_key) do
-- nothing` and never duplicates a snapshot. The latest snapshot comes from the views in the next
-- migration (no denormalised copy on videos).

-- Types ------------------------------------------------------------------------------------------
create type public.video_status as enum ('tracking', 'stopped', 'deleted');

-- Tables -----------------------------------------------------------------------------------------
create table public.videos (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references public.organizations (id) on delete cascade,
  platform public.platform not null,
  external_video_id text not null check (external_video_id <> ''),
  video_url text not null,
  initial_url text,
  video_status public.video_status not null default 'stopped',
  blogger_id uuid,
  campaign_id uuid,
  budget numeric(14, 2) check (budget >= 0),
  title text,
  thumbnail_url text,
  published_at timestamptz,
  music_id text,
  author_username text,
  source text not null default 'dashboard',
  created_by uuid,
  tracking_started_at timestamptz,
  deleted_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (organization_id, platform, external_video_id),
  unique (organization_id, id),
  -- set null only the link column, keeping organization_id (PG15+ column list)
  foreign key (organization_id, blogger_id) references public.blogger_information (organization_id, id) on delete set null (blogger_id),
  foreign key (organization_id, campaign_id) references public.campaigns (organization_id, id) on delete set null (campaign_id)
);
comment on table public.videos is 'Videos an organization tracks (or has stopped tracking).';
comment on column public.videos.initial_url is 'The URL as the user or import supplied it; video_url is the canonical one.';
comment on column public.videos.tracking_started_at is 'First time tracking started: campaign increments count growth from here.';
comment on column public.videos.deleted_at is 'When the platform stopped returning the video (video_status = deleted).';

-- Dashboard list: newest first with keyset pagination on (created_at, id), both descending.
create index videos_organization_created_idx on public.videos (organization_id, created_at desc, id desc);
create index videos_organization_status_idx on public.videos (organization_id, video_status);
create index videos_organization_campaign_idx on public.videos (organization_id, campaign_id) where campaign_id is not null;
create index videos_blogger_id_idx on public.videos (blogger_id) where blogger_id is not null;
-- videos_needing_update: keyset pages on id over exactly the candidate rows.
create index videos_needing_update_idx on public.videos (id)
  where video_status in ('tracking', 'deleted') and platform <> 'Other';

create trigger set_updated_at before update on public.videos
  for each row execute function private.set_updated_at();

create table public.video_statistics (
  id bigint generated always as identity primary key,
  organization_id uuid not null,
  video_id uuid not null,
  external_video_id text not null,
  views bigint not null default 0,
  likes bigint not null default 0,
  comments bigint not null default 0,
  reposts bigint not null default 0,
  saves bigint not null default 0,
  fetch_key text not null,
  created_at timestamptz not null default now(),
  unique (video_id, fetch_key),
  foreign key (organization_id, video_id) references public.videos (organization_id, id) on delete cascade
);
comment on table public.video_statistics is 'Append-only statistics snapshots, one per video per fetch.';
comment on column public.video_statistics.fetch_key is 'Idempotency key of the fetch that produced the row: insert ... on conflict (video_id, fetch_key) do nothing.';
-- Latest snapshot per video as an index-only scan (organization_id included for the RLS check).
create index video_statistics_latest_idx on public.video_statistics (video_id, created_at desc, id desc)
  include (organization_id, views, likes, comments, reposts, saves);
-- RLS filter and organization-wide time ranges (analytics).
create index video_statistics_organization_created_idx on public.video_statistics (organization_id, created_at desc);

create table public.video_tags (
  organization_id uuid not null,
  video_id uuid not null,
  tag_id uuid not null,
  created_at timestamptz not null default now(),
  primary key (video_id, tag_id),
  foreign key (organization_id, video_id) references public.videos (organization_id, id) on delete cascade,
  foreign key (organization_id, tag_id) references public.tags (organization_id, id) on delete cascade
);
-- RLS filter and the tag foreign key (cascade on tag delete).
create index video_tags_organization_tag_idx on public.video_tags (organization_id, tag_id);

-- RLS --------------------------------------------------------------------------------------------
-- Members of the row's organization read and write it (roles: the application's permission matrix).
-- The caller's organization ids are read once per statement: see private.user_organization_ids().
alter table public.videos enable row level security;

create policy "Members can read their organization's videos"
  on public.videos for select to authenticated
  using (organization_id = any (array(select private.user_organization_ids())));

create policy "Members can add videos to their organization"
  on public.videos for insert to authenticated
  with check (organization_id = any (array(select private.user_organization_ids())));

create policy "Members can update their organization's videos"
  on public.videos for update to authenticated
  using (organization_id = any (array(select private.user_organization_ids())))
  with check (organization_id = any (array(select private.user_organization_ids())));

create policy "Members can delete their organization's videos"
  on public.videos for delete to authenticated
  using (organization_id = any (array(select private.user_organization_ids())));

alter table public.video_statistics enable row level security;

create policy "Members can read their organization's video statistics"
  on public.video_statistics for select to authenticated
  using (organization_id = any (array(select private.user_organization_ids())));

create policy "Members can add video statistics to their organization"
  on public.video_statistics for insert to authenticated
  with check (organization_id = any (array(select private.user_organization_ids())));

create policy "Members can update their organization's video statistics"
  on public.video_statistics for update to authenticated
  using (organization_id = any (array(select private.user_organization_ids())))
  with check (organization_id = any (array(select private.user_organization_ids())));

create policy "Members can delete their organization's video statistics"
  on public.video_statistics for delete to authenticated
  using (organization_id = any (array(select private.user_organization_ids())));

alter table public.video_tags enable row level security;

create policy "Members can read their organization's video tags"
  on public.video_tags for select to authenticated
  using (organization_id = any (array(select private.user_organization_ids())));

create policy "Members can add video tags to their organization"
  on public.video_tags for insert to authenticated
  with check (organization_id = any (array(select private.user_organization_ids())));

create policy "Members can update their organization's video tags"
  on public.video_tags for update to authenticated
  using (organization_id = any (array(select private.user_organization_ids())))
  with check (organization_id = any (array(select private.user_organization_ids())));

create policy "Members can delete their organization's video tags"
  on public.video_tags for delete to authenticated
  using (organization_id = any (array(select private.user_organization_ids())));
