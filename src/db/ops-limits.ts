import { jsonb, type Db } from './client';
import { LIMIT_KEYS, type LimitKey } from '../domain/quota';

/** An organization's limit override row as operators see it (null columns: the plan applies). */
export interface LimitOverrideRow {
  limits: Record<LimitKey, number | null>;
  expires_at: Date | null;
  note: string | null;
  /** false once expires_at has passed: the plan applies again */
  active: boolean;
  updated_at: Date;
}

export interface OrganizationPlanRow {
  id: string;
  name: string;
  plan: string;
}

export async function organizationForOps(db: Db, organizationId: string): Promise<OrganizationPlanRow | null> {
  const [row] = await db<OrganizationPlanRow[]>`select id, name, plan from public.organizations where id = ${organizationId}`;
  return row ?? null;
}

export async function limitOverride(db: Db, organizationId: string): Promise<LimitOverrideRow | null> {
  const [row] = await db<{ row: Record<string, unknown>; expires_at: Date | null; note: string | null; active: boolean; updated_at: Date }[]>`
    select to_jsonb(c) as row, c.expires_at, c.note, coalesce((select e.override_active from private.effective_limits(c.organization_id) e), false) as active, c.updated_at
    from public.organization_custom_limits c where c.organization_id = ${organizationId}`;
  if (!row) return null;
  const limits = Object.fromEntries(LIMIT_KEYS.map((k) => [k, (row.row[k] as number | null) ?? null])) as Record<LimitKey, number | null>;
  return { limits, expires_at: row.expires_at, note: row.note, active: row.active, updated_at: row.updated_at };
}

/**
 * Replaces the organization's override (one row per organization): every limit not given goes back
 * to the plan's value. One statement, so GET /limits sees the whole new override or the old one.
 */
export async function setLimitOverride(db: Db, organizationId: string, limits: Partial<Record<LimitKey, number | null>>, expiresAt: Date | null, note: string | null): Promise<void> {
  const values = Object.fromEntries(LIMIT_KEYS.map((k) => [k, limits[k] ?? null]));
  await db`
    insert into public.organization_custom_limits as c (organization_id, max_tracked_videos, max_tracked_bloggers, videos_per_period,
      max_initial_videos_per_blogger, max_daily_videos_per_blogger, max_sheets_sources, max_members, max_report_schedules, expires_at, note)
    select ${organizationId}::uuid, x.max_tracked_videos, x.max_tracked_bloggers, x.videos_per_period, x.max_initial_videos_per_blogger,
      x.max_daily_videos_per_blogger, x.max_sheets_sources, x.max_members, x.max_report_schedules, ${expiresAt}, ${note}
    from jsonb_to_record(${jsonb(values)}::text::jsonb) as x(max_tracked_videos int, max_tracked_bloggers int, videos_per_period int,
      max_initial_videos_per_blogger int, max_daily_videos_per_blogger int, max_sheets_sources int, max_members int, max_report_schedules int)
    on conflict (organization_id) do update set
      max_tracked_videos = excluded.max_tracked_videos, max_tracked_bloggers = excluded.max_tracked_bloggers,
      videos_per_period = excluded.videos_per_period, max_initial_videos_per_blogger = excluded.max_initial_videos_per_blogger,
      max_daily_videos_per_blogger = excluded.max_daily_videos_per_blogger, max_sheets_sources = excluded.max_sheets_sources,
      max_members = excluded.max_members, max_report_schedules = excluded.max_report_schedules,
      expires_at = excluded.expires_at, note = excluded.note`;
}

/** Deletes the override; true when there was one. */
export async function clearLimitOverride(db: Db, organizationId: string): Promise<boolean> {
  const res = await db`delete from public.organization_custom_limits where organization_id = ${organizationId}`;
  return res.count > 0;
}

export async function planNames(db: Db): Promise<string[]> {
  return (await db<{ plan: string }[]>`select plan from public.subscription_plan_limits order by plan`).map((r) => r.plan);
}

/** Changes the plan; returns the previous one (null when the organization does not exist). */
export async function changePlan(db: Db, organizationId: string, plan: string): Promise<{ previous: string } | null> {
  const [row] = await db<{ previous: string }[]>`
    update public.organizations o set plan = ${plan}
    from (select id, plan as previous from public.organizations where id = ${organizationId} for update) p
    where o.id = p.id
    returning p.previous`;
  return row ?? null;
}
