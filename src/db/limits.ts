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
  /** an override row exists and has not expired */
  override_active?: boolean;
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
  return { plan: row.plan, limits, overridden, override_expires_at: row.override_expires_at, override_active: row.override_active };
}

/**
 * Limits that cap one item (videos per blogger fetch), not a total: they have no usage.
 */
export const PER_ITEM_LIMITS = ['max_initial_videos_per_blogger', 'max_daily_videos_per_blogger'] as const satisfies readonly LimitKey[];
export type CountedLimitKey = Exclude<LimitKey, (typeof PER_ITEM_LIMITS)[number]>;

/** One SQL expression per counted limit (fragments are built per query: postgres.js runs them lazily). */
const USAGE_SQL = (db: Db, organizationId: string) =>
  ({
    max_tracked_videos: () => db`(select count(*) from public.videos v where v.organization_id = ${organizationId} and v.video_status = 'tracking')::int`,
    max_tracked_bloggers: () => db`(select count(*) from public.tracked_accounts t where t.organization_id = ${organizationId} and t.is_active)::int`,
    videos_per_period: () => db`coalesce((select u.videos_fetched from public.usage_counters u
      where u.organization_id = ${organizationId} and u.period_start = date_trunc('month', now())), 0)::int`,
    max_sheets_sources: () => db`(select count(*) from public.google_sheet_sources s where s.organization_id = ${organizationId} and s.is_active)::int`,
    max_members: () => db`((select count(*) from public.organization_members m where m.organization_id = ${organizationId})
      + (select count(*) from public.invitations i where i.organization_id = ${organizationId}
           and i.accepted_at is null and i.declined_at is null and i.revoked_at is null and i.expires_at > now()))::int`,
    max_report_schedules: () => db`(select count(*) from public.report_schedules r
      where r.organization_id = ${organizationId} and r.enabled)::int`,
  }) satisfies Record<CountedLimitKey, unknown>;

/**
 * What each counted limit has in use, in one round trip. The one definition of usage: GET /limits
 * shows it and every quota check (assertQuota) compares against it.
 *   max_tracked_videos     videos with status tracking
 *   max_tracked_bloggers   active tracking records
 *   videos_per_period      videos fetched this calendar month (usage_counters, as videoQuotas)
 *   max_sheets_sources     active Google Sheets sources
 *   max_members            members + open, unexpired invitations (an invitation holds a seat)
 *   max_report_schedules   enabled report schedules
 */
export async function quotaUsage(db: Db, organizationId: string): Promise<Record<CountedLimitKey, number>> {
  const u = USAGE_SQL(db, organizationId);
  const [row] = await db<Record<CountedLimitKey, number>[]>`
    select ${u.max_tracked_videos()} as max_tracked_videos, ${u.max_tracked_bloggers()} as max_tracked_bloggers,
           ${u.videos_per_period()} as videos_per_period, ${u.max_sheets_sources()} as max_sheets_sources,
           ${u.max_members()} as max_members, ${u.max_report_schedules()} as max_report_schedules`;
  return row!;
}

/** The usage of one counted limit (same definition as quotaUsage). */
export async function usageOf(db: Db, organizationId: string, limit: CountedLimitKey): Promise<number> {
  const [row] = await db<{ n: number }[]>`select ${USAGE_SQL(db, organizationId)[limit]()} as n`;
  return row!.n;
}

export function isCountedLimit(key: LimitKey): key is CountedLimitKey {
  return !(PER_ITEM_LIMITS as readonly LimitKey[]).includes(key);
}

/** The start of this usage period and of the next (calendar months, as usage_counters). */
export async function usagePeriod(db: Db): Promise<{ start: Date; end: Date }> {
  const [row] = await db<{ start: Date; end: Date }[]>`
    select date_trunc('month', now()) as start, date_trunc('month', now()) + interval '1 month' as "end"`;
  return row!;
}

/**
 * Serialises quota checks of one organization until the transaction ends, so two requests racing
 * for the last unit cannot both pass. An advisory lock works for every role (no UPDATE right needed).
 */
export async function lockOrganizationQuota(db: Db, organizationId: string): Promise<void> {
  await db`select pg_advisory_xact_lock(hashtextextended(${organizationId}, 0))`;
}
