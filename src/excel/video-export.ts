import { budgetMetrics, engagements, type BudgetMetrics, type Counters } from '../domain/analytics';
import type { CampaignStats } from '../db/analytics';
import type { Cell, Column, CellStyle } from './xlsx-stream';

/** One exported video: what the API shows for it, plus notes, blogger and campaign names. */
export interface ExportVideo {
  video_url: string;
  platform: string;
  status: string;
  title: string | null;
  author_username: string | null;
  blogger: string | null;
  campaign: string | null;
  tags: string[];
  notes: string | null;
  published_at: Date | null;
  tracking_started_at: Date | null;
  budget: number | null;
  /** latest values (org export) or values at the end of the range (campaign export); null: no stats */
  totals: Counters | null;
  stats_updated_at: Date | null;
  /** growth over the range; null: no stats */
  increments: Counters | null;
  metrics: BudgetMetrics;
}

export const VIDEO_COLUMNS: (Column & { get: (v: ExportVideo) => Cell })[] = [
  { header: 'Video URL', width: 48, style: 'text', get: (v) => v.video_url },
  { header: 'Platform', width: 11, style: 'text', get: (v) => v.platform },
  { header: 'Status', width: 10, style: 'text', get: (v) => v.status },
  { header: 'Title', width: 40, style: 'text', get: (v) => v.title },
  { header: 'Author', width: 18, style: 'text', get: (v) => v.author_username },
  { header: 'Blogger', width: 18, style: 'text', get: (v) => v.blogger },
  { header: 'Campaign', width: 20, style: 'text', get: (v) => v.campaign },
  { header: 'Tags', width: 20, style: 'text', get: (v) => (v.tags.length ? v.tags.join(', ') : null) },
  { header: 'Notes', width: 30, style: 'text', get: (v) => v.notes },
  { header: 'Published', width: 12, style: 'date', get: (v) => v.published_at },
  { header: 'Tracking since', width: 17, style: 'datetime', get: (v) => v.tracking_started_at },
  { header: 'Budget', width: 12, style: 'decimal', get: (v) => v.budget },
  { header: 'Views', width: 13, style: 'integer', get: (v) => v.totals?.views },
  { header: 'Likes', width: 11, style: 'integer', get: (v) => v.totals?.likes },
  { header: 'Comments', width: 11, style: 'integer', get: (v) => v.totals?.comments },
  { header: 'Reposts', width: 11, style: 'integer', get: (v) => v.totals?.reposts },
  { header: 'Saves', width: 11, style: 'integer', get: (v) => v.totals?.saves },
  { header: 'Engagements', width: 13, style: 'integer', get: (v) => (v.totals ? engagements(v.totals) : null) },
  { header: 'Engagement rate', width: 12, style: 'percent', get: (v) => v.metrics.engagement_rate },
  { header: 'Stats updated', width: 17, style: 'datetime', get: (v) => v.stats_updated_at },
  { header: 'Views +', width: 12, style: 'integer', get: (v) => v.increments?.views },
  { header: 'Likes +', width: 11, style: 'integer', get: (v) => v.increments?.likes },
  { header: 'Comments +', width: 11, style: 'integer', get: (v) => v.increments?.comments },
  { header: 'Reposts +', width: 11, style: 'integer', get: (v) => v.increments?.reposts },
  { header: 'Saves +', width: 11, style: 'integer', get: (v) => v.increments?.saves },
  { header: 'CPM', width: 11, style: 'metric', get: (v) => v.metrics.cpm },
  { header: 'CPV', width: 11, style: 'metric', get: (v) => v.metrics.cpv },
  { header: 'CPE', width: 11, style: 'metric', get: (v) => v.metrics.cpe },
];

export const videoRow = (v: ExportVideo): Cell[] => VIDEO_COLUMNS.map((c) => c.get(v));

/** Sums of an export as it streams (the summary of an export that is not one campaign's). */
export class ExportTotals {
  videos = 0;
  withStats = 0;
  budget = 0;
  hasBudget = false;
  totals: Counters = { views: 0, likes: 0, comments: 0, reposts: 0, saves: 0 };
  increments: Counters = { views: 0, likes: 0, comments: 0, reposts: 0, saves: 0 };
  add(v: ExportVideo) {
    this.videos++;
    if (v.budget !== null) {
      this.budget += v.budget;
      this.hasBudget = true;
    }
    if (v.totals) {
      this.withStats++;
      for (const k of Object.keys(this.totals) as (keyof Counters)[]) this.totals[k] += v.totals[k];
    }
    if (v.increments) for (const k of Object.keys(this.increments) as (keyof Counters)[]) this.increments[k] += v.increments[k];
  }
}

const cell = (value: string | number | Date | null, style: CellStyle): Cell => ({ value, style });
export const SUMMARY_COLUMNS: Column[] = [
  { header: 'Metric', width: 26, style: 'text' },
  { header: 'Totals', width: 18, style: 'decimal' },
  { header: 'Increase in range', width: 18, style: 'decimal' },
];

function counterRows(totals: Counters, increments: Counters | null): Cell[][] {
  const rows: Cell[][] = (['views', 'likes', 'comments', 'reposts', 'saves'] as const).map((m) => [
    m[0]!.toUpperCase() + m.slice(1),
    cell(totals[m], 'integer'),
    increments ? cell(increments[m], 'integer') : null,
  ]);
  rows.push(['Engagements', cell(engagements(totals), 'integer'), increments ? cell(engagements(increments), 'integer') : null]);
  return rows;
}

function metricRows(t: BudgetMetrics, i: BudgetMetrics | null): Cell[][] {
  return [
    ['CPM', cell(t.cpm, 'metric'), cell(i?.cpm ?? null, 'metric')],
    ['CPV', cell(t.cpv, 'metric'), cell(i?.cpv ?? null, 'metric')],
    ['CPE', cell(t.cpe, 'metric'), cell(i?.cpe ?? null, 'metric')],
    ['Engagement rate', cell(t.engagement_rate, 'percent'), cell(i?.engagement_rate ?? null, 'percent')],
  ];
}

const day = (d: string | null) => (d === null ? null : new Date(`${d}T00:00:00Z`));

/** A campaign's summary: the numbers GET /campaigns/:id/stats answers, totals and increments. */
export function campaignSummaryRows(name: string, totals: CampaignStats, increments: CampaignStats): Cell[][] {
  return [
    ['Campaign', name, null],
    ['Currency', totals.currency, null],
    ['From', cell(day(totals.from), 'date'), null],
    ['To', cell(day(totals.to), 'date'), null],
    ['Videos', cell(totals.videos.count, 'integer'), null],
    ['Videos with stats', cell(totals.videos.with_stats, 'integer'), null],
    ...counterRows(totals.stats, increments.stats),
    ['Budget', cell(totals.budget.effective, 'decimal'), null],
    ['Budget source', totals.budget.source, null],
    ...metricRows(totals.metrics, increments.metrics),
  ];
}

/** The summary of an export across campaigns: sums of what was exported. */
export function exportSummaryRows(t: ExportTotals, filters: Record<string, string | undefined>): Cell[][] {
  const budget = t.hasBudget ? t.budget : null;
  return [
    ['Exported at', cell(new Date(), 'datetime'), null],
    ...Object.entries(filters).filter(([, v]) => v !== undefined).map(([k, v]): Cell[] => [`Filter: ${k}`, v!, null]),
    ['Videos', cell(t.videos, 'integer'), null],
    ['Videos with stats', cell(t.withStats, 'integer'), null],
    ...counterRows(t.totals, t.increments),
    ['Budget (sum of videos)', cell(budget, 'decimal'), null],
    ...metricRows(budgetMetrics(budget, t.totals), budgetMetrics(budget, t.increments)),
  ];
}
