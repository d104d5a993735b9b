import { z } from 'zod';

/**
 * "Fetch each video once per freshness window": a video whose latest snapshot is younger than
 * this many minutes (and that has its thumbnail) is not fetched again by another path — a nightly
 * refresh message arriving after a start-tracking fetch, a blogger fetch's stats fan-out after the
 * queue already fetched the video, a batch fetch of a blogger fetched minutes ago. Var
 * STATS_FRESHNESS_MINUTES (default 30; 0 turns the window off).
 */
export const DEFAULT_FRESHNESS_MINUTES = 30;

const Minutes = z.preprocess(
  (v) => (v === undefined || v === null || v === '' ? DEFAULT_FRESHNESS_MINUTES : v),
  z.coerce.number().int().min(0).max(24 * 60),
);

/** The window from the environment; a malformed value is a configuration error, said plainly. */
export function freshnessMinutes(env: { STATS_FRESHNESS_MINUTES?: unknown }): number {
  const parsed = Minutes.safeParse(env.STATS_FRESHNESS_MINUTES);
  if (!parsed.success) throw new Error(`STATS_FRESHNESS_MINUTES must be a whole number of minutes from 0 to 1440, got ${JSON.stringify(env.STATS_FRESHNESS_MINUTES)}`);
  return parsed.data;
}
