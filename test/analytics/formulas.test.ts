import { describe, expect, it } from 'vitest';
import {
  addDays, budgetMetrics, campaignBudget, contribution, dailyIncrements, engagements, isoWeekStart, periodCount, rollupDays,
  round6, valueOn, weeklyIncrements, type Counters, type Snapshot,
} from '../../src/domain/analytics';

const k = (views: number, likes: number, comments: number, reposts: number, saves: number): Counters => ({ views, likes, comments, reposts, saves });
const snap = (at: string, views: number, likes: number, comments: number, reposts: number, saves: number, id?: number): Snapshot => ({ at, id, ...k(views, likes, comments, reposts, saves) });

describe('budget metrics', () => {
  it('CPM = budget / views × 1000, CPV = budget / views, CPE = budget / engagements, ER = engagements / views', () => {
    // engagements = 300 + 40 + 10 + 50 = 400
    expect(budgetMetrics(500, k(20000, 300, 40, 10, 50))).toEqual({ cpm: 25, cpv: 0.025, cpe: 1.25, engagement_rate: 0.02 });
    expect(engagements(k(20000, 300, 40, 10, 50))).toBe(400);
  });

  it('rounds to 6 decimals (1000 / 3 views)', () => {
    expect(budgetMetrics(1000, k(3, 1, 1, 1, 0))).toEqual({ cpm: 333333.333333, cpv: 333.333333, cpe: 333.333333, engagement_rate: 1 });
    expect(round6(0.1 + 0.2)).toBe(0.3);
  });

  it('zero views: no CPM, CPV or engagement rate; CPE still defined by engagements', () => {
    expect(budgetMetrics(100, k(0, 4, 0, 0, 1))).toEqual({ cpm: null, cpv: null, cpe: 20, engagement_rate: null });
    expect(budgetMetrics(100, k(0, 0, 0, 0, 0))).toEqual({ cpm: null, cpv: null, cpe: null, engagement_rate: null });
    for (const v of Object.values(budgetMetrics(100, k(0, 0, 0, 0, 0)))) expect(Number.isFinite(v) || v === null).toBe(true);
  });

  it('a range where counts went down (negative views) has no per-view metrics', () => {
    expect(budgetMetrics(100, k(-50, 10, 0, 0, 0))).toEqual({ cpm: null, cpv: null, cpe: 10, engagement_rate: null });
  });

  it('no budget: no cost metrics, the engagement rate remains', () => {
    expect(budgetMetrics(null, k(1000, 30, 10, 5, 5))).toEqual({ cpm: null, cpv: null, cpe: null, engagement_rate: 0.05 });
  });

  it('a budget of 0 costs 0 per view', () => {
    expect(budgetMetrics(0, k(1000, 30, 10, 5, 5))).toEqual({ cpm: 0, cpv: 0, cpe: 0, engagement_rate: 0.05 });
  });
});

describe('campaign budget rule', () => {
  it('the campaign budget, when set, is the budget (video budgets are part of it)', () => {
    expect(campaignBudget(1000, [300, null, 200])).toEqual({ campaign: 1000, videos: 500, effective: 1000, source: 'campaign' });
  });
  it('else the sum of the videos’ budgets', () => {
    expect(campaignBudget(null, [0.1, 0.2, null])).toEqual({ campaign: null, videos: 0.3, effective: 0.3, source: 'videos' });
  });
  it('else none', () => {
    expect(campaignBudget(null, [null, null])).toEqual({ campaign: null, videos: null, effective: null, source: null });
    expect(campaignBudget(null, [])).toEqual({ campaign: null, videos: null, effective: null, source: null });
  });
});

describe('dates', () => {
  it('ISO weeks start on Monday, across month and year ends', () => {
    expect(isoWeekStart('2026-03-02')).toBe('2026-03-02'); // Monday
    expect(isoWeekStart('2026-03-08')).toBe('2026-03-02'); // Sunday
    expect(isoWeekStart('2027-01-01')).toBe('2026-12-28'); // Friday
    expect(isoWeekStart('2024-02-29')).toBe('2024-02-26');
    expect(addDays('2026-02-28', 1)).toBe('2026-03-01');
    expect(addDays('2024-03-01', -1)).toBe('2024-02-29');
  });
  it('counts day and week periods', () => {
    expect(periodCount('2026-03-02', '2026-03-08', 'day')).toBe(7);
    expect(periodCount('2026-03-05', '2026-03-08', 'week')).toBe(1);
    expect(periodCount('2026-02-23', '2026-03-15', 'week')).toBe(3);
    expect(periodCount('2026-03-08', '2026-03-09', 'week')).toBe(2);
  });
});

describe('the rollup model: last and first snapshot of each UTC day', () => {
  const snapshots = [
    snap('2026-03-02T22:00:00Z', 3000, 200, 30, 12, 14),
    snap('2026-03-01T20:00:00Z', 2000, 150, 20, 10, 10),
    snap('2026-03-02T08:00:00Z', 2500, 160, 22, 10, 12),
    snap('2026-02-27T12:00:00Z', 1000, 100, 10, 5, 5),
    snap('2026-03-05T10:00:00Z', 6000, 400, 50, 20, 30),
    // same instant as the 22:00 one: the larger id is the later snapshot
    snap('2026-03-02T22:00:00Z', 3100, 201, 30, 12, 14, 9),
  ];
  const days = rollupDays(snapshots);

  it('folds snapshots in any order', () => {
    expect(days).toEqual([
      { day: '2026-02-27', open: k(1000, 100, 10, 5, 5), close: k(1000, 100, 10, 5, 5) },
      { day: '2026-03-01', open: k(2000, 150, 20, 10, 10), close: k(2000, 150, 20, 10, 10) },
      { day: '2026-03-02', open: k(2500, 160, 22, 10, 12), close: k(3100, 201, 30, 12, 14) },
      { day: '2026-03-05', open: k(6000, 400, 50, 20, 30), close: k(6000, 400, 50, 20, 30) },
    ]);
    expect(rollupDays([...snapshots].reverse())).toEqual(days);
  });

  it('a UTC day ends at midnight UTC', () => {
    expect(rollupDays([snap('2026-03-02T23:59:59.999Z', 1, 0, 0, 0, 0), snap('2026-03-03T00:00:00Z', 2, 0, 0, 0, 0)]).map((d) => d.day)).toEqual(['2026-03-02', '2026-03-03']);
  });

  it('carries the last value forward over missing days', () => {
    expect(valueOn(days, '2026-03-04')).toEqual(k(3100, 201, 30, 12, 14));
    expect(valueOn(days, '2026-02-26')).toBeNull();
    expect(valueOn(days, null)).toEqual(k(6000, 400, 50, 20, 30));
  });

  it('daily increments: first day close − open, then close − previous close; a gap lands on the next day with data', () => {
    expect(dailyIncrements(days)).toEqual([
      { day: '2026-02-27', delta: k(0, 0, 0, 0, 0) },
      { day: '2026-03-01', delta: k(1000, 50, 10, 5, 5) },
      { day: '2026-03-02', delta: k(1100, 51, 10, 2, 4) },
      { day: '2026-03-05', delta: k(2900, 199, 20, 8, 16) },
    ]);
  });

  it('weekly increments: sums per ISO week', () => {
    expect(weeklyIncrements(days)).toEqual([
      { week_start: '2026-02-23', delta: k(1000, 50, 10, 5, 5) },
      { week_start: '2026-03-02', delta: k(4000, 250, 30, 10, 20) },
    ]);
  });
});

describe('a video’s contribution to a range', () => {
  // tracked before the range
  const v1 = rollupDays([
    snap('2026-02-27T12:00:00Z', 1000, 100, 10, 5, 5),
    snap('2026-03-01T20:00:00Z', 2000, 150, 20, 10, 10),
    snap('2026-03-02T22:00:00Z', 3000, 200, 30, 12, 14),
    snap('2026-03-05T10:00:00Z', 6000, 400, 50, 20, 30),
  ]);
  // tracking started mid-range, at 50,000 views
  const v2 = rollupDays([snap('2026-03-04T10:00:00Z', 50000, 5000, 500, 100, 400), snap('2026-03-06T07:00:00Z', 52000, 5100, 520, 105, 415)]);

  it('totals: the value on `to`', () => {
    expect(contribution(v1, 'totals', '2026-03-02', '2026-03-08')).toEqual(k(6000, 400, 50, 20, 30));
    expect(contribution(v1, 'totals', null, '2026-03-03')).toEqual(k(3000, 200, 30, 12, 14));
  });

  it('increments: value on `to` minus the value at the start of the range', () => {
    expect(contribution(v1, 'increments', '2026-03-02', '2026-03-08')).toEqual(k(4000, 250, 30, 10, 20));
  });

  it('added mid-range: only the growth since tracking started (its first snapshot)', () => {
    expect(contribution(v2, 'increments', '2026-03-02', '2026-03-08')).toEqual(k(2000, 100, 20, 5, 15));
  });

  it('no `from`: since tracking started', () => {
    expect(contribution(v1, 'increments', null, null)).toEqual(k(5000, 300, 40, 15, 25));
  });

  it('no snapshot on or before `to`: no contribution', () => {
    expect(contribution(v2, 'increments', '2026-03-01', '2026-03-03')).toBeNull();
    expect(contribution(v2, 'totals', null, '2026-03-03')).toBeNull();
  });

  it('equals the sum of the daily increments of the range', () => {
    for (const days of [v1, v2]) {
      const sum = dailyIncrements(days).filter((d) => d.day >= '2026-03-02' && d.day <= '2026-03-08').reduce((a, d) => a + d.delta.views, 0);
      expect(contribution(days, 'increments', '2026-03-02', '2026-03-08')!.views).toBe(sum);
    }
  });
});
