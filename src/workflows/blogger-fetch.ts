import type { WorkflowStep } from 'cloudflare:workers';
import { createSql } from '../db/client';
import { markBloggerFetched, saveBloggerVideos, type SaveBloggerVideosResult } from '../db/blogger-videos';
import { videoQuotas } from '../db/limits';
import type { CommonVideo } from '../platforms';
import { recordNewVideos } from '../notifications/new-video';
import { enqueueDueRows } from '../notifications/outbox-events';
import { adaptersFromEnv } from '../steps/fetch-stats';
import { DB_STEP, PLATFORM_STEP, classifyForEngine } from '../steps/platform-step';
import { trackedVideosCapacity } from '../steps/limits';
import { sendStatsFanOut } from '../steps/stats-fan-out';
import type { BloggerFetchParams } from './params';

/** Step names, shared with tests: a workflow's steps are its public contract. */
export const BLOGGER_FETCH_STEPS = {
  limits: 'check subscription limits',
  page: (n: number) => `fetch videos page ${n}`,
  save: 'save videos and snapshots',
  fanOut: 'queue stats and thumbnails',
  skip: 'record quota skip',
  done: 'mark blogger fetched',
} as const;

/** Pages fetched at most per blogger, whatever the count asked for. */
export const MAX_PAGES = 20;

export interface BloggerFetchOutput {
  skipped?: string;
  requested: number;
  allowed: number;
  fetched: number;
  pages: number;
  saved?: Omit<SaveBloggerVideosResult, 'to_refresh' | 'first_new_video_url'>;
  queued_for_stats: number;
}

/**
 * The body shared by InitialBloggerFetch and BloggerDailyFetch:
 * limits → a step per page → save (idempotent upsert + snapshots) → queue stats/thumbnails → mark fetched.
 */
export async function fetchBloggerVideos(env: Env, step: WorkflowStep, instanceId: string, p: BloggerFetchParams, mode: 'initial' | 'daily'): Promise<BloggerFetchOutput> {
  const quota = await step.do(BLOGGER_FETCH_STEPS.limits, DB_STEP, async () => {
    const q = (await videoQuotas(createSql(env), [p.organizationId])).get(p.organizationId);
    return { limit: q?.limit ?? 0, used: q?.used ?? 0, remaining: q ? q.remaining : 0 };
  });
  const allowed = quota.remaining === null ? p.videoCount : Math.min(p.videoCount, quota.remaining);
  if (allowed <= 0) {
    const reason = `video quota used: ${quota.used} of ${quota.limit} this period`;
    await step.do(BLOGGER_FETCH_STEPS.skip, DB_STEP, async () => {
      await markBloggerFetched(createSql(env), p.trackingId, { initial: false, skipReason: reason });
      return null;
    });
    return { skipped: reason, requested: p.videoCount, allowed: 0, fetched: 0, pages: 0, queued_for_stats: 0 };
  }

  const adapter = adaptersFromEnv(env)(p.platform);
  const videos: CommonVideo[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    pages++;
    const page = await step.do(BLOGGER_FETCH_STEPS.page(pages), PLATFORM_STEP, () =>
      classifyForEngine(() => adapter.getUserVideosPage({ externalId: p.externalId, secUid: p.secUid, username: p.username, cursor })),
    );
    videos.push(...page.videos);
    cursor = page.nextCursor;
  } while (cursor && videos.length < allowed && pages < MAX_PAGES);
  const wanted = videos.slice(0, allowed);

  // New videos start tracking, so they take the tracked-videos quota under the same lock and
  // usage definition as start-tracking (steps/limits): the save and a racing request serialise.
  // A daily fetch that inserted videos the organization did not have notifies `new_video` in the
  // save's transaction (a retried save inserts nothing, so it notifies nothing twice).
  const saved = await step.do(BLOGGER_FETCH_STEPS.save, DB_STEP, async () => {
    const { result, fanned } = (await createSql(env).begin(async (tx) => {
      const result = await saveBloggerVideos(tx, {
        organizationId: p.organizationId,
        bloggerId: p.bloggerId,
        createdBy: p.userId,
        fetchKey: instanceId,
        source: mode === 'initial' ? 'blogger_initial' : 'blogger_batch',
        videos: wanted,
        trackingCapacity: await trackedVideosCapacity(tx, p.organizationId),
      });
      const fanned = mode === 'daily' ? await recordNewVideos(tx, p, instanceId, result) : [];
      return { result, fanned };
    })) as { result: SaveBloggerVideosResult; fanned: Awaited<ReturnType<typeof recordNewVideos>> };
    await enqueueDueRows(env, fanned);
    return result;
  });

  // YouTube uploads come without stats, some listings without thumbnails: refresh those through
  // HIGH_PRIORITY in each platform's batch size (videos.list: 50 ids).
  const queued = await step.do(BLOGGER_FETCH_STEPS.fanOut, DB_STEP, async () =>
    sendStatsFanOut(env.HIGH_PRIORITY, {
      priority: 'high',
      requestId: instanceId,
      fetchKey: instanceId,
      videos: saved.to_refresh.map((v) => ({
        videoId: v.id,
        organizationId: p.organizationId,
        platform: p.platform,
        externalVideoId: v.external_video_id,
        videoUrl: v.video_url,
        userId: p.userId,
      })),
    }),
  );

  const quotaNote = saved.skipped_for_quota > 0 ? `tracked-videos quota used up: ${saved.skipped_for_quota} new videos were not saved` : null;
  await step.do(BLOGGER_FETCH_STEPS.done, DB_STEP, async () => {
    await markBloggerFetched(createSql(env), p.trackingId, { initial: mode === 'initial', skipReason: quotaNote });
    return null;
  });

  const { to_refresh, first_new_video_url, ...counts } = saved;
  return { requested: p.videoCount, allowed, fetched: wanted.length, pages, saved: counts, queued_for_stats: queued.videos };
}
