-- Video counts per campaign and per organization (platform × status), kept by triggers on videos,
-- so campaign stats and the organization dashboard count videos and sum budgets without reading
-- every video row (a 100,000-video campaign's count and budget sum took longer than its whole
-- aggregate read; BENCHMARKS.md "Campaign and organization aggregates").
--
-- Invariants (checked by test/analytics/aggregate-equivalence.test.ts):
--   campaign_video_counts(c)          = count(*), sum(budget), count(budget) of videos with campaign_id = c
--   organization_video_counts(o,p,s)  = count(*) of o's videos with platform p and video_status s
--   (rows whose counts are all zero may remain.)
-- Written only by the statement-level triggers below (INSERT / UPDATE / DELETE of videos: − old
-- rows, + new rows; groups that net to zero write nothing, so an UPDATE that changes none of
-- campaign_id, budget, platform, video_status writes nothing). Members read their organization's
-- rows; nobody writes them directly. Deltas for a campaign or organization being deleted are
-- dropped (their rows cascade).

create table public.campaign_video_counts (
  organization_id uuid not null,
  campaign_id uuid primary key,
  videos integer not null default 0,
  budget_sum numeric(16, 2) not null default 0,
  budgets integer not null default 0,
  foreign key (organization_id, campaign_id) references public.campaigns (organization_id, id) on delete cascade
);
comment on table public.campaign_video_counts is
  'Per campaign: how many videos, the sum of their budgets and how many have one. Written only by triggers on videos.';

create table public.organization_video_counts (
  organization_id uuid not null references public.organizations (id) on delete cascade,
  platform public.platform not null,
  video_status public.video_status not null,
  videos integer not null default 0,
  primary key (organization_id, platform, video_status)
);
comment on table public.organization_video_counts is
  'Per organization, platform and video_status: how many videos. Written only by triggers on videos.';

-- Applies −old / +new video rows (jsonb arrays of {organization_id, campaign_id, platform, video_status, budget, sign}).
create function private.fold_video_counts(rows jsonb)
returns void
language sql security definer
set search_path = ''
as $$
  insert into public.campaign_video_counts as a (organization_id, campaign_id, videos, budget_sum, budgets)
  select g.* from (
    select x.organization_id, x.campaign_id, sum(x.sign)::int, coalesce(sum(x.sign * x.budget), 0), (count(x.budget) filter (where x.sign > 0) - count(x.budget) filter (where x.sign < 0))::int
    from jsonb_to_recordset(rows) as x(organization_id uuid, campaign_id uuid, platform public.platform, video_status public.video_status, budget numeric, sign int)
    where x.campaign_id is not null
      and exists (select 1 from public.campaigns c where c.organization_id = x.organization_id and c.id = x.campaign_id)
    group by x.organization_id, x.campaign_id
  ) g (organization_id, campaign_id, videos, budget_sum, budgets)
  where (g.videos, g.budget_sum, g.budgets) <> (0, 0, 0)
  order by g.campaign_id
  on conflict (campaign_id) do update set
    videos = a.videos + excluded.videos, budget_sum = a.budget_sum + excluded.budget_sum, budgets = a.budgets + excluded.budgets;

  insert into public.organization_video_counts as a (organization_id, platform, video_status, videos)
  select g.* from (
    select x.organization_id, x.platform, x.video_status, sum(x.sign)::int
    from jsonb_to_recordset(rows) as x(organization_id uuid, campaign_id uuid, platform public.platform, video_status public.video_status, budget numeric, sign int)
    where exists (select 1 from public.organizations o where o.id = x.organization_id)
    group by x.organization_id, x.platform, x.video_status
  ) g (organization_id, platform, video_status, videos)
  where g.videos <> 0
  order by g.organization_id, g.platform, g.video_status
  on conflict (organization_id, platform, video_status) do update set videos = a.videos + excluded.videos;
$$;

create function private.video_counts_after_insert()
returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
  perform private.fold_video_counts(coalesce((
    select jsonb_agg(jsonb_build_object('organization_id', n.organization_id, 'campaign_id', n.campaign_id, 'platform', n.platform,
                                        'video_status', n.video_status, 'budget', n.budget, 'sign', 1))
    from new_videos n), '[]'));
  return null;
end;
$$;

create function private.video_counts_after_delete()
returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
  perform private.fold_video_counts(coalesce((
    select jsonb_agg(jsonb_build_object('organization_id', o.organization_id, 'campaign_id', o.campaign_id, 'platform', o.platform,
                                        'video_status', o.video_status, 'budget', o.budget, 'sign', -1))
    from old_videos o), '[]'));
  return null;
end;
$$;

-- Only videos whose counted columns changed are folded (most updates touch none of them).
create function private.video_counts_after_update()
returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
  perform private.fold_video_counts(coalesce((
    select jsonb_agg(x.r)
    from new_videos n join old_videos o on o.id = n.id
    cross join lateral (values
      (jsonb_build_object('organization_id', o.organization_id, 'campaign_id', o.campaign_id, 'platform', o.platform,
                          'video_status', o.video_status, 'budget', o.budget, 'sign', -1)),
      (jsonb_build_object('organization_id', n.organization_id, 'campaign_id', n.campaign_id, 'platform', n.platform,
                          'video_status', n.video_status, 'budget', n.budget, 'sign', 1))) x(r)
    where (n.organization_id, n.campaign_id, n.platform, n.video_status, n.budget)
          is distinct from (o.organization_id, o.campaign_id, o.platform, o.video_status, o.budget)), '[]'));
  return null;
end;
$$;

revoke all on function private.fold_video_counts(jsonb), private.video_counts_after_insert(),
  private.video_counts_after_delete(), private.video_counts_after_update()
  from public, anon, authenticated;

lock table public.videos in share row exclusive mode;

create trigger video_counts_insert after insert on public.videos
  referencing new table as new_videos
  for each statement execute function private.video_counts_after_insert();
create trigger video_counts_update after update on public.videos
  referencing old table as old_videos new table as new_videos
  for each statement execute function private.video_counts_after_update();
create trigger video_counts_delete after delete on public.videos
  referencing old table as old_videos
  for each statement execute function private.video_counts_after_delete();

-- Backfill
insert into public.campaign_video_counts (organization_id, campaign_id, videos, budget_sum, budgets)
select v.organization_id, v.campaign_id, count(*), coalesce(sum(v.budget), 0), count(v.budget)
from public.videos v where v.campaign_id is not null
group by v.organization_id, v.campaign_id;

insert into public.organization_video_counts (organization_id, platform, video_status, videos)
select v.organization_id, v.platform, v.video_status, count(*)
from public.videos v
group by v.organization_id, v.platform, v.video_status;

-- RLS: members read their organization's rows; only the triggers write.
alter table public.campaign_video_counts enable row level security;
alter table public.organization_video_counts enable row level security;
revoke insert, update, delete, truncate on public.campaign_video_counts, public.organization_video_counts from anon, authenticated;

create policy "Members can read their organization's campaign video counts"
  on public.campaign_video_counts for select to authenticated
  using (organization_id = any (array(select private.user_organization_ids())));

create policy "Members can read their organization's video counts"
  on public.organization_video_counts for select to authenticated
  using (organization_id = any (array(select private.user_organization_ids())));
