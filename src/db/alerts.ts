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
 *   views_threshold   the video's latest views reached N: ≥ N now, and below N at the previous
 *                     day's close (or this is its first day tracked)   key (rule, video, N)
 *   viral             the latest day's growth (its rollup increment: views since the previous day's
 *                     close) ≥ min_views_24h and > k × the creator's baseline, the median daily
 *                     growth of its videos over the 30 days before today (the video's own when it
 *                     has no blogger; creator_growth_baselines)         key (rule, video, cooldown period)
 *   video_unavailable the video is marked deleted                          key (rule, video, day it went)
 * and fans the events out to members' chosen channels (private.fan_out_notifications). Keys make a
 * re-run or a late snapshot alert nothing twice.
 *
 * Cost per video: one probe of its latest rollup row; for the few videos whose growth reaches a
 * viral minimum, one probe of their creator's baseline (prepared by NightlyRefresh; computed and
 * kept here the first time a creator needs it that day).
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
    -- per organization, the least growth any of its viral rules asks for
    viral_minimum as materialized (
      select r.organization_id, min(coalesce((r.params ->> 'min_views_24h')::bigint, 1000)) as growth
      from rules r where r.type = 'viral' group by r.organization_id
    ),
    -- Each batch video of an organization with rules, in one pass of index probes (joining
    -- per-video CTEs to each other made the planner loop n × n): its latest rollup row and, only if
    -- that day's growth reaches the lowest min_views_24h of its organization's viral rules (most
    -- videos' does not), its creator's baseline for today — a primary-key probe, or computed here
    -- when nothing prepared it (then kept below for the next batches).
    batch as materialized (
      select v.id, v.organization_id, coalesce(v.blogger_id, v.id) as creator_id, coalesce(nullif(v.title, ''), v.video_url) as title,
             v.video_url, v.video_status, v.deleted_at, cur.views, cur.inc_views as growth, cur.is_first as first_day,
             case when not e.eligible then null when base.found then base.median
                  else private.creator_growth_median(v.organization_id, v.blogger_id, v.id, current_date) end as median,
             e.eligible and base.found is null as computed
      from input i
      join public.videos v on v.organization_id = i.organization_id and v.platform = i.platform and v.external_video_id = i.external_video_id
      left join lateral (
        select d.views, d.inc_views, d.is_first from public.video_daily_stats d where d.video_id = v.id order by d.day desc limit 1) cur on true
      left join viral_minimum m on m.organization_id = v.organization_id
      cross join lateral (select coalesce(v.video_status <> 'deleted' and cur.inc_views >= m.growth, false) as eligible) e
      left join lateral (
        select true as found, g.median from public.creator_growth_baselines g
        where e.eligible and g.creator_id = coalesce(v.blogger_id, v.id) and g.day = current_date) base on true
      where v.organization_id in (select organization_id from rules)
    ),
    kept as (
      insert into public.creator_growth_baselines as g (creator_id, organization_id, day, median)
      select distinct on (creator_id) creator_id, organization_id, current_date, median from batch where computed order by creator_id
      on conflict (creator_id) do update set organization_id = excluded.organization_id, day = excluded.day, median = excluded.median, computed_at = now()
        where g.day < excluded.day
    ),
    events as (
      select r.organization_id, 'views_threshold' as type,
             format('alert:%s:%s:views:%s', r.id, b.id, r.params ->> 'views') as dedupe_key,
             format('🎯 "%s" crossed %s views (now %s). %s', b.title, r.params ->> 'views', b.views, b.video_url) as text,
             jsonb_build_object('videoTitle', b.title, 'videoUrl', b.video_url, 'views', b.views, 'threshold', (r.params ->> 'views')::bigint) as vars
      from rules r
      join batch b on b.organization_id = r.organization_id
      -- crossed in this day (a video long past N builds no event each night just to be deduplicated)
      where r.type = 'views_threshold' and b.video_status <> 'deleted' and b.views >= (r.params ->> 'views')::bigint
        and (b.first_day or b.views - b.growth < (r.params ->> 'views')::bigint)
      union all
      select r.organization_id, 'viral',
             format('alert:%s:%s:viral:%s', r.id, b.id, floor(extract(epoch from now()) / (3600 * coalesce((r.params ->> 'cooldown_hours')::int, 24)))),
             format('🔥 "%s" is taking off: +%s views since yesterday, %s× its creator''s usual day. %s', b.title, b.growth, round(b.growth / greatest(b.median, 1)::numeric, 1), b.video_url),
             jsonb_build_object('videoTitle', b.title, 'videoUrl', b.video_url, 'views', b.views, 'growth24h', b.growth, 'creatorMedianDailyGrowth', round(b.median::numeric))
      from rules r
      join batch b on b.organization_id = r.organization_id
      where r.type = 'viral' and b.median is not null
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
