import ExcelJS from 'exceljs';
import { METRICS } from '../domain/analytics';
import type { ReportFigures, VideoLine } from './figures';

export const XLSX_CONTENT_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** The R2 key of a run's workbook: files live under their organization (as every other file). */
export const reportFileKey = (organizationId: string, runId: string) => `orgs/${organizationId}/reports/${runId}.xlsx`;

export const reportFileName = (f: ReportFigures) => `${f.schedule.name.replace(/[^A-Za-z0-9 _-]+/g, '').trim().replace(/\s+/g, '-') || 'report'}-${f.period.start}-${f.period.end}.xlsx`;

/**
 * Text a spreadsheet would run as a formula (=, +, -, @, tab, CR) is prefixed with an apostrophe
 * (OWASP ASVS 1.2.10): titles and usernames come from platforms and users.
 */
export const safeText = (s: string | null) => (s === null ? '' : /^[=+\-@\t\r]/.test(s) ? `'${s}` : s);

const COUNTER_COLUMNS = [...METRICS, 'engagements'] as const;

/** Sheets: Summary, Campaigns, Top videos, New videos, Bloggers (the contents the schedule asked for). */
export async function buildReportXlsx(f: ReportFigures): Promise<ArrayBuffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Influtics';
  const bold = (sheet: ExcelJS.Worksheet) => {
    sheet.getRow(1).font = { bold: true };
    sheet.views = [{ state: 'frozen', ySplit: 1 }];
  };

  const summary = wb.addWorksheet('Summary');
  summary.columns = [
    { header: 'metric', key: 'metric', width: 16 },
    { header: 'growth', key: 'growth', width: 14 },
    { header: 'previous period', key: 'previous', width: 16 },
    { header: 'change %', key: 'change', width: 12 },
    { header: 'total', key: 'total', width: 14 },
  ];
  for (const m of COUNTER_COLUMNS) {
    summary.addRow({ metric: m, growth: f.summary.increments[m], previous: f.summary.previous_increments[m], change: f.summary.change_pct[m], total: f.summary.totals[m] });
  }
  summary.addRow({});
  summary.addRow({ metric: 'period', growth: `${f.period.start} – ${f.period.end}` });
  summary.addRow({ metric: 'budget', growth: f.summary.budget, previous: f.summary.currency });
  summary.addRow({ metric: 'cpm', growth: f.summary.metrics.cpm });
  summary.addRow({ metric: 'cpv', growth: f.summary.metrics.cpv });
  summary.addRow({ metric: 'cpe', growth: f.summary.metrics.cpe });
  summary.addRow({ metric: 'engagement_rate', growth: f.summary.metrics.engagement_rate });
  bold(summary);

  const campaigns = wb.addWorksheet('Campaigns');
  campaigns.columns = [
    { header: 'campaign', key: 'name', width: 28 },
    { header: 'videos', key: 'videos', width: 8 },
    ...COUNTER_COLUMNS.map((m) => ({ header: `${m} growth`, key: `i_${m}`, width: 14 })),
    { header: 'views change %', key: 'change', width: 14 },
    { header: 'views total', key: 't_views', width: 14 },
    { header: 'budget', key: 'budget', width: 12 },
    { header: 'currency', key: 'currency', width: 9 },
    { header: 'cpm', key: 'cpm', width: 10 },
  ];
  for (const c of f.campaigns) {
    campaigns.addRow({
      name: safeText(c.name), videos: c.videos.count, ...Object.fromEntries(COUNTER_COLUMNS.map((m) => [`i_${m}`, c.increments[m]])),
      change: c.change_pct.views, t_views: c.totals.views, budget: c.budget, currency: c.currency, cpm: c.metrics.cpm,
    });
  }
  bold(campaigns);

  const videoSheet = (name: string, rows: VideoLine[]) => {
    const sheet = wb.addWorksheet(name);
    sheet.columns = [
      { header: 'title', key: 'title', width: 40 },
      { header: 'platform', key: 'platform', width: 10 },
      { header: 'author', key: 'author', width: 18 },
      { header: 'campaign', key: 'campaign', width: 24 },
      { header: 'published', key: 'published', width: 22 },
      ...COUNTER_COLUMNS.map((m) => ({ header: `${m} growth`, key: `i_${m}`, width: 14 })),
      { header: 'views total', key: 't_views', width: 14 },
      { header: 'url', key: 'url', width: 50 },
    ];
    for (const v of rows) {
      sheet.addRow({
        title: safeText(v.title), platform: v.platform, author: safeText(v.author), campaign: safeText(v.campaign_name), published: v.published_at ?? '',
        ...Object.fromEntries(COUNTER_COLUMNS.map((m) => [`i_${m}`, v.increments[m]])), t_views: v.totals.views, url: safeText(v.url),
      });
    }
    bold(sheet);
  };
  if (f.contents.top_videos > 0) videoSheet('Top videos', f.top_videos);
  if (f.contents.new_videos) videoSheet('New videos', f.new_videos);

  if (f.contents.bloggers) {
    const sheet = wb.addWorksheet('Bloggers');
    sheet.columns = [
      { header: 'blogger', key: 'username', width: 24 },
      { header: 'platform', key: 'platform', width: 10 },
      { header: 'videos', key: 'videos', width: 8 },
      ...COUNTER_COLUMNS.map((m) => ({ header: `${m} growth`, key: `i_${m}`, width: 14 })),
      { header: 'views total', key: 't_views', width: 14 },
    ];
    for (const b of f.bloggers) {
      sheet.addRow({ username: b.username ? safeText(b.username) : '(no blogger)', platform: b.platform ?? '', videos: b.videos, ...Object.fromEntries(COUNTER_COLUMNS.map((m) => [`i_${m}`, b.increments[m]])), t_views: b.totals.views });
    }
    bold(sheet);
  }
  return (await wb.xlsx.writeBuffer()) as ArrayBuffer;
}
