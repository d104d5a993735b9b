import type { Db } from './client';
import type { Platform } from './videos';

export interface ActiveTrackingRecord {
  tracking_id: string;
  organization_id: string;
  blogger_id: string;
  platform: Exclude<Platform, 'Other'>;
  external_id: string;
  sec_uid: string | null;
  username: string;
  daily_videos_count: number;
  initial_videos_count: number;
  /** false: the initial fetch never completed (errored, stuck, skipped): the batch retries it */
  initial_videos_fetched: boolean;
  /** last fetched within the freshness window (an initial fetch or a re-add minutes ago): the batch leaves it */
  fetched_recently: boolean;
  created_by: string | null;
}

/** One keyset page of active tracking records (BloggerBatch reads them a step per page). */
export async function activeTrackingPage(db: Db, afterId: string | null, limit: number, freshMinutes = 0): Promise<ActiveTrackingRecord[]> {
  return db<ActiveTrackingRecord[]>`
    select t.id as tracking_id, t.organization_id, t.blogger_id, b.platform, b.external_id, b.sec_uid, b.username,
           t.daily_videos_count, t.initial_videos_count, t.initial_videos_fetched, t.created_by,
           coalesce(t.last_scraped_at > now() - make_interval(mins => ${freshMinutes}), false) as fetched_recently
    from public.tracked_accounts t
    join public.blogger_information b on b.id = t.blogger_id
    join public.organizations o on o.id = t.organization_id
    where t.is_active and b.platform <> 'Other' and not o.is_test
      ${afterId ? db`and t.id > ${afterId}` : db``}
    order by t.id
    limit ${limit}`;
}
