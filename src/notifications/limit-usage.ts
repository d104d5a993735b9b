import type { Db } from '../db/client';
import { recordNotificationEvents, type FannedOut, type NotificationEvent } from '../db/alerts';
import { effectiveLimits, quotaUsage, usagePeriod } from '../db/limits';
import type { CountedLimitKey } from '../domain/quota';

/** The limits a `limit_usage` rule watches, with the words a member reads. */
const WATCHED: Record<Extract<CountedLimitKey, 'max_tracked_videos' | 'videos_per_period' | 'max_tracked_bloggers'>, string> = {
  max_tracked_videos: 'tracked videos',
  videos_per_period: 'videos fetched this month',
  max_tracked_bloggers: 'tracked bloggers',
};

/**
 * `limit_usage` alert rules ({percent: 80 | 100}), from the 15-minute cron: for each organization
 * with an enabled rule, its effective limits and usage come from src/db/limits.ts (the one
 * definition GET /limits and every quota check use: an unexpired override, else the plan), and
 * every watched limit used at or above a rule's percent notifies once per (rule, limit, usage
 * period) — a later cron, or usage going down and up again in the month, alerts nobody twice.
 */
export async function recordLimitUsageAlerts(db: Db): Promise<FannedOut[]> {
  const rules = await db<{ id: string; organization_id: string; percent: number }[]>`
    select r.id, r.organization_id, (r.params ->> 'percent')::int as percent
    from public.alert_rules r where r.enabled and r.type = 'limit_usage' and (r.params ->> 'percent') is not null
    order by r.organization_id`;
  if (rules.length === 0) return [];
  const period = await usagePeriod(db);
  const periodKey = period.start.toISOString().slice(0, 7);
  const events: NotificationEvent[] = [];
  for (const orgId of new Set(rules.map((r) => r.organization_id))) {
    const limits = await effectiveLimits(db, orgId);
    if (!limits) continue;
    const usage = await quotaUsage(db, orgId);
    for (const rule of rules.filter((r) => r.organization_id === orgId)) {
      for (const [key, words] of Object.entries(WATCHED) as [keyof typeof WATCHED, string][]) {
        const max = limits.limits[key];
        const used = usage[key];
        if (max === null || max <= 0 || used * 100 < rule.percent * max) continue;
        const pct = Math.round((used * 100) / max);
        events.push({
          organizationId: orgId,
          type: 'limit_usage',
          dedupeKey: `${rule.id}:${key}:${periodKey}`,
          text: `${used >= max ? '⛔' : '⚠️'} Your organization has used ${pct}% of its ${words} limit (${used} of ${max})${used >= max ? ': nothing more can be added until it is raised or the period ends' : ''}.`,
          vars: { limit: key, limitName: words, used, max, percent: pct, threshold: rule.percent, periodStart: period.start.toISOString() },
        });
      }
    }
  }
  return recordNotificationEvents(db, events);
}
