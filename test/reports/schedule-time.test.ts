import { describe, expect, it } from 'vitest';
import { catchUp, nextRunAt, periodFor, previousPeriod, zonedTime, type ScheduleRule } from '../../src/reports/schedule-time';

const BERLIN = 'Europe/Berlin';
const iso = (d: Date) => d.toISOString();
/** The first n due times after `from`. */
function dueTimes(rule: ScheduleRule, tz: string, from: string, n: number): string[] {
  const out: string[] = [];
  let at = new Date(from);
  for (let i = 0; i < n; i++) {
    at = nextRunAt(rule, tz, at);
    out.push(iso(at));
  }
  return out;
}

describe('next_run_at in the organization time zone', () => {
  it('daily 09:00 Europe/Berlin keeps 09:00 local across the March change (08:00Z, then 07:00Z)', () => {
    expect(dueTimes({ frequency: 'daily', local_time: '09:00' }, BERLIN, '2026-03-27T12:00:00Z', 3)).toEqual([
      '2026-03-28T08:00:00.000Z',
      '2026-03-29T07:00:00.000Z',
      '2026-03-30T07:00:00.000Z',
    ]);
  });

  it('weekly Monday 09:00 Europe/Berlin across the March and October changes', () => {
    const monday = { frequency: 'weekly', day_of_week: 1, local_time: '09:00' } as const;
    expect(dueTimes(monday, BERLIN, '2026-03-20T00:00:00Z', 2)).toEqual(['2026-03-23T08:00:00.000Z', '2026-03-30T07:00:00.000Z']);
    expect(dueTimes(monday, BERLIN, '2026-10-15T00:00:00Z', 2)).toEqual(['2026-10-19T07:00:00.000Z', '2026-10-26T08:00:00.000Z']);
  });

  it('a due time equal to "after" is not due again; one minute before it is', () => {
    const monday = { frequency: 'weekly', day_of_week: 1, local_time: '09:00' } as const;
    expect(iso(nextRunAt(monday, BERLIN, new Date('2026-03-30T07:00:00Z')))).toBe('2026-04-06T07:00:00.000Z');
    expect(iso(nextRunAt(monday, BERLIN, new Date('2026-03-30T06:59:00Z')))).toBe('2026-03-30T07:00:00.000Z');
  });

  it('monthly on the 31st runs on the last day of 30-day months and February', () => {
    expect(dueTimes({ frequency: 'monthly', day_of_month: 31, local_time: '09:00' }, BERLIN, '2026-01-31T12:00:00Z', 4)).toEqual([
      '2026-02-28T08:00:00.000Z',
      '2026-03-31T07:00:00.000Z',
      '2026-04-30T07:00:00.000Z',
      '2026-05-31T07:00:00.000Z',
    ]);
  });

  it('a local time skipped by the spring change runs an hour later; a repeated one runs at its first occurrence', () => {
    expect(iso(zonedTime('2026-03-29', '02:30', BERLIN))).toBe('2026-03-29T01:30:00.000Z'); // 03:30 CEST
    expect(iso(zonedTime('2026-10-25', '02:30', BERLIN))).toBe('2026-10-25T00:30:00.000Z'); // 02:30 CEST, not CET
    expect(dueTimes({ frequency: 'daily', local_time: '02:30' }, BERLIN, '2026-03-28T12:00:00Z', 2)).toEqual(['2026-03-29T01:30:00.000Z', '2026-03-30T00:30:00.000Z']);
  });

  it('zones without daylight saving and with half-hour offsets', () => {
    expect(iso(nextRunAt({ frequency: 'daily', local_time: '09:00' }, 'Asia/Kolkata', new Date('2026-06-01T00:00:00Z')))).toBe('2026-06-01T03:30:00.000Z');
    expect(iso(nextRunAt({ frequency: 'daily', local_time: '00:15' }, 'America/New_York', new Date('2026-11-01T03:00:00Z')))).toBe('2026-11-01T04:15:00.000Z');
  });
});

describe('the period a run reports on', () => {
  it('daily: the previous local day, also when the UTC date differs', () => {
    expect(periodFor('daily', new Date('2026-03-09T23:30:00Z'), BERLIN)).toEqual({ start: '2026-03-09', end: '2026-03-09' }); // 00:30 on the 10th in Berlin
    expect(periodFor('daily', new Date('2026-03-09T23:30:00Z'), 'UTC')).toEqual({ start: '2026-03-08', end: '2026-03-08' });
  });

  it('weekly: the 7 days before; monthly: the previous calendar month; and the period before each', () => {
    const week = periodFor('weekly', new Date('2026-03-30T07:00:00Z'), BERLIN);
    expect(week).toEqual({ start: '2026-03-23', end: '2026-03-29' });
    expect(previousPeriod('weekly', week)).toEqual({ start: '2026-03-16', end: '2026-03-22' });
    const month = periodFor('monthly', new Date('2026-03-01T08:00:00Z'), BERLIN);
    expect(month).toEqual({ start: '2026-02-01', end: '2026-02-28' });
    expect(previousPeriod('monthly', month)).toEqual({ start: '2026-01-01', end: '2026-01-31' });
    expect(periodFor('monthly', new Date('2026-01-05T08:00:00Z'), BERLIN)).toEqual({ start: '2025-12-01', end: '2025-12-31' });
  });

  it('a dispatcher that was down reports the latest due time once and moves past now', () => {
    const daily = { frequency: 'daily', local_time: '09:00' } as const;
    const { occurrence, next } = catchUp(daily, BERLIN, new Date('2026-03-25T08:00:00Z'), new Date('2026-03-30T12:00:00Z'));
    expect(iso(occurrence)).toBe('2026-03-30T07:00:00.000Z');
    expect(iso(next)).toBe('2026-03-31T07:00:00.000Z');
  });
});
