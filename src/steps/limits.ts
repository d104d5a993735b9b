import type { Db } from '../db/client';
import { effectiveLimits, lockOrganizationQuota, usageOf } from '../db/limits';
import { NotFoundError } from '../domain/errors';
import { exceedsQuota, LimitExceededError, remainingQuota, type CountedLimitKey, type LimitKey, type QuotaCheck } from '../domain/quota';


export interface QuotaRequest extends QuotaCheck {
  /** what is in use now: counted AFTER the organization's quota lock is held, so a racing request sees our write */
  usage: () => Promise<number>;
}

/**
 * Checks quotas inside the caller's transaction, holding the organization's quota lock until it
 * commits, so the write that consumes the quota happens before anyone else can check.
 */
export async function assertWithinLimits(db: Db, organizationId: string, checks: QuotaRequest[]): Promise<void> {
  await lockOrganizationQuota(db, organizationId);
  const effective = await effectiveLimits(db, organizationId);
  if (!effective) throw new NotFoundError('organization');
  for (const c of checks) {
    const max = effective.limits[c.limit];
    if (max === null) continue;
    const usage = await c.usage();
    if (exceedsQuota(max, usage, c.requested)) throw new LimitExceededError({ limit: c.limit, requested: c.requested, usage, max });
  }
}

/** A per-item cap (e.g. initial videos per blogger): the requested amount alone must fit. */
export async function assertPerItemLimit(db: Db, organizationId: string, limit: LimitKey, requested: number): Promise<void> {
  const effective = await effectiveLimits(db, organizationId);
  const max = effective?.limits[limit] ?? null;
  if (max !== null && exceedsQuota(max, 0, requested)) throw new LimitExceededError({ limit, usage: 0, requested, max });
}

/**
 * THE quota check for a code path that consumes quota: holds the organization's quota lock until
 * the caller's transaction ends, counts usage under the lock with the definition GET /limits shows
 * (db/limits `quotaUsage`), and throws `LimitExceededError` (402 `limit_exceeded` with limit, max,
 * usage, requested) when `requested` more would not fit. Call it inside the transaction that then
 * writes what consumes the quota. `requested` ≤ 0 consumes nothing and checks nothing.
 */
export async function assertQuota(db: Db, organizationId: string, limit: CountedLimitKey, requested: number): Promise<void> {
  if (requested <= 0) return;
  await assertWithinLimits(db, organizationId, [{ limit, requested, usage: () => usageOf(db, organizationId, limit) }]);
}

/** Start tracking `requested` videos that are not tracking yet (max_tracked_videos). */
export const assertCanTrackVideos = (db: Db, organizationId: string, requested: number) => assertQuota(db, organizationId, 'max_tracked_videos', requested);

/** Activate `requested` more tracking records of bloggers (max_tracked_bloggers). */
export const assertCanTrackBloggers = (db: Db, organizationId: string, requested: number) => assertQuota(db, organizationId, 'max_tracked_bloggers', requested);

/** Invite `requested` more people: members plus open invitations hold seats (max_members). */
export const assertCanAddMembers = (db: Db, organizationId: string, requested: number) => assertQuota(db, organizationId, 'max_members', requested);

/**
 * The same rule for bulk paths that start tracking many videos at once (a blogger fetch saves its
 * new videos as `tracking`): holds the organization's quota lock until the caller's transaction
 * ends and answers how many more videos may start tracking (null = unlimited). The caller admits
 * at most that many NEW videos in the same transaction; videos it already has consume nothing.
 */
export async function trackedVideosCapacity(db: Db, organizationId: string): Promise<number | null> {
  await lockOrganizationQuota(db, organizationId);
  const effective = await effectiveLimits(db, organizationId);
  if (!effective) return 0;
  const max = effective.limits.max_tracked_videos;
  if (max === null) return null;
  return remainingQuota(max, await usageOf(db, organizationId, 'max_tracked_videos'));
}
