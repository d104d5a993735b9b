import { WorkflowEntrypoint, type WorkflowEvent, type WorkflowStep } from 'cloudflare:workers';
import { createSql } from '../db/client';
import { recordSkip } from '../db/blogger-videos';
import { claimInitialFetches, type ClaimOutcome } from '../db/initial-fetch-claims';
import { videoQuotas } from '../db/limits';
import { activeTrackingPage, type ActiveTrackingRecord } from '../db/tracked-accounts';
import { freshnessMinutes } from '../steps/freshness';
import { planBatchFetches } from '../steps/partial-fetch';
import { DB_STEP } from '../steps/platform-step';
import { bloggerRunSummary } from './initial-blogger-fetch';
import { parseParams, ScheduledRunParams, type BloggerFetchParams } from './params';
import { instanceIdFor, startWorkflows, type StartSpec } from './start';
import { scheduledRunRecord, trackedRun } from './tracked-run';
import { checkConfig } from '../env';

export const BLOGGER_BATCH_STEPS = {
  load: (n: number) => `load tracking records page ${n}`,
  quotas: 'check quotas',
  skips: 'record skipped bloggers',
  claims: (n: number) => `claim initial fetch retries ${n}`,
  start: (n: number) => `start blogger fetches ${n}`,
} as const;

export const TRACKING_PAGE_SIZE = 1000;
export const CHILDREN_PER_STEP = 100; // createBatch takes ≤ 100 instances

/**
 * Midnight/noon: every active tracking record → MIN_PARTIAL_FETCH per organization → one
 * BloggerDailyFetch child per blogger.
 *
 * Why children and not steps: a blogger costs ~4 steps (limits, page(s), save, fan-out), so steps
 * in one instance would cap a run at ~2,500 bloggers (10,000-step limit); children cost the parent
 * one step per 100 bloggers (createBatch), and each blogger retries, fails and is visible on its
 * own — one failing blogger cannot stop the others. 10,000 bloggers = 10 load steps + 100 start
 * steps, and creation stays under 100 instances/s because each step waits for its createBatch.
 */
export class BloggerBatch extends WorkflowEntrypoint<Env, ScheduledRunParams> {
  override async run(event: WorkflowEvent<ScheduledRunParams>, step: WorkflowStep) {
    checkConfig(this.env);
    const run = scheduledRunRecord('BloggerBatch', event.instanceId, ScheduledRunParams.safeParse(event.payload));
    return trackedRun(this.env, step, run, async () => {
      const p = parseParams(ScheduledRunParams, event.payload);
      // A blogger fetched within the freshness window (its initial fetch or a refetch minutes ago)
      // has nothing new to list yet: the batch leaves it, saving its listing and stats calls.
      const freshMinutes = freshnessMinutes(this.env);
      const records: ActiveTrackingRecord[] = [];
      let fetchedRecently = 0;
      let lastId: string | null = null;
      for (let page = 1; ; page++) {
        const after = lastId;
        const rows: ActiveTrackingRecord[] = await step.do(BLOGGER_BATCH_STEPS.load(page), DB_STEP, () => activeTrackingPage(createSql(this.env), after, TRACKING_PAGE_SIZE, freshMinutes));
        const due = rows.filter((r) => !(r.fetched_recently && r.initial_videos_fetched));
        records.push(...due);
        fetchedRecently += rows.length - due.length;
        lastId = rows.at(-1)?.tracking_id ?? lastId;
        if (rows.length < TRACKING_PAGE_SIZE) break;
      }

      const quotas = await step.do(BLOGGER_BATCH_STEPS.quotas, DB_STEP, async () => {
        const orgs = [...new Set(records.map((r) => r.organization_id))];
        return [...(await videoQuotas(createSql(this.env), orgs)).values()].map((q) => [q.organization_id, q.remaining] as const);
      });
      // A blogger whose initial fetch never completed (errored, stuck, quota-skipped) gets a new
      // InitialBloggerFetch of its initial count instead of the daily fetch; one whose initial
      // fetch is running now is left to it (no overlapping fetch of the same videos).
      const { planned, skipped } = planBatchFetches(
        records.map((r) => ({ ...r, trackingId: r.tracking_id, organizationId: r.organization_id, dailyVideosCount: r.initial_videos_fetched ? r.daily_videos_count : r.initial_videos_count })),
        new Map(quotas),
      );
      const unfetched = planned.filter((x) => !x.candidate.initial_videos_fetched).map((x) => x.candidate.tracking_id);
      // (in steps of TRACKING_PAGE_SIZE records, so each step's result stays far below 1 MiB)
      const claims: ClaimOutcome[] = [];
      for (let i = 0, n = 1; i < unfetched.length; i += TRACKING_PAGE_SIZE, n++) {
        const chunk = unfetched.slice(i, i + TRACKING_PAGE_SIZE);
        claims.push(...(await step.do(BLOGGER_BATCH_STEPS.claims(n), DB_STEP, () =>
          claimInitialFetches(createSql(this.env), chunk.map((trackingId) => ({ trackingId, force: false })), { claimKey: `b${p.runKey.replace(/[^0-9]/g, '')}` }),
        )));
      }
      const claimById = new Map(claims.map((cl) => [cl.trackingId, cl]));

      if (skipped.length > 0) {
        await step.do(BLOGGER_BATCH_STEPS.skips, DB_STEP, async () => {
          await recordSkip(createSql(this.env), skipped.map((s) => s.candidate.trackingId), skipped.map((s) => s.reason));
          return null;
        });
      }

      const inProgress = claims.filter((cl) => !cl.claimed && cl.reason === 'in_progress').length;
      const specs: StartSpec<BloggerFetchParams>[] = planned.flatMap(({ candidate: r, count }): StartSpec<BloggerFetchParams>[] => {
        const claim = claimById.get(r.tracking_id);
        if (claim && !claim.claimed && claim.reason === 'in_progress') return [];
        const params: BloggerFetchParams = {
          trackingId: r.tracking_id,
          organizationId: r.organization_id,
          bloggerId: r.blogger_id,
          platform: r.platform,
          externalId: r.external_id,
          secUid: r.sec_uid,
          username: r.username,
          videoCount: count,
          userId: r.created_by,
          runKey: p.runKey,
        };
        const initial = claim?.claimed === true;
        return [{
          workflow: initial ? 'InitialBloggerFetch' : 'BloggerDailyFetch',
          instanceId: initial ? claim.instanceId : instanceIdFor('blogger-daily', r.tracking_id, p.runKey.replace(/[^0-9]/g, '')),
          params,
          organizationId: r.organization_id,
          trigger: 'workflow',
          triggeredBy: event.instanceId,
          summary: { ...bloggerRunSummary(params), parent: event.instanceId, ...(initial ? { retry_of: claim.previousInstanceId } : {}) },
        }];
      });
      let created = 0;
      let duplicates = 0;
      const failed: { instanceId: string; message: string }[] = [];
      for (let i = 0, n = 1; i < specs.length; i += CHILDREN_PER_STEP, n++) {
        const chunk = specs.slice(i, i + CHILDREN_PER_STEP);
        const res = await step.do(BLOGGER_BATCH_STEPS.start(n), DB_STEP, () => startWorkflows(this.env, createSql(this.env), chunk));
        created += res.created;
        duplicates += res.duplicates;
        failed.push(...res.failed);
      }
      return {
        bloggers: records.length + fetchedRecently,
        fetched_recently: fetchedRecently,
        planned: planned.length,
        partial: planned.filter((x) => x.partial).length,
        initial_fetch_retries: claims.filter((cl) => cl.claimed).length,
        initial_fetch_in_progress: inProgress,
        skipped: skipped.length,
        // the reasons are on each tracking record (last_skip_reason); a sample keeps the output small
        skipped_sample: skipped.slice(0, 20).map((s) => ({ tracking_id: s.candidate.trackingId, reason: s.reason })),
        children_created: created,
        children_already_started: duplicates,
        children_failed_to_start: failed,
      };
    });
  }
}
