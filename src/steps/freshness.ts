import { configSection } from '../env';

/**
 * "Fetch each video once per freshness window": a video whose latest snapshot is younger than
 * this many minutes (and that has its thumbnail) is not fetched again by another path — a nightly
 * refresh message arriving after a start-tracking fetch, a blogger fetch's stats fan-out after the
 * queue already fetched the video, a batch fetch of a blogger fetched minutes ago. Var
 * STATS_FRESHNESS_MINUTES (default 30; 0 turns the window off).
 */
/** The window from the environment (its part of the one config schema, src/env.ts); a malformed value is a configuration error, said plainly. */
export const freshnessMinutes = (env: { STATS_FRESHNESS_MINUTES?: unknown }): number => configSection(env, ['STATS_FRESHNESS_MINUTES'], 'freshness').STATS_FRESHNESS_MINUTES;
