/**
 * When a report schedule is due, and which period a run reports on: pure functions over the
 * organization's IANA time zone, using only Intl (the runtime's own zone rules), so a weekly
 * "Monday 09:00 Europe/Berlin" is 08:00 UTC in winter and 07:00 UTC in summer.
 *
 * Local times that do not exist (the hour skipped when clocks go forward) run at the same wall time
 * shifted by the gap (02:30 → 03:30); local times that happen twice (clocks go back) run at the first.
 * A monthly day beyond the month's length (the 31st in April) runs on the month's last day.
 */

export type Frequency = 'daily' | 'weekly' | 'monthly';

export interface ScheduleRule {
  frequency: Frequency;
  /** ISO weekday, 1 = Monday (weekly only) */
  day_of_week?: number | null;
  /** 1–31 (monthly only); past the month's end = its last day */
  day_of_month?: number | null;
  /** 'HH:MM' */
  local_time: string;
}

/** A calendar day as 'YYYY-MM-DD'. */
export type Day = string;

interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The wall-clock reading in `timeZone` at the instant `at`. */
export function localParts(at: Date, timeZone: string): LocalParts {
  const parts = Object.fromEntries(formatter(timeZone).formatToParts(at).map((p) => [p.type, p.value]));
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour) % 24,
    minute: Number(parts.minute),
    second: Number(parts.second),
  };
}

/** Milliseconds the zone is ahead of UTC at the instant `at`. */
function offsetAt(at: number, timeZone: string): number {
  const p = localParts(new Date(at), timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(at / 1000) * 1000;
}

/**
 * The instant a local wall time happens in the zone. Tries the offsets in force just before and
 * just after the wall time: a time both produce is ambiguous (take the earlier); a time neither
 * reproduces falls in a gap (shift it forward by the gap, i.e. use the offset from before it).
 */
export function zonedTime(day: Day, time: string, timeZone: string): Date {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const [hh, mm] = time.split(':').map(Number) as [number, number];
  const wall = Date.UTC(y, m - 1, d, hh, mm);
  const candidates = [offsetAt(wall - 86_400_000, timeZone), offsetAt(wall + 86_400_000, timeZone), offsetAt(wall, timeZone)];
  const exact = [...new Set(candidates)]
    .map((off) => wall - off)
    .filter((t) => {
      const p = localParts(new Date(t), timeZone);
      return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute) === wall;
    })
    .sort((a, b) => a - b);
  if (exact.length > 0) return new Date(exact[0]!);
  // in a gap: the offset before the change puts the wall time after it, by the gap's length
  return new Date(wall - candidates[0]!);
}

/** The local calendar day of an instant in the zone. */
export function localDay(at: Date, timeZone: string): Day {
  const p = localParts(at, timeZone);
  return dayOf(p.year, p.month, p.day);
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const dayOf = (y: number, m: number, d: number): Day => `${pad(y, 4)}-${pad(m)}-${pad(d)}`;

export function addDays(day: Day, n: number): Day {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const t = new Date(Date.UTC(y, m - 1, d + n));
  return dayOf(t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate());
}

const daysInMonth = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();
/** ISO weekday of a day, 1 = Monday … 7 = Sunday. */
export const isoWeekday = (day: Day) => {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return ((new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7) + 1;
};

/** Whether the schedule runs on this local day. */
export function runsOn(rule: ScheduleRule, day: Day): boolean {
  switch (rule.frequency) {
    case 'daily':
      return true;
    case 'weekly':
      return isoWeekday(day) === rule.day_of_week;
    case 'monthly': {
      const [y, m, d] = day.split('-').map(Number) as [number, number, number];
      return d === Math.min(rule.day_of_month ?? 1, daysInMonth(y, m));
    }
  }
}

/** The first time the schedule is due strictly after `after`. */
export function nextRunAt(rule: ScheduleRule, timeZone: string, after: Date): Date {
  // start a day early: `after`'s local day may still hold a due time later that day (or, across
  // a date line, the previous day's)
  let day = addDays(localDay(after, timeZone), -1);
  for (let i = 0; i < 400; i++, day = addDays(day, 1)) {
    if (!runsOn(rule, day)) continue;
    const at = zonedTime(day, rule.local_time, timeZone);
    if (at.getTime() > after.getTime()) return at;
  }
  throw new Error(`no due time within 400 days for ${JSON.stringify(rule)}`);
}

export interface Period {
  /** first day reported on (local calendar day; analytics days are UTC days of the same dates) */
  start: Day;
  /** last day reported on, inclusive */
  end: Day;
}

/**
 * What a run at `runAt` reports on: the complete local days before it — the previous day (daily),
 * the previous 7 days (weekly), the previous calendar month (monthly).
 */
export function periodFor(frequency: Frequency, runAt: Date, timeZone: string): Period {
  const today = localDay(runAt, timeZone);
  if (frequency === 'daily') return { start: addDays(today, -1), end: addDays(today, -1) };
  if (frequency === 'weekly') return { start: addDays(today, -7), end: addDays(today, -1) };
  const [y, m] = today.split('-').map(Number) as [number, number];
  const py = m === 1 ? y - 1 : y;
  const pm = m === 1 ? 12 : m - 1;
  return { start: dayOf(py, pm, 1), end: dayOf(py, pm, daysInMonth(py, pm)) };
}

/** The period of the same length just before (the month before, for a calendar month). */
export function previousPeriod(frequency: Frequency, period: Period): Period {
  if (frequency === 'monthly') {
    const [y, m] = period.start.split('-').map(Number) as [number, number];
    const py = m === 1 ? y - 1 : y;
    const pm = m === 1 ? 12 : m - 1;
    return { start: dayOf(py, pm, 1), end: dayOf(py, pm, daysInMonth(py, pm)) };
  }
  const len = frequency === 'daily' ? 1 : 7;
  return { start: addDays(period.start, -len), end: addDays(period.end, -len) };
}

/**
 * The latest due time at or before `now`, starting from the stored `dueAt` (a dispatcher that was
 * down for days reports the latest period once instead of every missed one), and the next after it.
 */
export function catchUp(rule: ScheduleRule, timeZone: string, dueAt: Date, now: Date): { occurrence: Date; next: Date } {
  let occurrence = dueAt;
  let next = nextRunAt(rule, timeZone, occurrence);
  for (let i = 0; i < 1000 && next.getTime() <= now.getTime(); i++) {
    occurrence = next;
    next = nextRunAt(rule, timeZone, occurrence);
  }
  return { occurrence, next };
}
