-- Read views over videos. All are security_invoker: the caller's privileges and RLS apply, so a
-- user sees only their organizations' rows and the service role sees everything.

-- Every videos column plus its latest snapshot (nulls when the video has none yet). The lateral
-- lookup is one index-only probe of video_statistics_latest_idx per video.
create view public.videos_with_statistics_fast
with (security_invoker = true) as
select
  v.*,
  s.views,
  s.likes,
  s.comments,
  s.reposts,
  s.saves,
  s.created_at as stats_updated_at
from public.videos v
left join lateral (
  select st.views, st.likes, st.comments, st.reposts, st.saves, st.created_at
  from public.video_statistics st
  where st.video_id = v.id
  order by st.created_at desc, st.id desc
  limit 1
) s on true;
comment on view public.videos_with_statistics_fast is 'Videos with their latest statistics snapshot (stats_updated_at null = never fetched).';

-- What the nightly refresh must fetch: tracked videos never fetched or last fetched over 3 hours
-- ago, and videos deleted within 7 days (to notice a comeback); never platform Other nor test
-- organizations. Page it by id: `where id > $cursor order by id limit 1000` walks
-- videos_needing_update_idx (partial index on id over tracking/deleted non-Other videos) in order.
create view public.videos_needing_update
with (security_invoker = true) as
select
  v.id,
  v.organization_id,
  v.platform,
  v.external_video_id,
  v.video_url,
  v.initial_url,
  v.created_by,
  v.video_status,
  s.created_at as last_stats_at
from public.videos v
left join lateral (
  select st.created_at
  from public.video_statistics st
  where st.video_id = v.id
  order by st.created_at desc, st.id desc
  limit 1
) s on true
where v.video_status in ('tracking', 'deleted')
  and v.platform <> 'Other'
  and not exists (select 1 from public.organizations o where o.id = v.organization_id and o.is_test)
  and (
    (v.video_status = 'tracking' and (s.created_at is null or s.created_at < now() - interval '3 hours'))
    or (v.video_status = 'deleted' and v.deleted_at > now() - interval '7 days')
  );
comment on view public.videos_needing_update is 'Videos the nightly refresh must fetch; page with where id > $cursor order by id limit n.';

-- Tracking records with their blogger's platform identity and the organization's plan.
create view public.tracked_bloggers_view
with (security_invoker = true) as
select
  ta.id,
  ta.organization_id,
  ta.blogger_id,
  ta.is_active,
  ta.initial_videos_count,
  ta.daily_videos_count,
  ta.initial_videos_fetched,
  ta.last_scraped_at,
  ta.last_skip_reason,
  ta.created_by,
  ta.created_at,
  ta.updated_at,
  b.platform,
  b.username,
  b.external_id,
  b.sec_uid,
  b.channel_name,
  b.subscribers,
  b.thumbnail_url,
  b.profile_url,
  o.plan
from public.tracked_accounts ta
join public.blogger_information b on b.organization_id = ta.organization_id and b.id = ta.blogger_id
join public.organizations o on o.id = ta.organization_id;
comment on view public.tracked_bloggers_view is 'tracked_accounts with blogger identity (platform, username, external_id, sec_uid, channel_name) and organization plan.';
