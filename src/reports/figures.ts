import { campaignBloggers, campaignVideos, videoIncrements } from '../db/analytics';
import { campaignStats } from '../db/analytics-aggregate';
import type { Db } from '../db/client';
import { organizationName, scopeCampaigns, videosPublishedIn, type ReportContents, type ScheduleScope } from '../db/reports';
import { addCounters, budgetMetrics, engagements, METRICS, round6, zeroCounters, type BudgetMetrics, type Counters } from '../domain/analytics';
import type { Period } from './schedule-time';

/**
 * A report's figures, computed with the same analytics functions the campaign API answers with
 * (src/db/analytics.ts), so a digest's numbers equal GET /campaigns/:id/stats for the same days.
 * Periods are calendar days, read as the analytics' UTC days.
 */

type WithEngagements = Counters & { engagements: number };
const withEng = (c: Counters): WithEngagements => ({ ...c, engagements: engagements(c) });

/** Change from the previous period in %, per metric (null when the previous period had none). */
export type Change = Record<keyof WithEngagements, number | null>;

function change(current: WithEngagements, previous: WithEngagements): Change {
  const out = {} as Change;
  for (const k of [...METRICS, 'engagements'] as const) out[k] = previous[k] > 0 ? round6(((current[k] - previous[k]) / previous[k]) * 100) : null;
  return out;
}

export interface CampaignFigures {
  id: string;
  name: string;
  currency: string;
  videos: { count: number; with_stats: number };
  increments: WithEngagements;
  previous_increments: WithEngagements;
  change_pct: Change;
  totals: WithEngagements;
  budget: number | null;
  metrics: BudgetMetrics;
}

export interface VideoLine {
  id: string;
  campaign_id: string;
  campaign_name: string;
  platform: string;
  url: string;
  title: string | null;
  author: string | null;
  published_at: string | null;
  increments: WithEngagements;
  totals: WithEngagements;
}

export interface BloggerLine {
  blogger_id: string | null;
  username: string | null;
  platform: string | null;
  videos: number;
  increments: WithEngagements;
  totals: WithEngagements;
}

export interface ReportFigures {
  organization: { id: string; name: string };
  schedule: { id: string | null; name: string };
  period: Period;
  previous_period: Period;
  summary: {
    campaigns: number;
    videos: number;
    increments: WithEngagements;
    previous_increments: WithEngagements;
    change_pct: Change;
    totals: WithEngagements;
    /** budget metrics of the period's growth; null budget when campaigns mix currencies */
    currency: string | null;
    budget: number | null;
    metrics: BudgetMetrics;
  };
  campaigns: CampaignFigures[];
  top_videos: VideoLine[];
  new_videos: VideoLine[];
  bloggers: BloggerLine[];
  contents: ReportContents;
}

/** New videos listed per report (they are also in the xlsx). */
export const NEW_VIDEOS_MAX = 50;

export async function computeFigures(
  db: Db,
  input: { organizationId: string; schedule: { id: string | null; name: string; scope: ScheduleScope; contents: ReportContents }; period: Period; previous: Period },
): Promise<ReportFigures> {
  const { organizationId: org, period, previous, schedule } = input;
  const campaigns = await scopeCampaigns(db, org, schedule.scope);
  const perCampaign: CampaignFigures[] = [];
  let top: VideoLine[] = [];
  const bloggers = new Map<string, BloggerLine>();
  for (const c of campaigns) {
    const range = { from: period.start, to: period.end };
    const [inc, prev, tot] = await Promise.all([
      campaignStats(db, org, c.id, { mode: 'increments', ...range }),
      campaignStats(db, org, c.id, { mode: 'increments', from: previous.start, to: previous.end }),
      campaignStats(db, org, c.id, { mode: 'totals', ...range }),
    ]);
    if (!inc || !prev || !tot) continue; // deleted meanwhile
    perCampaign.push({
      id: c.id,
      name: c.name,
      currency: c.currency,
      videos: inc.videos,
      increments: inc.stats,
      previous_increments: prev.stats,
      change_pct: change(inc.stats, prev.stats),
      totals: tot.stats,
      budget: inc.budget.effective,
      metrics: inc.metrics,
    });
    if (schedule.contents.top_videos > 0) {
      const page = await campaignVideos(db, org, c.id, { mode: 'increments', ...range, sort: 'growth', order: 'desc', limit: schedule.contents.top_videos });
      for (const v of page?.rows ?? []) {
        if (!v.has_stats) continue;
        top.push({
          id: v.id, campaign_id: c.id, campaign_name: c.name, platform: v.platform, url: v.video_url, title: v.title, author: v.author_username,
          published_at: v.published_at ? new Date(v.published_at).toISOString() : null, increments: withEng(v.increments), totals: withEng(v.totals),
        });
      }
    }
    if (schedule.contents.bloggers) {
      const roll = await campaignBloggers(db, org, c.id, { mode: 'increments', ...range });
      for (const r of roll?.rows ?? []) {
        const key = r.blogger?.id ?? 'none';
        const line = bloggers.get(key) ?? { blogger_id: r.blogger?.id ?? null, username: r.blogger?.username ?? null, platform: r.blogger?.platform ?? null, videos: 0, increments: withEng(zeroCounters()), totals: withEng(zeroCounters()) };
        line.videos += r.videos.count;
        line.increments = withEng(addCounters(line.increments, r.increments));
        line.totals = withEng(addCounters(line.totals, r.totals));
        bloggers.set(key, line);
      }
    }
  }
  top = top.sort((a, b) => b.increments.views - a.increments.views || a.id.localeCompare(b.id)).slice(0, schedule.contents.top_videos);

  let newVideos: VideoLine[] = [];
  if (schedule.contents.new_videos) {
    const rows = await videosPublishedIn(db, org, perCampaign.map((c) => c.id), period.start, period.end, NEW_VIDEOS_MAX);
    const incs = await videoIncrements(db, org, rows.map((r) => r.id), { from: period.start, to: period.end });
    const names = new Map(perCampaign.map((c) => [c.id, c.name]));
    newVideos = rows.map((r) => {
      const i = incs.get(r.id);
      const growth = i ? { views: i.range.views, likes: i.range.likes, comments: i.range.comments, reposts: i.range.reposts, saves: i.range.saves } : zeroCounters();
      return {
        id: r.id, campaign_id: r.campaign_id, campaign_name: names.get(r.campaign_id) ?? '', platform: r.platform, url: r.video_url, title: r.title,
        author: r.author_username, published_at: new Date(r.published_at).toISOString(), increments: withEng(growth), totals: withEng(growth),
      };
    });
  }

  const sum = (pick: (c: CampaignFigures) => Counters) => withEng(perCampaign.reduce((acc, c) => addCounters(acc, pick(c)), zeroCounters()));
  const increments = sum((c) => c.increments);
  const previousIncrements = sum((c) => c.previous_increments);
  const currencies = new Set(perCampaign.map((c) => c.currency));
  const currency = currencies.size === 1 ? [...currencies][0]! : null;
  const budgets = perCampaign.map((c) => c.budget).filter((b): b is number => b !== null);
  const budget = currency !== null && budgets.length > 0 ? round6(budgets.reduce((a, b) => a + b, 0)) : null;
  return {
    organization: { id: org, name: (await organizationName(db, org)) ?? '' },
    schedule: { id: schedule.id, name: schedule.name },
    period,
    previous_period: previous,
    summary: {
      campaigns: perCampaign.length,
      videos: perCampaign.reduce((a, c) => a + c.videos.count, 0),
      increments,
      previous_increments: previousIncrements,
      change_pct: change(increments, previousIncrements),
      totals: sum((c) => c.totals),
      currency,
      budget,
      metrics: budgetMetrics(budget, increments),
    },
    campaigns: perCampaign,
    top_videos: top,
    new_videos: newVideos,
    bloggers: [...bloggers.values()].sort((a, b) => b.increments.views - a.increments.views),
    contents: schedule.contents,
  };
}
