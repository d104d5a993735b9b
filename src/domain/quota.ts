import { DomainError } from './errors';

/**
 * The limits a plan sets and an operator may override per organization (the columns of
 * `subscription_plan_limits` and `organization_custom_limits`). Which value applies — an unexpired
 * override, else the plan's — is decided by the database alone (`private.effective_limits`,
 * supabase/migrations/20261203170000_effective_limits.sql); TypeScript reads the result.
 */
export const LIMIT_KEYS = [
  'max_tracked_videos',
  'max_tracked_bloggers',
  'videos_per_period',
  'max_initial_videos_per_blogger',
  'max_daily_videos_per_blogger',
  'max_sheets_sources',
  'max_members',
  'max_report_schedules',
] as const;
export type LimitKey = (typeof LIMIT_KEYS)[number];

/** Limits that cap one item (videos per blogger fetch), not a total: they have no usage. */
export const PER_ITEM_LIMITS = ['max_initial_videos_per_blogger', 'max_daily_videos_per_blogger'] as const satisfies readonly LimitKey[];
export type CountedLimitKey = Exclude<LimitKey, (typeof PER_ITEM_LIMITS)[number]>;

export function isCountedLimit(key: LimitKey): key is CountedLimitKey {
  return !(PER_ITEM_LIMITS as readonly LimitKey[]).includes(key);
}

export interface QuotaCheck {
  limit: LimitKey;
  /** how many more the caller wants */
  requested: number;
}

/** True when `requested` more on top of `usage` would not fit under `max` (null = unlimited). */
export const exceedsQuota = (max: number | null, usage: number, requested: number) => max !== null && usage + requested > max;

/** How many more fit (null = unlimited), never negative. */
export const remainingQuota = (max: number | null, usage: number) => (max === null ? null : Math.max(0, max - usage));

/** One error shape for every quota, wherever it is consumed (HTTP answers 402 `limit_exceeded`). */
export class LimitExceededError extends DomainError {
  constructor(readonly check: QuotaCheck & { usage: number; max: number }) {
    super('limit_exceeded', `${check.limit.replace(/_/g, ' ')}: limit ${check.max}, in use ${check.usage}, requested ${check.requested}`, {
      limit: check.limit,
      max: check.max,
      usage: check.usage,
      requested: check.requested,
    });
    this.name = 'LimitExceededError';
  }
}
