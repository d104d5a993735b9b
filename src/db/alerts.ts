import { jsonb, type Db } from './client';
import type { MissingInput, SnapshotInput } from './statistics';
import { DEFAULT_CHANNELS, type UserNotificationType } from '../notifications/types';

/** Outbox rows an alert statement wrote; `due` rows are enqueued now, the rest by the relay. */
export interface FannedOut {
  outbox_id: string;
  organization_id: string;
  due: boolean;
}

/**
 * The set-based alert evaluation, ONE statement per stats batch: for the batch's videos and their
 * organizations' enabled rules it reads the rollup (video_daily_stats), finds
 *   views_threshold   the video's latest views ≥ N                        key (rule, video, N)
 *   viral             growth since the previous day's close ≥ min_views_24h and > k × the
 *                     creator's median daily growth per video over the last 30 days
 *                     (the video's own median when it has no blogger)      key (rule, video, cooldown period)
 *   video_unavailable the video is marked deleted                          key (rule, video, day it went)
 * and fans the events out to members' chosen channels (private.fan_out_notifications). Keys make a
 * re-run or a late snapshot alert nothing twice.
 */
export async function evaluateAlertsForBatch(db: Db, found: Pick<SnapshotInput, 'organizationId' | 'platform' | 'externalVideoId'>[], missing: MissingInput[]): Promise<FannedOut[]> {
  const input = [...found, ...missing].map((v) => ({ organization_id: v.organizationId, platform: v.platform, external_video_id: v.externalVideoId }));
  if (input.length === 0) return [];
  return db<FannedOut[]>`
    with input as (
      select distinct * from jsonb_to_recordset(${jsonb(input)}::text::jsonb) as x(organization_id uuid, platform public.platform, external_video_id text)
    ),
    rules as materialized (
      select r.id, r.organization_id, r.type, r.params from public.alert_rules r
      where r.enabled and r.type in ('views_threshold', 'viral', 'video_unavailable')
        and r.organization_id in (select organization_id from input)
    ),
    -- Each batch video with everything the rules need, computed by index lookups per video in one
    -- pass (joining separate per-video CTEs made the planner loop n × n): the latest day's views,
    -- growth since the previous day's close, and — only where a viral rule exists — the median
    -- daily increment of the creator's videos (the blogger's, or the video's own) over 30 days, for
    -- videos whose growth reaches a viral rule's minimum.
    batch as materialized (
      select v.id, v.organization_id, coalesce(nullif(v.title, ''), v.video_url) as title, v.video_url, v.video_status, v.deleted_at,
             cur.views, cur.views - coalesce(prev.views, cur.open_views) as growth, med.median
      from input i
      join public.videos v on v.organization_id = i.organization_id and v.platform = i.platform and v.external_video_id = i.external_video_id
      left join lateral (
        select d.day, d.views, d.open_views from public.video_daily_stats d where d.video_id = v.id order by d.day desc limit 1) cur on true
      left join lateral (
        select d.views from public.video_daily_stats d where d.video_id = v.id and d.day < cur.day order by d.day desc limit 1) prev on true
      left join lateral (
        select percentile_cont(0.5) within group (order by d.inc_views) as median
        from public.video_daily_stats d
        -- only videos that grew enough to be viral at all (most do not): the lowest min_views_24h of the organization's viral rules
        where cur.views - coalesce(prev.views, cur.open_views)
                >= (select min(coalesce((r.params ->> 'min_views_24h')::bigint, 1000)) from rules r where r.organization_id = v.organization_id and r.type = 'viral')
          and d.video_id in (
            select v.id where v.blogger_id is null
            union all
            select v2.id from public.videos v2 where v.blogger_id is not null and v2.blogger_id = v.blogger_id and v2.organization_id = v.organization_id)
          and d.day >= current_date - 30 and d.day < current_date and not d.is_first) med on true
      where v.organization_id in (select organization_id from rules)
    ),
    events as (
      select r.organization_id, 'views_threshold' as type,
             format('alert:%s:%s:views:%s', r.id, b.id, r.params ->> 'views') as dedupe_key,
             format('🎯 "%s" crossed %s views (now %s). %s', b.title, r.params ->> 'views', b.views, b.video_url) as text,
             jsonb_build_object('videoTitle', b.title, 'videoUrl', b.video_url, 'views', b.views, 'threshold', (r.params ->> 'views')::bigint) as vars
      from rules r
      join batch b on b.organization_id = r.organization_id
      where r.type = 'views_threshold' and b.video_status <> 'deleted' and b.views >= (r.params ->> 'views')::bigint
      union all
      select r.organization_id, 'viral',
             format('alert:%s:%s:viral:%s', r.id, b.id, floor(extract(epoch from now()) / (3600 * coalesce((r.params ->> 'cooldown_hours')::int, 24)))),
             format('🔥 "%s" is taking off: +%s views since yesterday, %s× its creator''s usual day. %s', b.title, b.growth, round(b.growth / greatest(b.median, 1)::numeric, 1), b.video_url),
             jsonb_build_object('videoTitle', b.title, 'videoUrl', b.video_url, 'views', b.views, 'growth24h', b.growth, 'creatorMedianDailyGrowth', round(b.median::numeric))
      from rules r
      join batch b on b.organization_id = r.organization_id
      where r.type = 'viral' and b.video_status <> 'deleted' and b.median is not null
        and b.growth >= coalesce((r.params ->> 'min_views_24h')::bigint, 1000)
        and b.growth > coalesce((r.params ->> 'k')::numeric, 3) * b.median
      union all
      select r.organization_id, 'video_unavailable',
             format('alert:%s:%s:unavailable:%s', r.id, b.id, coalesce(b.deleted_at::date, current_date)),
             format('⚠️ "%s" was deleted or is no longer available. %s', b.title, b.video_url),
             jsonb_build_object('videoTitle', b.title, 'videoUrl', b.video_url)
      from rules r
      join batch b on b.organization_id = r.organization_id
      where r.type = 'video_unavailable' and b.video_status = 'deleted'
    )
    select f.outbox_id, f.organization_id, f.due
    from private.fan_out_notifications((select coalesce(jsonb_agg(e), '[]'::jsonb) from events e), ${jsonb(DEFAULT_CHANNELS)}::text::jsonb) f`;
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
