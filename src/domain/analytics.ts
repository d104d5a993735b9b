/**
 * Analytics formulas, as pure functions: budget metrics, the campaign budget rule, and a reference
 * model of the totals/increments definitions that the SQL in src/db/analytics.ts implements over
 * the `video_daily_stats` rollup (tests check both on the same hand-computed fixtures).
 *
 * Definitions (days are UTC calendar days, 'YYYY-MM-DD'):
 * - A video's value on day d is the LAST snapshot of the latest day <= d that has a snapshot:
 *   missing days carry the last known value forward, so a gap never yields a negative increment
 *   (the growth over the gap is counted on the day data arrives).
 * - Its daily increment on a day with data is that day's last value minus the previous day-with-data's
 *   last value; on its first day ever, minus that day's first snapshot (growth is counted from the
 *   first measurement, i.e. from when tracking started). Weekly increment = the sum over the ISO week.
 * - totals over a range [from, to] = the value on `to` (null `to` = the latest snapshot).
 * - increments over [from, to] = value on `to` minus the baseline, where the baseline is the value
 *   at the START of the range (the last snapshot before `from`) or at tracking start (the video's
 *   first snapshot), whichever is later. So a video added mid-campaign counts only its growth since
 *   tracking started, and the increments of consecutive ranges add up. A null `from` means "since
 *   tracking started". A video with no snapshot on or before `to` contributes nothing.
 *   Equivalently: the sum of its daily increments over the days of the range.
 */

export const METRICS = ['views', 'likes', 'comments', 'reposts', 'saves'] as const;
export type Metric = (typeof METRICS)[number];
export type Counters = Record<Metric, number>;

export const zeroCounters = (): Counters => ({ views: 0, likes: 0, comments: 0, reposts: 0, saves: 0 });

export const addCounters = (a: Counters, b: Counters): Counters => ({
  views: a.views + b.views, likes: a.likes + b.likes, comments: a.comments + b.comments, reposts: a.reposts + b.reposts, saves: a.saves + b.saves,
});

export const subCounters = (a: Counters, b: Counters): Counters => ({
  views: a.views - b.views, likes: a.likes - b.likes, comments: a.comments - b.comments, reposts: a.reposts - b.reposts, saves: a.saves - b.saves,
});

/** Engagements = likes + comments + reposts + saves (views are reach, not engagement). */
export const engagements = (c: Counters): number => c.likes + c.comments + c.reposts + c.saves;

/** Metrics are rounded to 6 decimals: enough for money and rates, without float noise (0.1 + 0.2). */
export const round6 = (x: number): number => Math.round(x * 1e6) / 1e6;

export interface BudgetMetrics {
  /** cost per mille: budget / views × 1000 */
  cpm: number | null;
  /** cost per view: budget / views */
  cpv: number | null;
  /** cost per engagement: budget / (likes + comments + reposts + saves) */
  cpe: number | null;
  /** (likes + comments + reposts + saves) / views, a fraction (0.05 = 5 %) */
  engagement_rate: number | null;
}

/**
 * CPM, CPV, CPE and engagement rate of a budget spent on some counters (totals or increments).
 * A metric whose denominator is zero or negative (no views yet; a range where counts went down) is
 * null, never Infinity or NaN; cost metrics are null without a budget.
 */
export function budgetMetrics(budget: number | null, c: Counters): BudgetMetrics {
  const views = c.views;
  const eng = engagements(c);
  const per = (denominator: number, scale = 1) => (budget === null || denominator <= 0 ? null : round6((budget / denominator) * scale));
  return {
    cpm: per(views, 1000),
    cpv: per(views),
    cpe: per(eng),
    engagement_rate: views > 0 ? round6(eng / views) : null,
  };
}

export interface CampaignBudget {
  /** campaigns.budget */
  campaign: number | null;
  /** sum of videos.budget over the campaign's videos (null when none has one) */
  videos: number | null;
  /** what the metrics divide: the campaign budget when set, else the videos' sum */
  effective: number | null;
  source: 'campaign' | 'videos' | null;
}

/**
 * The campaign budget rule. `campaigns.budget` is the campaign's total agreed spend, which already
 * includes whatever is paid per video, so when it is set it is THE budget (adding the per-video
 * budgets would count those fees twice). When it is not set, the campaign costs the sum of its
 * videos' budgets. Per-video and per-blogger metrics always use the videos' own budgets.
 */
export function campaignBudget(campaign: number | null, videoBudgets: (number | null)[]): CampaignBudget {
  const set = videoBudgets.filter((b): b is number => b !== null);
  const videos = set.length === 0 ? null : round6(set.reduce((a, b) => a + b, 0));
  if (campaign !== null) return { campaign, videos, effective: campaign, source: 'campaign' };
  if (videos !== null) return { campaign, videos, effective: videos, source: 'videos' };
  return { campaign, videos, effective: null, source: null };
}

// ---- dates ---------------------------------------------------------------------------------------

const DAY_MS = 86_400_000;
const toDate = (day: string) => new Date(`${day}T00:00:00Z`);
const fromDate = (d: Date) => d.toISOString().slice(0, 10);

export const addDays = (day: string, n: number): string => fromDate(new Date(toDate(day).getTime() + n * DAY_MS));

/** Days from a to b (b - a). */
export const daysBetween = (a: string, b: string): number => Math.round((toDate(b).getTime() - toDate(a).getTime()) / DAY_MS);

/** Monday of the ISO week containing `day`. */
export function isoWeekStart(day: string): string {
  const dow = toDate(day).getUTCDay(); // 0 = Sunday
  return addDays(day, -((dow + 6) % 7));
}

/** How many points a day / ISO-week series from `from` to `to` has (a week cut by the range counts once). */
export function periodCount(from: string, to: string, interval: 'day' | 'week'): number {
  return interval === 'week' ? Math.floor(daysBetween(isoWeekStart(from), to) / 7) + 1 : daysBetween(from, to) + 1;
}

/** The UTC day of an instant. */
export const utcDay = (at: Date | string | number): string => fromDate(new Date(at));

// ---- reference model of the rollup semantics ------------------------------------------------------

/** One rollup row: a video's first (`open`) and last (`close`) snapshot of a day with data. */
export interface DayValues {
  day: string;
  open: Counters;
  close: Counters;
}

export interface Snapshot extends Counters {
  at: Date | string;
  /** tie-break between snapshots taken at the same instant, like video_statistics.id */
  id?: number;
}

/** Folds snapshots into rollup rows exactly as the database trigger does (any input order). */
export function rollupDays(snapshots: Snapshot[]): DayValues[] {
  const sorted = [...snapshots].sort((a, b) => new Date(a.at).getTime() - new Date(b.at).getTime() || (a.id ?? 0) - (b.id ?? 0));
  const byDay = new Map<string, DayValues>();
  for (const s of sorted) {
    const day = utcDay(s.at);
    const values: Counters = { views: s.views, likes: s.likes, comments: s.comments, reposts: s.reposts, saves: s.saves };
    const row = byDay.get(day);
    if (row) row.close = values;
    else byDay.set(day, { day, open: values, close: values });
  }
  return [...byDay.values()].sort((a, b) => a.day.localeCompare(b.day));
}

/** The value on `day` (carried forward), or null before the first snapshot. Null `day` = latest. */
export function valueOn(days: DayValues[], day: string | null): Counters | null {
  let found: Counters | null = null;
  for (const d of days) if (day === null || d.day <= day) found = d.close;
  return found;
}

/** Daily increments on the days with data (first day: close − open). */
export function dailyIncrements(days: DayValues[]): { day: string; delta: Counters }[] {
  return days.map((d, i) => ({ day: d.day, delta: subCounters(d.close, i === 0 ? d.open : days[i - 1]!.close) }));
}

/** Increments summed per ISO week (keyed by the week's Monday), weeks with data only. */
export function weeklyIncrements(days: DayValues[]): { week_start: string; delta: Counters }[] {
  const weeks = new Map<string, Counters>();
  for (const { day, delta } of dailyIncrements(days)) {
    const w = isoWeekStart(day);
    weeks.set(w, addCounters(weeks.get(w) ?? zeroCounters(), delta));
  }
  return [...weeks.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([week_start, delta]) => ({ week_start, delta }));
}

/**
 * A video's contribution to a range: `totals` = value on `to`; `increments` = value on `to` minus
 * the baseline (value before `from`, or the first snapshot if tracking started on/after `from`).
 * Null when the video has no snapshot on or before `to`.
 */
export function contribution(days: DayValues[], mode: 'totals' | 'increments', from: string | null, to: string | null): Counters | null {
  const end = valueOn(days, to);
  if (end === null) return null;
  if (mode === 'totals') return end;
  const before = from === null ? null : valueOn(days, addDays(from, -1));
  const baseline = before ?? days[0]!.open;
  return subCounters(end, baseline);
}
