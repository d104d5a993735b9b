import { createPlatformAdapter, platformConfigFromEnv, type Platform, type PlatformAdapter } from '../platforms';
import type { MissingInput, SnapshotInput } from '../db/statistics';

/** A video whose stats are wanted, tagged with the unit of work (queue message) it belongs to. */
export interface StatsRequest {
  owner: string;
  fetchKey: string;
  organizationId: string;
  platform: Platform;
  externalVideoId: string;
  videoUrl: string;
  /** an operator's repeated replay: fetch even within the freshness window */
  ignoreFreshness?: boolean;
}

export interface StatsFetchResult {
  found: SnapshotInput[];
  missing: MissingInput[];
  /** owner → the error that failed one of its platform calls */
  failures: Map<string, unknown>;
}

export type AdapterFactory = (platform: Platform) => PlatformAdapter;

export const adaptersFromEnv = (env: Env): AdapterFactory => {
  const config = platformConfigFromEnv(env as unknown as Record<string, unknown>);
  return (platform) => createPlatformAdapter(platform, config);
};

/**
 * Fetches stats for many videos in each platform's batch size (YouTube: 50 ids per call).
 * One failing call fails only the owners of the videos in it; the rest are still written.
 */
export async function fetchStats(requests: StatsRequest[], adapterFor: AdapterFactory): Promise<StatsFetchResult> {
  const result: StatsFetchResult = { found: [], missing: [], failures: new Map() };
  const byPlatform = Map.groupBy(requests, (r) => r.platform);
  await Promise.all(
    [...byPlatform].map(async ([platform, list]) => {
      const adapter = adapterFor(platform);
      for (let i = 0; i < list.length; i += adapter.statsBatchSize) {
        const chunk = list.slice(i, i + adapter.statsBatchSize);
        // The same video may be asked for by two messages: fetch it once, credit both.
        const unique = [...new Map(chunk.map((r) => [r.externalVideoId, r])).values()];
        try {
          const res = await adapter.getVideoStats(unique.map((r) => ({ externalVideoId: r.externalVideoId, videoUrl: r.videoUrl })));
          const byId = new Map(res.found.map((s) => [s.external_video_id, s]));
          const missing = new Set(res.missing);
          for (const r of chunk) {
            const s = byId.get(r.externalVideoId);
            if (s) {
              result.found.push({
                organizationId: r.organizationId,
                platform: r.platform,
                externalVideoId: r.externalVideoId,
                fetchKey: r.fetchKey,
                views: s.views,
                likes: s.likes,
                comments: s.comments,
                reposts: s.reposts,
                saves: s.saves,
                title: s.title ?? null,
                thumbnailUrl: s.thumbnail_url ?? null,
                publishedAt: s.published_at ?? null,
                musicId: s.music_id ?? null,
                authorUsername: s.author_username ?? null,
                authorExternalId: s.author_external_id ?? null,
              });
            } else if (missing.has(r.externalVideoId)) {
              result.missing.push({ organizationId: r.organizationId, platform: r.platform, externalVideoId: r.externalVideoId });
            }
          }
        } catch (err) {
          for (const r of chunk) if (!result.failures.has(r.owner)) result.failures.set(r.owner, err);
        }
      }
    }),
  );
  return result;
}
