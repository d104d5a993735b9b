-- Demo data for local development (`npm run dev`, `supabase db reset`). Idempotent: every insert
-- uses fixed ids and `on conflict do nothing`, so running it again changes nothing.
--
--   user          demo@influtics.local   00000000-0000-4000-8000-000000000001 (scripts/dev-token.mjs)
--   organization  "Demo" (slug demo, plan pro, owner = demo user)   00000000-0000-4000-8000-0000000000a1
--   campaign "Launch week" (running since 2026-11-16, no end date, so its stats and exports show
--   the latest numbers), tags "UGC" and "Paid", one blogger per platform, two videos per platform
--   (status stopped) with two snapshots each, and one tracking TikTok video last fetched a day ago,
--   which the nightly refresh picks up at once (README: Try it locally).

-- Demo user and organization ---------------------------------------------------------------------
insert into auth.users (id, email, raw_user_meta_data)
values ('00000000-0000-4000-8000-000000000001', 'demo@influtics.local', '{"full_name": "Demo User"}')
on conflict do nothing;

insert into public.organizations (id, name, slug, plan, created_by)
values ('00000000-0000-4000-8000-0000000000a1', 'Demo', 'demo', 'pro', '00000000-0000-4000-8000-000000000001')
on conflict do nothing;

insert into public.organization_members (organization_id, user_id, role)
values ('00000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-000000000001', 'owner')
on conflict do nothing;

-- Campaign and tags ------------------------------------------------------------------------------
insert into public.campaigns (id, organization_id, name, description, budget, currency, starts_on, ends_on)
values ('00000000-0000-4000-8000-0000000000c1', '00000000-0000-4000-8000-0000000000a1', 'Launch week',
        'Product launch with three creators', 5000.00, 'USD', date '2026-11-16', null)
on conflict do nothing;

insert into public.tags (id, organization_id, name, color) values
  ('00000000-0000-4000-8000-0000000000d1', '00000000-0000-4000-8000-0000000000a1', 'UGC', '#22c55e'),
  ('00000000-0000-4000-8000-0000000000d2', '00000000-0000-4000-8000-0000000000a1', 'Paid', '#f97316')
on conflict do nothing;

-- One blogger per platform -----------------------------------------------------------------------
insert into public.blogger_information
  (id, organization_id, platform, username, channel_name, external_id, sec_uid, subscribers, thumbnail_url, profile_url)
values
  ('00000000-0000-4000-8000-0000000000b1', '00000000-0000-4000-8000-0000000000a1', 'TikTok', 'demo_creator', 'Demo Creator',
   '6900000000000000001', 'MS4wLjABAAAAdemoCreatorSecUid0000000000000000000000000000000', 207900,
   null, 'https://www.tiktok.com/@demo_creator'),
  ('00000000-0000-4000-8000-0000000000b2', '00000000-0000-4000-8000-0000000000a1', 'Instagram', 'demo.reels', 'Demo Reels',
   '5836476731', null, 48200,
   null, 'https://www.instagram.com/demo.reels/'),
  ('00000000-0000-4000-8000-0000000000b3', '00000000-0000-4000-8000-0000000000a1', 'YouTube', '@RickAstleyYT', 'Rick Astley',
   'UCuAXFkgsw1L7xaCfnd5JJOw', null, 4310000,
   null, 'https://www.youtube.com/@RickAstleyYT')
on conflict do nothing;

insert into public.blogger_tags (organization_id, blogger_id, tag_id)
values ('00000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-0000000000b1', '00000000-0000-4000-8000-0000000000d1')
on conflict do nothing;

insert into public.blogger_campaigns (organization_id, blogger_id, campaign_id)
values ('00000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-0000000000b1', '00000000-0000-4000-8000-0000000000c1')
on conflict do nothing;

-- Two videos per platform ------------------------------------------------------------------------
-- Instagram: external_video_id is the numeric media pk; the URL carries its shortcode
-- (CowkyywjSZQ = 3040091568624969296, CqIbCzYMi5C = 3064818486287150658 in Instagram's base 64).
insert into public.videos
  (id, organization_id, platform, external_video_id, video_url, initial_url, video_status, blogger_id, campaign_id,
   budget, title, published_at, author_username, source, created_by)
values
  ('00000000-0000-4000-8000-000000000101', '00000000-0000-4000-8000-0000000000a1', 'TikTok', '7300000000000000001',
   'https://www.tiktok.com/@demo_creator/video/7300000000000000001', 'https://www.tiktok.com/@demo_creator/video/7300000000000000001',
   'stopped', '00000000-0000-4000-8000-0000000000b1', '00000000-0000-4000-8000-0000000000c1',
   1200.00, 'Unboxing the launch kit', timestamptz '2026-11-16 15:00:00+00', 'demo_creator', 'seed', '00000000-0000-4000-8000-000000000001'),
  ('00000000-0000-4000-8000-000000000102', '00000000-0000-4000-8000-0000000000a1', 'TikTok', '7300000000000000002',
   'https://www.tiktok.com/@demo_creator/video/7300000000000000002', 'https://vm.tiktok.com/ZMdemo002/',
   'stopped', '00000000-0000-4000-8000-0000000000b1', '00000000-0000-4000-8000-0000000000c1',
   800.00, 'Day 2 with the product', timestamptz '2026-11-17 18:30:00+00', 'demo_creator', 'seed', '00000000-0000-4000-8000-000000000001'),
  ('00000000-0000-4000-8000-000000000103', '00000000-0000-4000-8000-0000000000a1', 'Instagram', '3040091568624969296',
   'https://www.instagram.com/reel/CowkyywjSZQ/', 'https://www.instagram.com/reel/CowkyywjSZQ/?igsh=ZGVtbw==',
   'stopped', '00000000-0000-4000-8000-0000000000b2', '00000000-0000-4000-8000-0000000000c1',
   600.00, 'Launch reel', timestamptz '2026-11-16 12:00:00+00', 'demo.reels', 'seed', '00000000-0000-4000-8000-000000000001'),
  ('00000000-0000-4000-8000-000000000104', '00000000-0000-4000-8000-0000000000a1', 'Instagram', '3064818486287150658',
   'https://www.instagram.com/reel/CqIbCzYMi5C/', 'https://www.instagram.com/p/CqIbCzYMi5C/',
   'stopped', '00000000-0000-4000-8000-0000000000b2', null,
   null, 'Behind the scenes', timestamptz '2026-11-18 09:15:00+00', 'demo.reels', 'seed', '00000000-0000-4000-8000-000000000001'),
  ('00000000-0000-4000-8000-000000000105', '00000000-0000-4000-8000-0000000000a1', 'YouTube', 'dQw4w9WgXcQ',
   'https://www.youtube.com/watch?v=dQw4w9WgXcQ', 'https://youtu.be/dQw4w9WgXcQ',
   'stopped', '00000000-0000-4000-8000-0000000000b3', '00000000-0000-4000-8000-0000000000c1',
   2000.00, 'Never Gonna Give You Up', timestamptz '2009-10-25 06:57:33+00', 'RickAstleyYT', 'seed', '00000000-0000-4000-8000-000000000001'),
  ('00000000-0000-4000-8000-000000000106', '00000000-0000-4000-8000-0000000000a1', 'YouTube', 'yPYZpwSpKmA',
   'https://www.youtube.com/watch?v=yPYZpwSpKmA', 'https://www.youtube.com/watch?v=yPYZpwSpKmA',
   'stopped', '00000000-0000-4000-8000-0000000000b3', null,
   null, 'Together Forever', timestamptz '2009-11-12 03:00:00+00', 'RickAstleyYT', 'seed', '00000000-0000-4000-8000-000000000001')
on conflict do nothing;

-- One video still tracking, last fetched a day ago: `videos_needing_update` lists it, so firing the
-- nightly refresh cron fetches it (and alert rules see its new numbers) without waiting 3 hours.
insert into public.videos
  (id, organization_id, platform, external_video_id, video_url, initial_url, video_status, blogger_id, campaign_id,
   budget, title, published_at, author_username, source, created_by, tracking_started_at)
values
  ('00000000-0000-4000-8000-000000000107', '00000000-0000-4000-8000-0000000000a1', 'TikTok', '7300000000000000003',
   'https://www.tiktok.com/@demo_creator/video/7300000000000000003', 'https://www.tiktok.com/@demo_creator/video/7300000000000000003',
   'tracking', '00000000-0000-4000-8000-0000000000b1', '00000000-0000-4000-8000-0000000000c1',
   500.00, 'Launch teaser', timestamptz '2026-11-20 17:00:00+00', 'demo_creator', 'seed', '00000000-0000-4000-8000-000000000001',
   timestamptz '2026-11-20 17:05:00+00')
on conflict do nothing;

insert into public.video_tags (organization_id, video_id, tag_id) values
  ('00000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-000000000101', '00000000-0000-4000-8000-0000000000d1'),
  ('00000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-000000000101', '00000000-0000-4000-8000-0000000000d2'),
  ('00000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-000000000103', '00000000-0000-4000-8000-0000000000d1'),
  ('00000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-000000000105', '00000000-0000-4000-8000-0000000000d2')
on conflict do nothing;

-- Two snapshots per video (a day apart); fetch_key makes them idempotent like real fetches ------
insert into public.video_statistics
  (organization_id, video_id, external_video_id, views, likes, comments, reposts, saves, fetch_key, created_at)
select v.organization_id, v.id, v.external_video_id,
       s.views, s.likes, s.comments, s.reposts, s.saves, s.fetch_key, now() - s.age
from (values
  ('00000000-0000-4000-8000-000000000101'::uuid, 'seed-1', interval '2 days',   15400,   1320,   48,   35,   210),
  ('00000000-0000-4000-8000-000000000101'::uuid, 'seed-2', interval '1 day',    28900,   2410,   97,   71,   388),
  ('00000000-0000-4000-8000-000000000102'::uuid, 'seed-1', interval '2 days',    4100,    280,   12,    6,    40),
  ('00000000-0000-4000-8000-000000000102'::uuid, 'seed-2', interval '1 day',     9800,    705,   31,   15,   102),
  ('00000000-0000-4000-8000-000000000103'::uuid, 'seed-1', interval '2 days',   22000,   1900,   64,    0,   150),
  ('00000000-0000-4000-8000-000000000103'::uuid, 'seed-2', interval '1 day',    31750,   2650,   88,    0,   221),
  ('00000000-0000-4000-8000-000000000104'::uuid, 'seed-1', interval '2 days',    3300,    240,    9,    0,    18),
  ('00000000-0000-4000-8000-000000000104'::uuid, 'seed-2', interval '1 day',     5120,    398,   14,    0,    29),
  ('00000000-0000-4000-8000-000000000105'::uuid, 'seed-1', interval '2 days', 1712000000, 18400000, 2300000, 0, 0),
  ('00000000-0000-4000-8000-000000000105'::uuid, 'seed-2', interval '1 day',  1712450000, 18402000, 2300150, 0, 0),
  ('00000000-0000-4000-8000-000000000106'::uuid, 'seed-1', interval '2 days',   32500000,   310000,   9800, 0, 0),
  ('00000000-0000-4000-8000-000000000106'::uuid, 'seed-2', interval '1 day',    32512000,   310120,   9804, 0, 0),
  ('00000000-0000-4000-8000-000000000107'::uuid, 'seed-1', interval '2 days',     41000,   3100,  120,   44,   390),
  ('00000000-0000-4000-8000-000000000107'::uuid, 'seed-2', interval '1 day',      52000,   3900,  151,   57,   480)
) as s(video_id, fetch_key, age, views, likes, comments, reposts, saves)
join public.videos v on v.id = s.video_id
on conflict (video_id, fetch_key) do nothing;
