-- Each creator's usual day, for the viral alert (src/db/alerts.ts).
--
-- A creator is a blogger, or a video without a blogger on its own. Its baseline on day D is the
-- median daily view increment (video_daily_stats.inc_views, first days excluded) of its videos over
-- the 30 whole UTC days before D. It reads past days only, so it is the same all day long: it is
-- computed once per creator and day — by NightlyRefresh for the creators of the videos it pages,
-- and otherwise by the first alert statement that needs it — and every later stats batch that day
-- reads it with one primary-key probe instead of re-reading up to 30 rollup rows per video.
-- (Rows written for past days after the baseline was taken — a video joining a blogger mid-day,
-- a snapshot timestamped yesterday — count from the next day on.)
--
-- One row per creator (the latest day), so the table holds as many rows as there are creators.
-- Service only: RLS on, no policy (members never read it; alerts carry the figure they need).

create table public.creator_growth_baselines (
  creator_id uuid primary key,
  organization_id uuid not null references public.organizations (id) on delete cascade,
  day date not null,
  median double precision,
  computed_at timestamptz not null default now()
);
comment on table public.creator_growth_baselines is
  'Per creator (blogger, or a video without one): median daily view increment of its videos over the 30 days before `day`. Service only.';
comment on column public.creator_growth_baselines.median is 'null: the creator has no increments in the window (no viral alert possible yet).';
create index creator_growth_baselines_organization_idx on public.creator_growth_baselines (organization_id);
alter table public.creator_growth_baselines enable row level security;

-- The one definition of the baseline, used by the nightly preparation and the alert fallback.
create function private.creator_growth_median(p_organization_id uuid, p_blogger_id uuid, p_video_id uuid, p_day date)
returns double precision
language sql stable
set search_path = ''
as $$
  select percentile_cont(0.5) within group (order by d.inc_views)
  from public.video_daily_stats d
  where d.video_id in (
          select p_video_id where p_blogger_id is null
          union all
          select v.id from public.videos v
          where p_blogger_id is not null and v.blogger_id = p_blogger_id and v.organization_id = p_organization_id)
    and d.day >= p_day - 30 and d.day < p_day and not d.is_first
$$;
revoke all on function private.creator_growth_median(uuid, uuid, uuid, date) from public;
grant execute on function private.creator_growth_median(uuid, uuid, uuid, date) to service_role;
