import { ApiError } from '../http/errors';
import type { Db } from '../db/client';
import { effectiveLimits, lockOrganizationQuota, type LimitKey } from '../db/limits';

export interface QuotaCheck {
  limit: LimitKey;
  /** how many more the caller wants */
  requested: number;
}

export interface QuotaRequest extends QuotaCheck {
  /** what is in use now: counted AFTER the organization's quota lock is held, so a racing request sees our write */
  usage: () => Promise<number>;
}

/** One error shape for every quota, wherever it is consumed. */
export class LimitExceededError extends ApiError {
  constructor(readonly check: QuotaCheck & { usage: number; max: number }) {
    super('limit_exceeded', `${check.limit.replace(/_/g, ' ')}: limit ${check.max}, in use ${check.usage}, requested ${check.requested}`, {
      limit: check.limit,
      max: check.max,
      usage: check.usage,
      requested: check.requested,
    });
  }
}

/**
 * Checks quotas inside the caller's transaction, holding the organization's quota lock until it
 * commits, so the write that consumes the quota happens before anyone else can check.
 */
export async function assertWithinLimits(db: Db, organizationId: string, checks: QuotaRequest[]): Promise<void> {
  await lockOrganizationQuota(db, organizationId);
  const effective = await effectiveLimits(db, organizationId);
  if (!effective) throw new ApiError('not_found', 'organization not found');
  for (const c of checks) {
    const max = effective.limits[c.limit];
    if (max === null) continue;
    const usage = await c.usage();
    if (usage + c.requested > max) throw new LimitExceededError({ limit: c.limit, requested: c.requested, usage, max });
  }
}

/** A per-item cap (e.g. initial videos per blogger): the requested amount alone must fit. */
export async function assertPerItemLimit(db: Db, organizationId: string, limit: LimitKey, requested: number): Promise<void> {
  const effective = await effectiveLimits(db, organizationId);
  const max = effective?.limits[limit] ?? null;
  if (max !== null && requested > max) throw new LimitExceededError({ limit, usage: 0, requested, max });
}
