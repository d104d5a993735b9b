-- Campaign and organization daily aggregates: campaign and dashboard analytics in O(days), not
-- O(videos).
--
-- Why. A campaign read probed every member video's rollup rows (video_daily_stats), so its cost
-- grew with the campaign's videos (BENCHMARKS.md: 1.4 s p50 for a 10,000-video, 90-day daily
-- timeseries). These two tables hold, per (campaign | organization, UTC day, platform), the SUM of
-- the member videos' rollup rows, so a campaign's or organization's totals, increments and
-- timeseries read at most one row per day and platform, whatever the number of videos.
--
-- What a row holds, for the set S of member videos (a campaign's: videos.campaign_id = campaign;
-- an organization's: all its videos), day d and platform p (videos.platform):
--   inc_views … inc_saves      Σ over S's video_daily_stats rows of (p, d) of inc_*: the videos'
--                              daily increments (on a video's first day: close − open)
--   base_views … base_saves    Σ of open_* over those rows with is_first: the values at which the
--                              videos whose tracking starts on d begin
--   videos_started             how many of those rows have is_first (videos whose first day is d)
--
-- Invariants (checked by test/analytics/aggregate-equivalence.test.ts against raw snapshots):
--   I1  each table equals `select …, sum(inc_*), sum(open_*) filter (where is_first),
--       count(*) filter (where is_first) from video_daily_stats join videos group by …` at every
--       commit (rows whose sums are all zero may remain: they add nothing to any read).
--   I2  value of S on day d (totals)       = Σ_{day <= d} (inc_* + base_*)
--       increments of S over [from, to]    = Σ_{from <= day <= to} inc_*
--       videos of S with a snapshot by d   = Σ_{day <= d} videos_started
--       These are exactly the per-video definitions of src/steps/analytics.ts summed over S: a
--       video's value on d is its first open plus its daily increments through d; its increment
--       over a range is the sum of its daily increments in the range (baseline: the value before
--       `from`, or tracking start if later). One video's rows never exceed 731 days in a read, so
--       a read sums ≤ (days × platforms) rows.
--   I3  only these triggers write the tables (security definer); members read their own
--       organization's rows (RLS), nobody writes them directly.
--
-- Writes followed:
--   video_daily_stats INSERT / UPDATE / DELETE (the rollup's own upsert, its late-snapshot
--     increment refresh, and the rebuild after snapshot UPDATE/DELETE): statement-level triggers
--     with transition tables add Σ new − Σ old, grouped by (campaign, day, platform), looking up
--     each row's video for its campaign and platform. Cost O(rows the statement wrote), one
--     ordered upsert per table per statement.
--   videos UPDATE that changes campaign_id, platform or organization_id (assigning / removing
--     videos, moving them between campaigns): statement-level trigger; each moved video's rollup
--     rows are subtracted under the old keys and added under the new ones. Cost O(moved videos'
--     days), nothing for other updates.
--   videos DELETE: the cascade removes the video's rollup rows after the video row is gone, when
--     its campaign can no longer be looked up, so a BEFORE DELETE row trigger subtracts the video's
--     rows first (the rollup's DELETE trigger then skips rows of videos that no longer exist).
--   TRUNCATE of video_daily_stats truncates both tables.
--   campaigns / organizations deleted: their rows cascade; deltas for a campaign or organization
--     that no longer exists are dropped (the foreign key would refuse them).
--
-- Concurrency. Every writer of a video's rollup rows holds a FOR KEY SHARE lock on the video row
-- (foreign keys from video_statistics and video_daily_stats). A membership change takes FOR UPDATE
-- on the moved videos before reading their rollup rows, which waits for any transaction that is
-- writing their snapshots and makes later writers wait for it; so either the writer's delta goes
-- to the old campaign and is moved with the rest, or the writer sees the new campaign. Upserts
-- touch aggregate rows in key order, so concurrent batches cannot deadlock on them.
--
-- No per-video date limits exist: a member video's whole tracked history counts toward its
-- campaign (as on the per-video path), so a membership change moves all its days.

-- Tables -----------------------------------------------------------------------------------------
create table public.campaign_daily_stats (
  organization_id uuid not null,
  campaign_id uuid not null,
  day date not null,
  platform public.platform not null,
  inc_views bigint not null default 0,
  inc_likes bigint not null default 0,
  inc_comments bigint not null default 0,
  inc_reposts bigint not null default 0,
  inc_saves bigint not null default 0,
  base_views bigint not null default 0,
  base_likes bigint not null default 0,
  base_comments bigint not null default 0,
  base_reposts bigint not null default 0,
  base_saves bigint not null default 0,
  videos_started integer not null default 0,
  primary key (campaign_id, day, platform),
  foreign key (organization_id, campaign_id) references public.campaigns (organization_id, id) on delete cascade
)
-- every nightly batch updates today's rows in place: leave room for HOT updates
with (fillfactor = 70);
comment on table public.campaign_daily_stats is
  'Per campaign, UTC day and platform: Σ of the member videos'' daily increments (inc_*), Σ of the opening values of videos whose tracking starts that day (base_*), and how many start (videos_started). Written only by triggers.';

create table public.organization_daily_stats (
  organization_id uuid not null references public.organizations (id) on delete cascade,
  day date not null,
  platform public.platform not null,
  inc_views bigint not null default 0,
  inc_likes bigint not null default 0,
  inc_comments bigint not null default 0,
  inc_reposts bigint not null default 0,
  inc_saves bigint not null default 0,
  base_views bigint not null default 0,
  base_likes bigint not null default 0,
  base_comments bigint not null default 0,
  base_reposts bigint not null default 0,
  base_saves bigint not null default 0,
  videos_started integer not null default 0,
  primary key (organization_id, day, platform)
)
with (fillfactor = 70);
comment on table public.organization_daily_stats is
  'Per organization, UTC day and platform: the same sums as campaign_daily_stats over all the organization''s videos. Written only by triggers.';

-- Functions --------------------------------------------------------------------------------------

-- One grouped change to both aggregates: + for rows added, − for rows removed.
create type private.analytics_delta as (
  organization_id uuid,
  campaign_id uuid,
  platform public.platform,
  day date,
  inc_views bigint, inc_likes bigint, inc_comments bigint, inc_reposts bigint, inc_saves bigint,
  base_views bigint, base_likes bigint, base_comments bigint, base_reposts bigint, base_saves bigint,
  videos_started bigint
);

-- Adds the deltas to campaign_daily_stats (rows with a campaign) and organization_daily_stats.
-- Groups whose sums are all zero (e.g. a video moved between campaigns nets to zero for its
-- organization) write nothing. Rows are upserted in key order (no deadlocks between batches).
create function private.fold_analytics_deltas(deltas private.analytics_delta[])
returns void
language sql security definer
set search_path = ''
as $$
  insert into public.campaign_daily_stats as a (
    organization_id, campaign_id, day, platform, inc_views, inc_likes, inc_comments, inc_reposts, inc_saves,
    base_views, base_likes, base_comments, base_reposts, base_saves, videos_started)
  select g.* from (
    select d.organization_id, d.campaign_id, d.day, d.platform,
           sum(d.inc_views), sum(d.inc_likes), sum(d.inc_comments), sum(d.inc_reposts), sum(d.inc_saves),
           sum(d.base_views), sum(d.base_likes), sum(d.base_comments), sum(d.base_reposts), sum(d.base_saves),
           sum(d.videos_started)
    from unnest(deltas) d
    where d.campaign_id is not null
      and exists (select 1 from public.campaigns c where c.organization_id = d.organization_id and c.id = d.campaign_id)
    group by d.organization_id, d.campaign_id, d.day, d.platform
  ) g (organization_id, campaign_id, day, platform, inc_views, inc_likes, inc_comments, inc_reposts, inc_saves,
       base_views, base_likes, base_comments, base_reposts, base_saves, videos_started)
  where (g.inc_views, g.inc_likes, g.inc_comments, g.inc_reposts, g.inc_saves, g.base_views, g.base_likes,
         g.base_comments, g.base_reposts, g.base_saves, g.videos_started) <> (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
  order by g.campaign_id, g.day, g.platform
  on conflict (campaign_id, day, platform) do update set
    inc_views = a.inc_views + excluded.inc_views, inc_likes = a.inc_likes + excluded.inc_likes,
    inc_comments = a.inc_comments + excluded.inc_comments, inc_reposts = a.inc_reposts + excluded.inc_reposts,
    inc_saves = a.inc_saves + excluded.inc_saves,
    base_views = a.base_views + excluded.base_views, base_likes = a.base_likes + excluded.base_likes,
    base_comments = a.base_comments + excluded.base_comments, base_reposts = a.base_reposts + excluded.base_reposts,
    base_saves = a.base_saves + excluded.base_saves, videos_started = a.videos_started + excluded.videos_started;

  insert into public.organization_daily_stats as a (
    organization_id, day, platform, inc_views, inc_likes, inc_comments, inc_reposts, inc_saves,
    base_views, base_likes, base_comments, base_reposts, base_saves, videos_started)
  select g.* from (
    select d.organization_id, d.day, d.platform,
           sum(d.inc_views), sum(d.inc_likes), sum(d.inc_comments), sum(d.inc_reposts), sum(d.inc_saves),
           sum(d.base_views), sum(d.base_likes), sum(d.base_comments), sum(d.base_reposts), sum(d.base_saves),
           sum(d.videos_started)
    from unnest(deltas) d
    where exists (select 1 from public.organizations o where o.id = d.organization_id)
    group by d.organization_id, d.day, d.platform
  ) g (organization_id, day, platform, inc_views, inc_likes, inc_comments, inc_reposts, inc_saves,
       base_views, base_likes, base_comments, base_reposts, base_saves, videos_started)
  where (g.inc_views, g.inc_likes, g.inc_comments, g.inc_reposts, g.inc_saves, g.base_views, g.base_likes,
         g.base_comments, g.base_reposts, g.base_saves, g.videos_started) <> (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
  order by g.organization_id, g.day, g.platform
  on conflict (organization_id, day, platform) do update set
    inc_views = a.inc_views + excluded.inc_views, inc_likes = a.inc_likes + excluded.inc_likes,
    inc_comments = a.inc_comments + excluded.inc_comments, inc_reposts = a.inc_reposts + excluded.inc_reposts,
    inc_saves = a.inc_saves + excluded.inc_saves,
    base_views = a.base_views + excluded.base_views, base_likes = a.base_likes + excluded.base_likes,
    base_comments = a.base_comments + excluded.base_comments, base_reposts = a.base_reposts + excluded.base_reposts,
    base_saves = a.base_saves + excluded.base_saves, videos_started = a.videos_started + excluded.videos_started;
$$;
comment on function private.fold_analytics_deltas(private.analytics_delta[]) is
  'Adds grouped deltas of video_daily_stats rows to campaign_daily_stats and organization_daily_stats.';

-- The rollup's INSERT / UPDATE / DELETE statements: + new rows, − old rows, under the video's
-- current campaign and platform (looked up per row by primary key, a lateral probe: the cost
-- follows the statement's rows, never the size of videos). Rows of videos that no longer exist (a video delete cascading)
-- were subtracted by the videos BEFORE DELETE trigger and are skipped here.
create function private.analytics_after_daily_insert()
returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
  perform private.fold_analytics_deltas(array(
    select row(v.organization_id, v.campaign_id, v.platform, n.day,
               sum(n.inc_views), sum(n.inc_likes), sum(n.inc_comments), sum(n.inc_reposts), sum(n.inc_saves),
               coalesce(sum(n.open_views) filter (where n.is_first), 0), coalesce(sum(n.open_likes) filter (where n.is_first), 0),
               coalesce(sum(n.open_comments) filter (where n.is_first), 0), coalesce(sum(n.open_reposts) filter (where n.is_first), 0),
               coalesce(sum(n.open_saves) filter (where n.is_first), 0), count(*) filter (where n.is_first))::private.analytics_delta
    from new_rows n cross join lateral (select v.organization_id, v.campaign_id, v.platform from public.videos v where v.id = n.video_id) v
    group by v.organization_id, v.campaign_id, v.platform, n.day));
  return null;
end;
$$;

create function private.analytics_after_daily_delete()
returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
  perform private.fold_analytics_deltas(array(
    select row(v.organization_id, v.campaign_id, v.platform, o.day,
               -sum(o.inc_views), -sum(o.inc_likes), -sum(o.inc_comments), -sum(o.inc_reposts), -sum(o.inc_saves),
               -coalesce(sum(o.open_views) filter (where o.is_first), 0), -coalesce(sum(o.open_likes) filter (where o.is_first), 0),
               -coalesce(sum(o.open_comments) filter (where o.is_first), 0), -coalesce(sum(o.open_reposts) filter (where o.is_first), 0),
               -coalesce(sum(o.open_saves) filter (where o.is_first), 0), -count(*) filter (where o.is_first))::private.analytics_delta
    from old_rows o cross join lateral (select v.organization_id, v.campaign_id, v.platform from public.videos v where v.id = o.video_id) v
    group by v.organization_id, v.campaign_id, v.platform, o.day));
  return null;
end;
$$;

create function private.analytics_after_daily_update()
returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
  perform private.fold_analytics_deltas(array(
    select row(v.organization_id, v.campaign_id, v.platform, x.day,
               sum(x.sign * x.inc_views), sum(x.sign * x.inc_likes), sum(x.sign * x.inc_comments), sum(x.sign * x.inc_reposts), sum(x.sign * x.inc_saves),
               coalesce(sum(x.sign * x.open_views) filter (where x.is_first), 0), coalesce(sum(x.sign * x.open_likes) filter (where x.is_first), 0),
               coalesce(sum(x.sign * x.open_comments) filter (where x.is_first), 0), coalesce(sum(x.sign * x.open_reposts) filter (where x.is_first), 0),
               coalesce(sum(x.sign * x.open_saves) filter (where x.is_first), 0), coalesce(sum(x.sign) filter (where x.is_first), 0))::private.analytics_delta
    from (
      select 1 as sign, n.video_id, n.day, n.inc_views, n.inc_likes, n.inc_comments, n.inc_reposts, n.inc_saves,
             n.open_views, n.open_likes, n.open_comments, n.open_reposts, n.open_saves, n.is_first from new_rows n
      union all
      select -1, o.video_id, o.day, o.inc_views, o.inc_likes, o.inc_comments, o.inc_reposts, o.inc_saves,
             o.open_views, o.open_likes, o.open_comments, o.open_reposts, o.open_saves, o.is_first from old_rows o
    ) x
    cross join lateral (select v.organization_id, v.campaign_id, v.platform from public.videos v where v.id = x.video_id) v
    group by v.organization_id, v.campaign_id, v.platform, x.day));
  return null;
end;
$$;

create function private.analytics_after_daily_truncate()
returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
  truncate public.campaign_daily_stats, public.organization_daily_stats;
  return null;
end;
$$;

-- Moves the rollup rows of videos whose campaign, platform or organization changed: − under the
-- old keys, + under the new. FOR UPDATE first: see "Concurrency" above.
create function private.analytics_after_video_update()
returns trigger
language plpgsql security definer
set search_path = ''
as $$
declare
  moved uuid[];
begin
  select array_agg(n.id order by n.id) into moved
  from new_videos n join old_videos o on o.id = n.id
  where (n.campaign_id, n.platform, n.organization_id) is distinct from (o.campaign_id, o.platform, o.organization_id);
  if moved is null then
    return null;
  end if;
  perform 1 from public.videos v where v.id = any (moved) order by v.id for update;
  -- each moved video's rows are read once, summed per day and (old keys, new keys), then folded
  -- as − under the old keys and + under the new ones
  perform private.fold_analytics_deltas(array(
    select row(k.organization_id, k.campaign_id, k.platform, g.day,
               k.sign * g.inc_views, k.sign * g.inc_likes, k.sign * g.inc_comments, k.sign * g.inc_reposts, k.sign * g.inc_saves,
               k.sign * g.base_views, k.sign * g.base_likes, k.sign * g.base_comments, k.sign * g.base_reposts, k.sign * g.base_saves,
               k.sign * g.videos_started)::private.analytics_delta
    from (
      select o.organization_id as old_org, o.campaign_id as old_campaign, o.platform as old_platform,
             n.organization_id as new_org, n.campaign_id as new_campaign, n.platform as new_platform, d.day,
             sum(d.inc_views) as inc_views, sum(d.inc_likes) as inc_likes, sum(d.inc_comments) as inc_comments,
             sum(d.inc_reposts) as inc_reposts, sum(d.inc_saves) as inc_saves,
             coalesce(sum(d.open_views) filter (where d.is_first), 0) as base_views, coalesce(sum(d.open_likes) filter (where d.is_first), 0) as base_likes,
             coalesce(sum(d.open_comments) filter (where d.is_first), 0) as base_comments, coalesce(sum(d.open_reposts) filter (where d.is_first), 0) as base_reposts,
             coalesce(sum(d.open_saves) filter (where d.is_first), 0) as base_saves, count(*) filter (where d.is_first) as videos_started
      from new_videos n
      join old_videos o on o.id = n.id
      join public.video_daily_stats d on d.video_id = n.id
      where n.id = any (moved)
      group by o.organization_id, o.campaign_id, o.platform, n.organization_id, n.campaign_id, n.platform, d.day
    ) g
    cross join lateral (values (-1, g.old_org, g.old_campaign, g.old_platform), (1, g.new_org, g.new_campaign, g.new_platform))
      as k(sign, organization_id, campaign_id, platform)));
  return null;
end;
$$;

-- A deleted video's rows, subtracted while its campaign is still known (see "Writes followed").
create function private.analytics_before_video_delete()
returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
  perform private.fold_analytics_deltas(array(
    select row(old.organization_id, old.campaign_id, old.platform, d.day,
               -d.inc_views, -d.inc_likes, -d.inc_comments, -d.inc_reposts, -d.inc_saves,
               case when d.is_first then -d.open_views else 0 end, case when d.is_first then -d.open_likes else 0 end,
               case when d.is_first then -d.open_comments else 0 end, case when d.is_first then -d.open_reposts else 0 end,
               case when d.is_first then -d.open_saves else 0 end, case when d.is_first then -1 else 0 end)::private.analytics_delta
    from public.video_daily_stats d where d.video_id = old.id));
  return old;
end;
$$;

revoke all on function private.fold_analytics_deltas(private.analytics_delta[]),
  private.analytics_after_daily_insert(), private.analytics_after_daily_delete(), private.analytics_after_daily_update(),
  private.analytics_after_daily_truncate(), private.analytics_after_video_update(), private.analytics_before_video_delete()
  from public, anon, authenticated;

-- Triggers ---------------------------------------------------------------------------------------
-- Writes during this migration must reach the aggregates: block writers of the rollup (through the
-- snapshots) and of video membership until commit, so the backfill and the triggers see the same rows.
lock table public.video_statistics, public.video_daily_stats, public.videos in share row exclusive mode;

create trigger analytics_daily_insert after insert on public.video_daily_stats
  referencing new table as new_rows
  for each statement execute function private.analytics_after_daily_insert();
create trigger analytics_daily_update after update on public.video_daily_stats
  referencing old table as old_rows new table as new_rows
  for each statement execute function private.analytics_after_daily_update();
create trigger analytics_daily_delete after delete on public.video_daily_stats
  referencing old table as old_rows
  for each statement execute function private.analytics_after_daily_delete();
create trigger analytics_daily_truncate after truncate on public.video_daily_stats
  for each statement execute function private.analytics_after_daily_truncate();
create trigger analytics_video_update after update on public.videos
  referencing old table as old_videos new table as new_videos
  for each statement execute function private.analytics_after_video_update();
create trigger analytics_video_delete before delete on public.videos
  for each row execute function private.analytics_before_video_delete();

-- Backfill ---------------------------------------------------------------------------------------
insert into public.campaign_daily_stats (
  organization_id, campaign_id, day, platform, inc_views, inc_likes, inc_comments, inc_reposts, inc_saves,
  base_views, base_likes, base_comments, base_reposts, base_saves, videos_started)
select v.organization_id, v.campaign_id, d.day, v.platform,
       sum(d.inc_views), sum(d.inc_likes), sum(d.inc_comments), sum(d.inc_reposts), sum(d.inc_saves),
       coalesce(sum(d.open_views) filter (where d.is_first), 0), coalesce(sum(d.open_likes) filter (where d.is_first), 0),
       coalesce(sum(d.open_comments) filter (where d.is_first), 0), coalesce(sum(d.open_reposts) filter (where d.is_first), 0),
       coalesce(sum(d.open_saves) filter (where d.is_first), 0), count(*) filter (where d.is_first)
from public.video_daily_stats d join public.videos v on v.id = d.video_id
where v.campaign_id is not null
group by v.organization_id, v.campaign_id, d.day, v.platform;

insert into public.organization_daily_stats (
  organization_id, day, platform, inc_views, inc_likes, inc_comments, inc_reposts, inc_saves,
  base_views, base_likes, base_comments, base_reposts, base_saves, videos_started)
select v.organization_id, d.day, v.platform,
       sum(d.inc_views), sum(d.inc_likes), sum(d.inc_comments), sum(d.inc_reposts), sum(d.inc_saves),
       coalesce(sum(d.open_views) filter (where d.is_first), 0), coalesce(sum(d.open_likes) filter (where d.is_first), 0),
       coalesce(sum(d.open_comments) filter (where d.is_first), 0), coalesce(sum(d.open_reposts) filter (where d.is_first), 0),
       coalesce(sum(d.open_saves) filter (where d.is_first), 0), count(*) filter (where d.is_first)
from public.video_daily_stats d join public.videos v on v.id = d.video_id
group by v.organization_id, d.day, v.platform;

-- RLS --------------------------------------------------------------------------------------------
-- Members read their organizations' rows. No write policies and no write grants: only the
-- triggers above (security definer, run as the table owner) write them.
alter table public.campaign_daily_stats enable row level security;
alter table public.organization_daily_stats enable row level security;
revoke insert, update, delete, truncate on public.campaign_daily_stats, public.organization_daily_stats from anon, authenticated;

create policy "Members can read their organization's daily campaign statistics"
  on public.campaign_daily_stats for select to authenticated
  using (organization_id = any (array(select private.user_organization_ids())));

create policy "Members can read their organization's daily statistics"
  on public.organization_daily_stats for select to authenticated
  using (organization_id = any (array(select private.user_organization_ids())));
