-- Each rollup row also stores its day's increment, so a campaign timeseries is a `sum … group by
-- day` over the rows in range instead of a window (lag) over every video's days.
--
-- Why (BENCHMARKS.md, "Campaign analytics"): for a 10,000-video campaign over 90 days the window
-- over ~890,000 (video, day) rows was ~2 s of a ~4.4 s daily timeseries, on the rollup and on raw
-- snapshots alike.
--
-- What a row gains (definitions as in 20261122300000_analytics_rollup.sql):
--   inc_views … inc_saves   close(d) - close(previous day with data); on the video's first day,
--                           close - open
--   is_first                d is the video's first day with data (its open_* values start the
--                           video's totals)
-- Kept by one more statement-level trigger per write, fired after the rollup's own (triggers on
-- the same event fire in name order): it recomputes the touched days and the next day with data
-- after each (whose increment is measured from the touched day), writing only rows that changed.
-- A nightly write touches each video's newest day, which has no next day.

alter table public.video_daily_stats
  add column inc_views bigint not null default 0,
  add column inc_likes bigint not null default 0,
  add column inc_comments bigint not null default 0,
  add column inc_reposts bigint not null default 0,
  add column inc_saves bigint not null default 0,
  add column is_first boolean not null default false;

-- Recomputes inc_* and is_first for the given (video, day) keys and, for each, the video's next day
-- with data. Keys whose row no longer exists (all its snapshots deleted) still fix the next day.
create function private.refresh_video_daily_increments(video_ids uuid[], days date[])
returns void
language sql security definer
set search_path = ''
as $$
  with k as (
    select distinct k.video_id, k.day from unnest(video_ids, days) as k(video_id, day)
  ),
  targets as (
    select k.video_id, k.day from k
    union
    select k.video_id, nx.day
    from k cross join lateral (
      select d.day from public.video_daily_stats d
      where d.video_id = k.video_id and d.day > k.day
      order by d.day limit 1) nx
  ),
  computed as (
    select d.video_id, d.day,
           d.views - coalesce(p.views, d.open_views) as inc_views,
           d.likes - coalesce(p.likes, d.open_likes) as inc_likes,
           d.comments - coalesce(p.comments, d.open_comments) as inc_comments,
           d.reposts - coalesce(p.reposts, d.open_reposts) as inc_reposts,
           d.saves - coalesce(p.saves, d.open_saves) as inc_saves,
           p.views is null as is_first
    from targets t
    join public.video_daily_stats d on d.video_id = t.video_id and d.day = t.day
    left join lateral (
      select p.views, p.likes, p.comments, p.reposts, p.saves from public.video_daily_stats p
      where p.video_id = t.video_id and p.day < t.day
      order by p.day desc limit 1) p on true
  )
  update public.video_daily_stats d set
    inc_views = c.inc_views, inc_likes = c.inc_likes, inc_comments = c.inc_comments,
    inc_reposts = c.inc_reposts, inc_saves = c.inc_saves, is_first = c.is_first
  from computed c
  where d.video_id = c.video_id and d.day = c.day
    and (d.inc_views, d.inc_likes, d.inc_comments, d.inc_reposts, d.inc_saves, d.is_first)
        is distinct from (c.inc_views, c.inc_likes, c.inc_comments, c.inc_reposts, c.inc_saves, c.is_first);
$$;
comment on function private.refresh_video_daily_increments(uuid[], date[]) is
  'Recomputes video_daily_stats.inc_* / is_first for (video, day) keys and each key''s next day with data.';

create function private.video_daily_increments_after_insert()
returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
  perform private.refresh_video_daily_increments(array_agg(k.video_id), array_agg(k.day))
  from (select distinct n.video_id, (n.created_at at time zone 'UTC')::date as day from new_snapshots n) k;
  return null;
end;
$$;

create function private.video_daily_increments_after_update()
returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
  perform private.refresh_video_daily_increments(array_agg(k.video_id), array_agg(k.day))
  from (select video_id, (created_at at time zone 'UTC')::date as day from old_snapshots
        union
        select video_id, (created_at at time zone 'UTC')::date as day from new_snapshots) k;
  return null;
end;
$$;

create function private.video_daily_increments_after_delete()
returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
  perform private.refresh_video_daily_increments(array_agg(k.video_id), array_agg(k.day))
  from (select distinct o.video_id, (o.created_at at time zone 'UTC')::date as day from old_snapshots o) k;
  return null;
end;
$$;

revoke all on function private.refresh_video_daily_increments(uuid[], date[]),
  private.video_daily_increments_after_insert(), private.video_daily_increments_after_update(),
  private.video_daily_increments_after_delete()
  from public, anon, authenticated;

lock table public.video_statistics in share row exclusive mode;

-- Names sort after video_daily_stats_insert/_update/_delete: these fire once the rollup rows exist.
create trigger video_daily_stats_insert_increments after insert on public.video_statistics
  referencing new table as new_snapshots
  for each statement execute function private.video_daily_increments_after_insert();
create trigger video_daily_stats_update_increments after update on public.video_statistics
  referencing old table as old_snapshots new table as new_snapshots
  for each statement execute function private.video_daily_increments_after_update();
create trigger video_daily_stats_delete_increments after delete on public.video_statistics
  referencing old table as old_snapshots
  for each statement execute function private.video_daily_increments_after_delete();

-- Backfill the rows written before this migration.
update public.video_daily_stats d set
  inc_views = w.inc_views, inc_likes = w.inc_likes, inc_comments = w.inc_comments,
  inc_reposts = w.inc_reposts, inc_saves = w.inc_saves, is_first = w.is_first
from (
  select s.video_id, s.day,
         s.views - coalesce(lag(s.views) over w, s.open_views) as inc_views,
         s.likes - coalesce(lag(s.likes) over w, s.open_likes) as inc_likes,
         s.comments - coalesce(lag(s.comments) over w, s.open_comments) as inc_comments,
         s.reposts - coalesce(lag(s.reposts) over w, s.open_reposts) as inc_reposts,
         s.saves - coalesce(lag(s.saves) over w, s.open_saves) as inc_saves,
         row_number() over w = 1 as is_first
  from public.video_daily_stats s
  window w as (partition by s.video_id order by s.day)
) w
where d.video_id = w.video_id and d.day = w.day;

-- The legacy daily view reads the stored increments: no window, and a day filter now reaches the
-- table (before, it had to be applied after the window).
create or replace view public.mv_video_daily_increments
with (security_invoker = true) as
select
  d.organization_id,
  d.video_id,
  d.day,
  d.views,
  d.likes,
  d.comments,
  d.reposts,
  d.saves,
  d.inc_views as views_delta,
  d.inc_likes as likes_delta,
  d.inc_comments as comments_delta,
  d.inc_reposts as reposts_delta,
  d.inc_saves as saves_delta
from public.video_daily_stats d;
