import { jsonb, type Db } from './client';

/** Usage is counted per calendar month (UTC); `usage_counters.period_start` is that month's start. */
export interface VideoQuota {
  organization_id: string;
  limit: number | null;
  used: number;
  remaining: number | null;
}

/**
 * The effective videos-per-period limit (an unexpired `organization_custom_limits` override, else
 * the plan's) and this period's usage, for many organizations in one query.
 */
export async function videoQuotas(db: Db, organizationIds: string[]): Promise<Map<string, VideoQuota>> {
  const rows = await db<{ organization_id: string; limit: number | null; used: number }[]>`
    select o.id as organization_id,
           case when c.videos_per_period is not null and (c.expires_at is null or c.expires_at > now())
                then c.videos_per_period else p.videos_per_period end as "limit",
           coalesce(u.videos_fetched, 0) as used
    from public.organizations o
    join public.subscription_plan_limits p on p.plan = o.plan
    left join public.organization_custom_limits c on c.organization_id = o.id
    left join public.usage_counters u on u.organization_id = o.id and u.period_start = date_trunc('month', now())
    where o.id in (select jsonb_array_elements_text(${jsonb(organizationIds)}::text::jsonb)::uuid)`;
  return new Map(rows.map((r) => [r.organization_id, { ...r, remaining: r.limit === null ? null : Math.max(0, r.limit - r.used) }]));
}

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

export interface EffectiveLimits {
  plan: string;
  limits: Record<LimitKey, number | null>;
  /** which limits come from an unexpired per-organization override */
  overridden: LimitKey[];
  override_expires_at: Date | null;
}

/** Plan defaults with the organization's unexpired overrides applied. */
export async function effectiveLimits(db: Db, organizationId: string): Promise<EffectiveLimits | undefined> {
  const [row] = await db<{ plan: string; override_active: boolean; override_expires_at: Date | null; plan_limits: Record<LimitKey, number | null>; overrides: Record<LimitKey, number | null> | null }[]>`
    select o.plan,
           (c.id is not null and (c.expires_at is null or c.expires_at > now())) as override_active,
           c.expires_at as override_expires_at,
           to_jsonb(p) as plan_limits,
           to_jsonb(c) as overrides
    from public.organizations o
    join public.subscription_plan_limits p on p.plan = o.plan
    left join public.organization_custom_limits c on c.organization_id = o.id
    where o.id = ${organizationId}`;
  if (!row) return undefined;
  const limits = {} as Record<LimitKey, number | null>;
  const overridden: LimitKey[] = [];
  for (const k of LIMIT_KEYS) {
    const o = row.override_active ? row.overrides?.[k] : null;
    if (o !== null && o !== undefined) overridden.push(k);
    limits[k] = o ?? row.plan_limits[k] ?? null;
  }
  return { plan: row.plan, limits, overridden, override_expires_at: row.override_expires_at };
}

/**
 * Serialises quota checks of one organization until the transaction ends, so two requests racing
 * for the last unit cannot both pass. An advisory lock works for every role (no UPDATE right needed).
 */
export async function lockOrganizationQuota(db: Db, organizationId: string): Promise<void> {
  await db`select pg_advisory_xact_lock(hashtextextended(${organizationId}, 0))`;
}
