-- Analytics rollup: one row per video per day, kept current by the writer, and the legacy
-- increments views over it.
--
-- Why a rollup, not materialized views. The legacy system recomputed mv_video_daily_increments
-- from every snapshot after write batches: a refresh costs O(all snapshots) however few rows the
-- batch wrote, so it gets slower as video_statistics grows to tens of millions of rows and the
-- views are stale between refreshes. Here a statement-level trigger folds each INSERT statement's
-- new snapshots (its transition table) into video_daily_stats with one upsert: the cost is
-- O(rows written), the rollup is never stale (same transaction as the snapshots), and reads scan
-- days × videos instead of raw snapshots.
--
-- Statement-level vs row-level trigger (`npm run bench` part 4, BENCHMARKS.md): one INSERT of
-- 1,334 snapshots, as the stats consumer writes a delivered batch, took 56 ms bare, 137 ms with
-- this statement-level trigger (values and increments), and 198 ms with a row-level trigger doing
-- the values alone (2026-12-02, 2 cores, Postgres 18).
-- The row-level trigger runs one upsert per snapshot (plan + index probe each); the statement-level
-- one runs a single sort + upsert for the whole batch. We use the statement-level trigger.
--
-- What a row holds. For video v and UTC day d (days are UTC calendar days, whatever the
-- organization's timezone: one rollup serves every reader, and changing an organization's
-- timezone rewrites nothing):
--   views … saves                the day's LAST snapshot (largest created_at, then id): the value
--                                at the end of day d
--   open_views … open_saves      the day's FIRST snapshot: used only on the video's first day,
--                                where growth is counted from the first measurement
--   last_/first_snapshot_at/_id  which snapshots those were, so a late (out-of-order) snapshot
--                                replaces a value only if it is newer (last) or older (first)
--   inc_views … inc_saves        the day's increment: close(d) - close(previous day with data); on
--                                the video's first day, close - open. Stored, so a campaign
--                                timeseries is a `sum … group by day`, not a window over every
--                                video's days (BENCHMARKS.md: 4.4 s -> 1.2 s at 10,000 videos × 90 days)
--   is_first                     d is the video's first day with data (its open_* start its totals)
-- Days without a snapshot have no row: readers carry the last known value forward, so a gap never
-- produces a negative increment, and the growth over a gap is counted on the day data arrives.
--
-- Definitions readers use (src/db/analytics.ts, src/steps/analytics.ts):
--   value(v, d)        = last values of v's latest row with day <= d (carried forward)
--   daily increment    = close(d) - close(previous day with data); on v's first day, close - open
--   weekly increment   = sum of the daily increments of the ISO week (Monday start)
--
-- Writes the rollup follows:
--   INSERT  only rows actually inserted are in the transition table: `on conflict (video_id,
--           fetch_key) do nothing` skips duplicates, and they never reach the rollup. The upsert
--           computes each written row's increment from the video's previous day; then the next day
--           with data after each touched day is recomputed (it is measured from the touched day: a
--           late snapshot). A nightly write touches each video's newest day, so that is one index
--           probe per video and no second write of the row.
--   UPDATE / DELETE / TRUNCATE of snapshots (rare: support fixes, video deletes cascading)
--           recompute the touched (video, day) rows from video_statistics, and the increments of
--           those days and the next day after each.
-- The rollup is written only by these triggers (security definer): signed-in users may read their
-- organizations' rows and write none.

-- Tables -----------------------------------------------------------------------------------------
create table public.video_daily_stats (
  organization_id uuid not null,
  video_id uuid not null,
  day date not null,
  views bigint not null,
  likes bigint not null,
  comments bigint not null,
  reposts bigint not null,
  saves bigint not null,
  last_snapshot_at timestamptz not null,
  last_snapshot_id bigint not null,
  open_views bigint not null,
  open_likes bigint not null,
  open_comments bigint not null,
  open_reposts bigint not null,
  open_saves bigint not null,
  first_snapshot_at timestamptz not null,
  first_snapshot_id bigint not null,
  inc_views bigint not null default 0,
  inc_likes bigint not null default 0,
  inc_comments bigint not null default 0,
  inc_reposts bigint not null default 0,
  inc_saves bigint not null default 0,
  is_first boolean not null default false,
  primary key (video_id, day),
  foreign key (organization_id, video_id) references public.videos (organization_id, id) on delete cascade
)
-- Later snapshots of the same day update the row in place: leave room for HOT updates.
with (fillfactor = 90);
comment on table public.video_daily_stats is
  'Per video and UTC day: the last (views…saves) and first (open_*) snapshot values and the day''s increment (inc_*). Written only by triggers on video_statistics.';
-- RLS filter and organization-wide day ranges. Per-video reads use the primary key (video_id, day).
create index video_daily_stats_organization_day_idx on public.video_daily_stats (organization_id, day);
-- A timeseries reads only these columns, a video's days in order: with them in the index, each
-- video's range is an index-only scan instead of ~90 heap rows scattered over 90 nights' pages
-- (measured in development: 5.5 s -> 1.1 s for a 10,000-video, 90-day campaign in a 4 M-row rollup; no measurable
-- cost on a consumer batch's write; the index is ~60 % of the table's size).
create index video_daily_stats_series_idx on public.video_daily_stats (video_id, day)
  include (organization_id, is_first, inc_views, inc_likes, inc_comments, inc_reposts, inc_saves,
           open_views, open_likes, open_comments, open_reposts, open_saves);

-- Functions --------------------------------------------------------------------------------------

-- Recomputes inc_* and is_first for the video's next day with data after each (video, day) key and,
-- with keys_too, for the keys themselves. Keys whose row no longer exists (all its snapshots
-- deleted) still fix the next day.
create function private.refresh_video_daily_increments(video_ids uuid[], days date[], keys_too boolean)
returns void
language sql security definer
set search_path = ''
as $$
  with k as (
    select distinct k.video_id, k.day from unnest(video_ids, days) as k(video_id, day)
  ),
  targets as (
    select k.video_id, k.day from k where keys_too
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
comment on function private.refresh_video_daily_increments(uuid[], date[], boolean) is
  'Recomputes video_daily_stats.inc_* / is_first for each (video, day) key''s next day with data and, with keys_too, the keys.';

-- Folds the statement's inserted snapshots into the rollup: one sort, one upsert per statement.
-- Within the statement, rows of the same (video, day) are reduced first (ON CONFLICT may touch a row
-- only once per statement); against an existing row, a value is replaced only by a newer last /
-- older first snapshot, so snapshots may arrive in any order.
-- The row's increment: for a new row, from the video's previous row (read before the statement);
-- for an existing row, excluded.* carries the previous day's close as (views - inc_views) when there
-- is a previous day, so the increment follows whichever close and open the row keeps.
create function private.video_daily_stats_after_insert()
returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
  insert into public.video_daily_stats as d (
    organization_id, video_id, day, views, likes, comments, reposts, saves, last_snapshot_at, last_snapshot_id,
    open_views, open_likes, open_comments, open_reposts, open_saves, first_snapshot_at, first_snapshot_id,
    inc_views, inc_likes, inc_comments, inc_reposts, inc_saves, is_first)
  select g.organization_id, g.video_id, g.day, g.views, g.likes, g.comments, g.reposts, g.saves, g.last_snapshot_at, g.last_snapshot_id,
    g.open_views, g.open_likes, g.open_comments, g.open_reposts, g.open_saves, g.first_snapshot_at, g.first_snapshot_id,
    g.views - coalesce(p.views, g.open_views), g.likes - coalesce(p.likes, g.open_likes), g.comments - coalesce(p.comments, g.open_comments),
    g.reposts - coalesce(p.reposts, g.open_reposts), g.saves - coalesce(p.saves, g.open_saves), p.views is null
  from (
    select distinct on (s.video_id, s.day)
      s.organization_id, s.video_id, s.day,
      last_value(s.views) over w as views, last_value(s.likes) over w as likes, last_value(s.comments) over w as comments,
      last_value(s.reposts) over w as reposts, last_value(s.saves) over w as saves,
      last_value(s.created_at) over w as last_snapshot_at, last_value(s.id) over w as last_snapshot_id,
      s.views as open_views, s.likes as open_likes, s.comments as open_comments, s.reposts as open_reposts, s.saves as open_saves,
      s.created_at as first_snapshot_at, s.id as first_snapshot_id
    from (select n.*, (n.created_at at time zone 'UTC')::date as day from new_snapshots n) s
    window w as (partition by s.video_id, s.day order by s.created_at, s.id rows between unbounded preceding and unbounded following)
    order by s.video_id, s.day, s.created_at, s.id
  ) g
  left join lateral (
    select p.views, p.likes, p.comments, p.reposts, p.saves from public.video_daily_stats p
    where p.video_id = g.video_id and p.day < g.day
    order by p.day desc limit 1) p on true
  on conflict (video_id, day) do update set
    views = case when (excluded.last_snapshot_at, excluded.last_snapshot_id) > (d.last_snapshot_at, d.last_snapshot_id) then excluded.views else d.views end,
    likes = case when (excluded.last_snapshot_at, excluded.last_snapshot_id) > (d.last_snapshot_at, d.last_snapshot_id) then excluded.likes else d.likes end,
    comments = case when (excluded.last_snapshot_at, excluded.last_snapshot_id) > (d.last_snapshot_at, d.last_snapshot_id) then excluded.comments else d.comments end,
    reposts = case when (excluded.last_snapshot_at, excluded.last_snapshot_id) > (d.last_snapshot_at, d.last_snapshot_id) then excluded.reposts else d.reposts end,
    saves = case when (excluded.last_snapshot_at, excluded.last_snapshot_id) > (d.last_snapshot_at, d.last_snapshot_id) then excluded.saves else d.saves end,
    last_snapshot_at = case when (excluded.last_snapshot_at, excluded.last_snapshot_id) > (d.last_snapshot_at, d.last_snapshot_id) then excluded.last_snapshot_at else d.last_snapshot_at end,
    last_snapshot_id = case when (excluded.last_snapshot_at, excluded.last_snapshot_id) > (d.last_snapshot_at, d.last_snapshot_id) then excluded.last_snapshot_id else d.last_snapshot_id end,
    open_views = case when (excluded.first_snapshot_at, excluded.first_snapshot_id) < (d.first_snapshot_at, d.first_snapshot_id) then excluded.open_views else d.open_views end,
    open_likes = case when (excluded.first_snapshot_at, excluded.first_snapshot_id) < (d.first_snapshot_at, d.first_snapshot_id) then excluded.open_likes else d.open_likes end,
    open_comments = case when (excluded.first_snapshot_at, excluded.first_snapshot_id) < (d.first_snapshot_at, d.first_snapshot_id) then excluded.open_comments else d.open_comments end,
    open_reposts = case when (excluded.first_snapshot_at, excluded.first_snapshot_id) < (d.first_snapshot_at, d.first_snapshot_id) then excluded.open_reposts else d.open_reposts end,
    open_saves = case when (excluded.first_snapshot_at, excluded.first_snapshot_id) < (d.first_snapshot_at, d.first_snapshot_id) then excluded.open_saves else d.open_saves end,
    first_snapshot_at = case when (excluded.first_snapshot_at, excluded.first_snapshot_id) < (d.first_snapshot_at, d.first_snapshot_id) then excluded.first_snapshot_at else d.first_snapshot_at end,
    first_snapshot_id = case when (excluded.first_snapshot_at, excluded.first_snapshot_id) < (d.first_snapshot_at, d.first_snapshot_id) then excluded.first_snapshot_id else d.first_snapshot_id end,
    inc_views = (case when (excluded.last_snapshot_at, excluded.last_snapshot_id) > (d.last_snapshot_at, d.last_snapshot_id) then excluded.views else d.views end)
      - case when excluded.is_first then (case when (excluded.first_snapshot_at, excluded.first_snapshot_id) < (d.first_snapshot_at, d.first_snapshot_id) then excluded.open_views else d.open_views end)
             else excluded.views - excluded.inc_views end,
    inc_likes = (case when (excluded.last_snapshot_at, excluded.last_snapshot_id) > (d.last_snapshot_at, d.last_snapshot_id) then excluded.likes else d.likes end)
      - case when excluded.is_first then (case when (excluded.first_snapshot_at, excluded.first_snapshot_id) < (d.first_snapshot_at, d.first_snapshot_id) then excluded.open_likes else d.open_likes end)
             else excluded.likes - excluded.inc_likes end,
    inc_comments = (case when (excluded.last_snapshot_at, excluded.last_snapshot_id) > (d.last_snapshot_at, d.last_snapshot_id) then excluded.comments else d.comments end)
      - case when excluded.is_first then (case when (excluded.first_snapshot_at, excluded.first_snapshot_id) < (d.first_snapshot_at, d.first_snapshot_id) then excluded.open_comments else d.open_comments end)
             else excluded.comments - excluded.inc_comments end,
    inc_reposts = (case when (excluded.last_snapshot_at, excluded.last_snapshot_id) > (d.last_snapshot_at, d.last_snapshot_id) then excluded.reposts else d.reposts end)
      - case when excluded.is_first then (case when (excluded.first_snapshot_at, excluded.first_snapshot_id) < (d.first_snapshot_at, d.first_snapshot_id) then excluded.open_reposts else d.open_reposts end)
             else excluded.reposts - excluded.inc_reposts end,
    inc_saves = (case when (excluded.last_snapshot_at, excluded.last_snapshot_id) > (d.last_snapshot_at, d.last_snapshot_id) then excluded.saves else d.saves end)
      - case when excluded.is_first then (case when (excluded.first_snapshot_at, excluded.first_snapshot_id) < (d.first_snapshot_at, d.first_snapshot_id) then excluded.open_saves else d.open_saves end)
             else excluded.saves - excluded.inc_saves end
  -- a snapshot that is neither the day's newest nor its oldest changes nothing: no new row version
  where (excluded.last_snapshot_at, excluded.last_snapshot_id) > (d.last_snapshot_at, d.last_snapshot_id)
     or (excluded.first_snapshot_at, excluded.first_snapshot_id) < (d.first_snapshot_at, d.first_snapshot_id);

  -- the touched days were computed above; the next day after each is measured from them
  perform private.refresh_video_daily_increments(array_agg(k.video_id), array_agg(k.day), false)
  from (select distinct n.video_id, (n.created_at at time zone 'UTC')::date as day from new_snapshots n) k;
  return null;
end;
$$;

comment on function private.video_daily_stats_after_insert() is
  'AFTER INSERT FOR EACH STATEMENT on video_statistics: upserts the inserted snapshots into video_daily_stats.';

-- Rebuilds the given (video, day) rows from video_statistics: used after UPDATE and DELETE, which
-- can remove a day's first or last snapshot (a rollup row cannot be corrected from the change alone).
create function private.rebuild_video_daily_stats(keys jsonb)
returns void
language plpgsql security definer
set search_path = ''
as $$
begin
  delete from public.video_daily_stats d
  using jsonb_to_recordset(keys) as k(video_id uuid, day date)
  where d.video_id = k.video_id and d.day = k.day;

  insert into public.video_daily_stats (
    organization_id, video_id, day, views, likes, comments, reposts, saves, last_snapshot_at, last_snapshot_id,
    open_views, open_likes, open_comments, open_reposts, open_saves, first_snapshot_at, first_snapshot_id)
  select distinct on (s.video_id, s.day)
    s.organization_id, s.video_id, s.day,
    last_value(s.views) over w, last_value(s.likes) over w, last_value(s.comments) over w,
    last_value(s.reposts) over w, last_value(s.saves) over w, last_value(s.created_at) over w, last_value(s.id) over w,
    s.views, s.likes, s.comments, s.reposts, s.saves, s.created_at, s.id
  from (
    select st.*, k.day
    from (select distinct * from jsonb_to_recordset(keys) as k(video_id uuid, day date)) k
    join public.video_statistics st
      on st.video_id = k.video_id
     and st.created_at >= k.day::timestamp at time zone 'UTC'
     and st.created_at < (k.day + 1)::timestamp at time zone 'UTC'
  ) s
  window w as (partition by s.video_id, s.day order by s.created_at, s.id rows between unbounded preceding and unbounded following)
  order by s.video_id, s.day, s.created_at, s.id;

  perform private.refresh_video_daily_increments(array_agg(k.video_id), array_agg(k.day), true)
  from jsonb_to_recordset(keys) as k(video_id uuid, day date);
end;
$$;
comment on function private.rebuild_video_daily_stats(jsonb) is
  'Recomputes video_daily_stats rows for [{video_id, day}] from video_statistics, and their increments and the next day''s.';

create function private.video_daily_stats_after_delete()
returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
  -- Videos deleted in this statement (their snapshots cascade here) have nothing left to rebuild.
  perform private.rebuild_video_daily_stats(coalesce((
    select jsonb_agg(distinct jsonb_build_object('video_id', o.video_id, 'day', (o.created_at at time zone 'UTC')::date))
    from old_snapshots o
    where exists (select 1 from public.videos v where v.id = o.video_id)), '[]'));
  return null;
end;
$$;

create function private.video_daily_stats_after_update()
returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
  perform private.rebuild_video_daily_stats(coalesce((
    select jsonb_agg(distinct jsonb_build_object('video_id', k.video_id, 'day', (k.created_at at time zone 'UTC')::date))
    from (select video_id, created_at from old_snapshots union all select video_id, created_at from new_snapshots) k), '[]'));
  return null;
end;
$$;

create function private.video_daily_stats_after_truncate()
returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
  truncate public.video_daily_stats;
  return null;
end;
$$;

revoke all on function private.refresh_video_daily_increments(uuid[], date[], boolean),
  private.video_daily_stats_after_insert(), private.rebuild_video_daily_stats(jsonb),
  private.video_daily_stats_after_delete(), private.video_daily_stats_after_update(), private.video_daily_stats_after_truncate()
  from public, anon, authenticated;

-- Triggers ---------------------------------------------------------------------------------------
-- Snapshots written while this migration runs must reach the rollup: block writers from here to
-- commit, so the backfill below and the trigger see the same rows.
lock table public.video_statistics in share row exclusive mode;

-- (Transition tables allow one event per trigger: one trigger per event.)
create trigger video_daily_stats_insert after insert on public.video_statistics
  referencing new table as new_snapshots
  for each statement execute function private.video_daily_stats_after_insert();
create trigger video_daily_stats_update after update on public.video_statistics
  referencing old table as old_snapshots new table as new_snapshots
  for each statement execute function private.video_daily_stats_after_update();
create trigger video_daily_stats_delete after delete on public.video_statistics
  referencing old table as old_snapshots
  for each statement execute function private.video_daily_stats_after_delete();
create trigger video_daily_stats_truncate after truncate on public.video_statistics
  for each statement execute function private.video_daily_stats_after_truncate();

-- Backfill: the snapshots written before this migration -------------------------------------------
insert into public.video_daily_stats (
  organization_id, video_id, day, views, likes, comments, reposts, saves, last_snapshot_at, last_snapshot_id,
  open_views, open_likes, open_comments, open_reposts, open_saves, first_snapshot_at, first_snapshot_id,
  inc_views, inc_likes, inc_comments, inc_reposts, inc_saves, is_first)
select g.*,
  g.views - coalesce(lag(g.views) over v, g.open_views), g.likes - coalesce(lag(g.likes) over v, g.open_likes),
  g.comments - coalesce(lag(g.comments) over v, g.open_comments), g.reposts - coalesce(lag(g.reposts) over v, g.open_reposts),
  g.saves - coalesce(lag(g.saves) over v, g.open_saves), row_number() over v = 1
from (
  select distinct on (s.video_id, s.day)
    s.organization_id, s.video_id, s.day,
    last_value(s.views) over w as views, last_value(s.likes) over w as likes, last_value(s.comments) over w as comments,
    last_value(s.reposts) over w as reposts, last_value(s.saves) over w as saves,
    last_value(s.created_at) over w as last_snapshot_at, last_value(s.id) over w as last_snapshot_id,
    s.views as open_views, s.likes as open_likes, s.comments as open_comments, s.reposts as open_reposts, s.saves as open_saves,
    s.created_at as first_snapshot_at, s.id as first_snapshot_id
  from (select st.*, (st.created_at at time zone 'UTC')::date as day from public.video_statistics st) s
  window w as (partition by s.video_id, s.day order by s.created_at, s.id rows between unbounded preceding and unbounded following)
  order by s.video_id, s.day, s.created_at, s.id
) g
window v as (partition by g.video_id order by g.day);

-- Views (legacy names; plain views over the rollup) -----------------------------------------------
-- security_invoker: the caller's privileges and RLS apply.

-- Per video and day with data: the values at the end of the day and the growth since the previous
-- day with data (on the video's first day: since its first snapshot). Days without a snapshot
-- have no row; the growth over a gap is on the day data arrives.
create view public.mv_video_daily_increments
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
comment on view public.mv_video_daily_increments is
  'Daily growth per video (UTC days with data; growth over a gap lands on the next day with data). A plain view over video_daily_stats, kept under its legacy name.';

-- Per video and ISO week (Monday start): the sum of the week's daily increments.
create view public.mv_video_weekly_increments
with (security_invoker = true) as
select
  i.organization_id,
  i.video_id,
  date_trunc('week', i.day)::date as week_start,
  extract(isoyear from i.day)::int as iso_year,
  extract(week from i.day)::int as iso_week,
  sum(i.views_delta)::bigint as views_delta,
  sum(i.likes_delta)::bigint as likes_delta,
  sum(i.comments_delta)::bigint as comments_delta,
  sum(i.reposts_delta)::bigint as reposts_delta,
  sum(i.saves_delta)::bigint as saves_delta
from public.mv_video_daily_increments i
group by i.organization_id, i.video_id, date_trunc('week', i.day), extract(isoyear from i.day), extract(week from i.day);
comment on view public.mv_video_weekly_increments is
  'Weekly growth per video and ISO week: sums of mv_video_daily_increments. A plain view, kept under its legacy name.';

-- RLS --------------------------------------------------------------------------------------------
-- Members read their organizations' rollup rows. No write policies and no write grants: only the
-- triggers above (security definer, run as the table owner) write it.
alter table public.video_daily_stats enable row level security;

revoke insert, update, delete, truncate on public.video_daily_stats from anon, authenticated;

create policy "Members can read their organization's daily video statistics"
  on public.video_daily_stats for select to authenticated
  using (organization_id = any (array(select private.user_organization_ids())));
