import { LIMIT_KEYS, remainingQuota, type CountedLimitKey, type LimitKey } from '../domain/quota';
import { jsonb, type Db } from './client';

/** Usage is counted per calendar month (UTC); `usage_counters.period_start` is that month's start. */
export interface VideoQuota {
  organization_id: string;
  limit: number | null;
  used: number;
  remaining: number | null;
}

/**
 * This period's videos-per-period limit (the effective one: private.effective_limits) and usage,
 * for many organizations in one query.
 */
export async function videoQuotas(db: Db, organizationIds: string[]): Promise<Map<string, VideoQuota>> {
  const rows = await db<{ organization_id: string; limit: number | null; used: number }[]>`
    select o.id as organization_id,
           (e.limits ->> 'videos_per_period')::int as "limit",
           coalesce(u.videos_fetched, 0) as used
    from public.organizations o
    cross join lateral private.effective_limits(o.id) e
    left join public.usage_counters u on u.organization_id = o.id and u.period_start = date_trunc('month', now())
    where o.id in (select jsonb_array_elements_text(${jsonb(organizationIds)}::text::jsonb)::uuid)`;
  return new Map(rows.map((r) => [r.organization_id, { ...r, remaining: remainingQuota(r.limit, r.used) }]));
}

export interface EffectiveLimits {
  plan: string;
  limits: Record<LimitKey, number | null>;
  /** which limits come from an unexpired per-organization override */
  overridden: LimitKey[];
  override_expires_at: Date | null;
  /** an override row exists and has not expired */
  override_active?: boolean;
}

/** Plan defaults with the organization's unexpired overrides applied: the database decides (private.effective_limits). */
export async function effectiveLimits(db: Db, organizationId: string): Promise<EffectiveLimits | undefined> {
  const [row] = await db<{ plan: string; limits: Record<string, number | null>; overridden: string[]; override_active: boolean; override_expires_at: Date | null }[]>`
    select plan, limits, overridden, override_active, override_expires_at from private.effective_limits(${organizationId})`;
  if (!row) return undefined;
  const limits = Object.fromEntries(LIMIT_KEYS.map((k) => [k, row.limits[k] ?? null])) as Record<LimitKey, number | null>;
  const overridden = LIMIT_KEYS.filter((k) => row.overridden.includes(k));
  return { plan: row.plan, limits, overridden, override_expires_at: row.override_expires_at, override_active: row.override_active };
}

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
