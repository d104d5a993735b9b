import { jsonb, type Db } from './client';
import type { WrittenVideo } from './statistics';
import { DEFAULT_CHANNELS, type UserNotificationType } from '../notifications/types';

/** Outbox rows an alert statement wrote; `due` rows are enqueued now, the rest by the relay. */
export interface FannedOut {
  outbox_id: string;
  organization_id: string;
  due: boolean;
}

/**
 * The set-based alert evaluation, ONE statement per stats batch: for the videos the batch write
 * resolved (writeStatsBatch hands them over with their organization and blogger, so nothing looks
 * them up again) and their organizations' enabled rules it reads the rollup (video_daily_stats),
 * finds
 *   views_threshold   the video's latest views reached N: ≥ N now, and below N at the previous
 *                     day's close (or this is its first day tracked)   key (rule, video, N)
 *   viral             the latest day's growth (its rollup increment: views since the previous day's
 *                     close) ≥ min_views_24h and > k × the creator's baseline, the median daily
 *                     growth of its videos over the 30 days before today (the video's own when it
 *                     has no blogger; creator_growth_baselines)         key (rule, video, cooldown period)
 *   video_unavailable the write marked the video deleted                 key (rule, video, day it went)
 * and fans the events out to members' chosen channels (private.fan_out_notifications). Keys make a
 * re-run or a late snapshot alert nothing twice.
 *
 * Cost per video: one probe of its latest rollup row; for the videos whose growth reaches a viral
 * minimum, one probe of their creator's baseline (prepared by NightlyRefresh; computed and kept
 * here the first time a creator needs it that day). The videos table is read only for the videos
 * that alert (their title and URL), and the fan-out only runs when something alerts.
 */
export async function evaluateAlertsForBatch(db: Db, videos: WrittenVideo[]): Promise<FannedOut[]> {
  if (videos.length === 0) return [];
  return db<FannedOut[]>`
    -- one row per video (the write resolves each once; an event built twice would be one outbox row)
    with input as (
      select * from jsonb_to_recordset(${jsonb(videos)}::text::jsonb) as x(video_id uuid, organization_id uuid, blogger_id uuid, deleted_at timestamptz)
    ),
    -- the batch's organizations' rules, their params read once here rather than per video
    rules as materialized (
      select r.id, r.organization_id, r.type,
             (r.params ->> 'views')::bigint as views,
             coalesce((r.params ->> 'min_views_24h')::bigint, 1000) as min_growth,
             coalesce((r.params ->> 'k')::numeric, 3) as k,
             coalesce((r.params ->> 'cooldown_hours')::int, 24) as cooldown_hours
      from public.alert_rules r
      where r.enabled and r.type in ('views_threshold', 'viral', 'video_unavailable')
        and r.organization_id in (select organization_id from input)
    ),
    -- per organization with rules: the least growth any of its viral rules asks for
    orgs as materialized (
      select r.organization_id, min(r.min_growth) filter (where r.type = 'viral') as viral_minimum
      from rules r group by r.organization_id
    ),
    -- Each batch video of an organization with rules, in one pass of index probes (joining
    -- per-video CTEs to each other made the planner loop n × n): its latest rollup row and, only if
    -- that day's growth reaches the lowest min_views_24h of its organization's viral rules (most
    -- videos' does not), its creator's baseline for today — a primary-key probe, or computed here
    -- when nothing prepared it (then kept below for the next batches).
    batch as materialized (
      select i.video_id, i.organization_id, i.deleted_at, coalesce(i.blogger_id, i.video_id) as creator_id,
             cur.views, cur.inc_views as growth, cur.is_first as first_day,
             case when not e.eligible then null when base.found then base.median
                  else private.creator_growth_median(i.organization_id, i.blogger_id, i.video_id, current_date) end as median,
             e.eligible and base.found is null as computed
      from input i
      join orgs o on o.organization_id = i.organization_id
      left join lateral (
        select d.views, d.inc_views, d.is_first from public.video_daily_stats d
        where i.deleted_at is null and d.video_id = i.video_id order by d.day desc limit 1) cur on true
      cross join lateral (select coalesce(cur.inc_views >= o.viral_minimum, false) as eligible) e
      left join lateral (
        select true as found, g.median from public.creator_growth_baselines g
        where e.eligible and g.creator_id = coalesce(i.blogger_id, i.video_id) and g.day = current_date) base on true
    ),
    kept as (
      insert into public.creator_growth_baselines as g (creator_id, organization_id, day, median)
      select distinct on (creator_id) creator_id, organization_id, current_date, median from batch where computed order by creator_id
      on conflict (creator_id) do update set organization_id = excluded.organization_id, day = excluded.day, median = excluded.median, computed_at = now()
        where g.day < excluded.day
    ),
    hits as (
      -- crossed in this day (a video long past N builds no event each night just to be deduplicated)
      select b.organization_id, b.video_id, r.type, b.views, b.growth, b.median, r.views as threshold,
             format('alert:%s:%s:views:%s', r.id, b.video_id, r.views) as dedupe_key
      from batch b join rules r on r.organization_id = b.organization_id and r.type = 'views_threshold'
      where b.deleted_at is null and b.views >= r.views and (b.first_day or b.views - b.growth < r.views)
      union all
      select b.organization_id, b.video_id, r.type, b.views, b.growth, b.median, null,
             format('alert:%s:%s:viral:%s', r.id, b.video_id, floor(extract(epoch from now()) / (3600 * r.cooldown_hours)))
      from batch b join rules r on r.organization_id = b.organization_id and r.type = 'viral'
      where b.median is not null and b.growth >= r.min_growth and b.growth > r.k * b.median
      union all
      select b.organization_id, b.video_id, r.type, null, null, null, null,
             format('alert:%s:%s:unavailable:%s', r.id, b.video_id, b.deleted_at::date)
      from batch b join rules r on r.organization_id = b.organization_id and r.type = 'video_unavailable'
      where b.deleted_at is not null
    ),
    events as (
      select h.organization_id, h.type, h.dedupe_key,
             case h.type
               when 'views_threshold' then format('🎯 "%s" crossed %s views (now %s). %s', t.title, h.threshold, h.views, v.video_url)
               when 'viral' then format('🔥 "%s" is taking off: +%s views since yesterday, %s× its creator''s usual day. %s', t.title, h.growth, round(h.growth / greatest(h.median, 1)::numeric, 1), v.video_url)
               else format('⚠️ "%s" was deleted or is no longer available. %s', t.title, v.video_url) end as text,
             case h.type
               when 'views_threshold' then jsonb_build_object('videoTitle', t.title, 'videoUrl', v.video_url, 'views', h.views, 'threshold', h.threshold)
               when 'viral' then jsonb_build_object('videoTitle', t.title, 'videoUrl', v.video_url, 'views', h.views, 'growth24h', h.growth, 'creatorMedianDailyGrowth', round(h.median::numeric))
               else jsonb_build_object('videoTitle', t.title, 'videoUrl', v.video_url) end as vars
      from hits h
      join public.videos v on v.id = h.video_id
      cross join lateral (select coalesce(nullif(v.title, ''), v.video_url) as title) t
    )
    -- the fan-out runs only when something alerted (most batches: nothing)
    select f.outbox_id, f.organization_id, f.due
    from (select jsonb_agg(e) as events from events e) x
    cross join lateral private.fan_out_notifications(x.events, ${jsonb(DEFAULT_CHANNELS)}::text::jsonb) f
    where x.events is not null`;
}

/**
 * NightlyRefresh, per page of videos it is about to refresh: today's growth baseline of their
 * creators (organizations with an enabled viral rule only), so the alert statement after each
 * stats batch probes one row per creator. Idempotent: creators already done today are skipped.
 */
export async function prepareGrowthBaselines(db: Db, videoIds: string[]): Promise<number> {
  if (videoIds.length === 0) return 0;
  const rows = await db<{ creator_id: string }[]>`
    insert into public.creator_growth_baselines as g (creator_id, organization_id, day, median)
    select c.creator_id, c.organization_id, current_date, private.creator_growth_median(c.organization_id, c.blogger_id, c.video_id, current_date)
    from (
      select distinct on (coalesce(v.blogger_id, v.id)) coalesce(v.blogger_id, v.id) as creator_id, v.organization_id, v.blogger_id, v.id as video_id
      from public.videos v
      where v.id in (select jsonb_array_elements_text(${jsonb(videoIds)}::text::jsonb)::uuid)
        and v.organization_id in (select r.organization_id from public.alert_rules r where r.enabled and r.type = 'viral')
      order by coalesce(v.blogger_id, v.id)
    ) c
    where not exists (select 1 from public.creator_growth_baselines d where d.creator_id = c.creator_id and d.day = current_date)
    on conflict (creator_id) do update set organization_id = excluded.organization_id, day = excluded.day, median = excluded.median, computed_at = now()
      where g.day < excluded.day
    returning g.creator_id`;
  return rows.length;
}

export interface NotificationEvent {
  organizationId: string;
  type: UserNotificationType;
  /** what makes this event unique (e.g. `import:<job id>`): a second write with it notifies nobody again */
  dedupeKey: string;
  /** the Telegram text (also passed to the email template as `text`) */
  text: string;
  /** Loops data variables (strings and numbers) */
  vars?: Record<string, string | number>;
  /** only these members; default every member of the organization */
  userIds?: string[];
}

/**
 * The writer other features call inside their own transaction (the transactional outbox), e.g.
 * the blogger batch for `new_video`, the Sheets resync for `sheets_reauth`, the Excel import for
 * `import_finished`, the limits check for `limit_usage`. Enqueue the `due` rows after commit
 * (enqueueOutboxRows); the relay picks up the rest.
 */
export async function recordNotificationEvents(db: Db, events: NotificationEvent[]): Promise<FannedOut[]> {
  if (events.length === 0) return [];
  const rows = events.map((e) => ({
    organization_id: e.organizationId, type: e.type, dedupe_key: `${e.type}:${e.dedupeKey}`, text: e.text, vars: e.vars ?? {}, user_ids: e.userIds ?? null,
  }));
  return db<FannedOut[]>`
    select outbox_id, organization_id, due from private.fan_out_notifications(${jsonb(rows)}::text::jsonb, ${jsonb(DEFAULT_CHANNELS)}::text::jsonb)`;
}
