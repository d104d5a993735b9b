import { WorkflowEntrypoint, type WorkflowEvent, type WorkflowStep } from 'cloudflare:workers';
import { createSql } from '../db/client';
import { videosNeedingUpdatePage } from '../db/refresh';
import { prepareGrowthBaselines } from '../db/alerts';
import { DB_STEP } from '../steps/platform-step';
import { sendStatsFanOut } from '../steps/stats-fan-out';
import { NightlyRefreshParams, parseParams } from './params';
import { scheduledRunRecord, trackedRun } from './tracked-run';
import { checkConfig } from '../env';

export const NIGHTLY_STEPS = { page: (n: number) => `enqueue page ${n}` } as const;
export const PAGE_SIZE = 1000;

/**
 * 00:00 and 01:00 UTC: page `videos_needing_update` (keyset, 1000 per page, one step per page),
 * prepare the page's creators' growth baselines for the viral alert (src/db/alerts.ts), group by
 * platform, split into platform-sized `video_batch` messages, send them LOW_PRIORITY.
 *
 * Step budget: 1,000,000 tracked videos / 1000 per page = 1,000 page steps + 2 registry steps,
 * a tenth of the 10,000-step limit (a 10M catalogue would need the 25,000 setting or bigger pages).
 * Each page is ≤ 1000 videos → ≤ 100 messages (TikTok/Instagram 10 per message) → ≤ 2 sendBatch calls.
 *
 * Idempotency: every message of one day carries fetchKey `nightly-<date>`, so a retried page
 * step, or the 01:00 run re-sending what 00:00 sent but the consumer had not yet written, creates
 * no second snapshot for the same video that day.
 */
export class NightlyRefresh extends WorkflowEntrypoint<Env, NightlyRefreshParams> {
  override async run(event: WorkflowEvent<NightlyRefreshParams>, step: WorkflowStep) {
    checkConfig(this.env);
    const run = scheduledRunRecord('NightlyRefresh', event.instanceId, NightlyRefreshParams.safeParse(event.payload));
    return trackedRun(this.env, step, run, async () => {
      const p = parseParams(NightlyRefreshParams, event.payload);
      const pageSize = p.pageSize ?? PAGE_SIZE;
      const fetchKey = `nightly-${p.runKey.slice(0, 10)}`;
      let cursor: string | null = null;
      let pages = 0;
      let videos = 0;
      let messages = 0;
      const byPlatform: Record<string, number> = {};
      for (;;) {
        pages++;
        const res = await step.do(NIGHTLY_STEPS.page(pages), DB_STEP, async () => {
          const sql = createSql(this.env);
          const rows = await videosNeedingUpdatePage(sql, cursor, pageSize);
          // before the page's stats arrive: its creators' viral-alert baselines for today (one statement).
          // Only a shortcut (the alert statement computes a missing one), so its failure is logged and
          // never costs the page its refresh or the step its retries.
          const started = Date.now();
          await prepareGrowthBaselines(sql, rows.map((r) => r.id)).then(
            (creators) => console.log(JSON.stringify({ event: 'growth_baselines', page: pages, videos: rows.length, creators, ms: Date.now() - started })),
            (err: unknown) => console.error(JSON.stringify({ event: 'growth_baselines_failed', page: pages, message: err instanceof Error ? err.message : String(err) })),
          );
          const sent = await sendStatsFanOut(this.env.LOW_PRIORITY, {
            priority: 'low',
            requestId: `${event.instanceId}-p${pages}`,
            fetchKey,
            videos: rows.map((r) => ({ videoId: r.id, organizationId: r.organization_id, platform: r.platform, externalVideoId: r.external_video_id, videoUrl: r.video_url, userId: r.created_by })),
          });
          const counts: Record<string, number> = {};
          for (const r of rows) counts[r.platform] = (counts[r.platform] ?? 0) + 1;
          return { count: rows.length, last: rows.at(-1)?.id ?? null, messages: sent.messages, counts };
        });
        videos += res.count;
        messages += res.messages;
        for (const [k, v] of Object.entries(res.counts)) byPlatform[k] = (byPlatform[k] ?? 0) + v;
        if (res.count < pageSize || !res.last) break;
        cursor = res.last;
      }
      return { pages, videos, messages, by_platform: byPlatform, fetch_key: fetchKey };
    });
  }
}
