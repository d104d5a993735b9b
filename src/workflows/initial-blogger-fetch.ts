import { WorkflowEntrypoint, type WorkflowEvent, type WorkflowStep } from 'cloudflare:workers';
import { fetchBloggerVideos } from './blogger-fetch';
import { BloggerFetchParams, parseParams } from './params';
import { trackedRun } from './tracked-run';
import { checkConfig } from '../env';

/**
 * A blogger was just added: fetch up to `videoCount` of their videos, save them with snapshots,
 * queue YouTube stats, mark `initial_videos_fetched`. Instance ids are claimed per request
 * (db/initial-fetch-claims: `initial-fetch-<trackingId>` first, `…-r<n>` or `…-b<batch>` for re-runs),
 * so a double click starts one instance and a re-add after an error starts a new one.
 */
export class InitialBloggerFetch extends WorkflowEntrypoint<Env, BloggerFetchParams> {
  override async run(event: WorkflowEvent<BloggerFetchParams>, step: WorkflowStep) {
    checkConfig(this.env);
    return trackedRun(this.env, step, runRecord('InitialBloggerFetch', event.instanceId, event.payload, 'http'), () =>
      fetchBloggerVideos(this.env, step, event.instanceId, parseParams(BloggerFetchParams, event.payload), 'initial'),
    );
  }
}

/** One blogger's newest videos, started by a BloggerBatch run. */
export class BloggerDailyFetch extends WorkflowEntrypoint<Env, BloggerFetchParams> {
  override async run(event: WorkflowEvent<BloggerFetchParams>, step: WorkflowStep) {
    checkConfig(this.env);
    return trackedRun(this.env, step, runRecord('BloggerDailyFetch', event.instanceId, event.payload, 'workflow'), () =>
      fetchBloggerVideos(this.env, step, event.instanceId, parseParams(BloggerFetchParams, event.payload), 'daily'),
    );
  }
}

export function bloggerRunSummary(p: BloggerFetchParams) {
  return { tracking_id: p.trackingId, blogger_id: p.bloggerId, platform: p.platform, username: p.username, video_count: p.videoCount, ...(p.runKey ? { run_key: p.runKey } : {}) };
}

/** The registry record, from params that may be invalid (the body rejects those, and the run records why). */
function runRecord(workflow: string, instanceId: string, payload: unknown, trigger: 'http' | 'workflow') {
  const parsed = BloggerFetchParams.safeParse(payload);
  if (!parsed.success) return { instanceId, workflow, organizationId: null, trigger, triggeredBy: null, paramsSummary: { invalid_params: true } };
  const p = parsed.data;
  return { instanceId, workflow, organizationId: p.organizationId, trigger, triggeredBy: p.userId, paramsSummary: bloggerRunSummary(p) };
}
