import type { Change, ReportFigures, VideoLine } from './figures';

/** The digest as plain text (Telegram, email fallback) and as HTML (email body, the shared page). */

const n = (x: number) => x.toLocaleString('en-US');
const pct = (x: number | null) => (x === null ? 'n/a' : `${x > 0 ? '+' : ''}${x.toFixed(1)}%`);
const money = (x: number | null, currency: string | null) => (x === null ? 'n/a' : `${x.toFixed(2)}${currency ? ` ${currency}` : ''}`);

/** A creator handle with one '@' (YouTube handles are stored with theirs). */
const handle = (u: string) => (u.startsWith('@') ? u : `@${u}`);

export const reportSubject = (f: ReportFigures) => `${f.schedule.name}: ${f.period.start} – ${f.period.end}`;

function videoLine(v: VideoLine): string {
  return `${v.title ?? v.url} (${v.platform}${v.author ? `, ${handle(v.author)}` : ''}): +${n(v.increments.views)} views`;
}

export function digestText(f: ReportFigures, links: { reportUrl?: string | null; xlsxUrl?: string | null } = {}): string {
  const s = f.summary;
  const lines = [`${reportSubject(f)}`, `${f.organization.name} · ${s.campaigns} campaign(s), ${s.videos} video(s)`];
  if (f.contents.summary) {
    lines.push('', 'Growth in the period (vs the period before):');
    for (const k of ['views', 'likes', 'comments', 'reposts', 'saves', 'engagements'] as const) {
      lines.push(`  ${k}: +${n(s.increments[k])} (${pct(s.change_pct[k as keyof Change])})`);
    }
    lines.push(`Totals at the end: ${n(s.totals.views)} views, ${n(s.totals.engagements)} engagements`);
    if (s.budget !== null) lines.push(`Budget ${money(s.budget, s.currency)} · CPM ${money(s.metrics.cpm, s.currency)} · CPV ${money(s.metrics.cpv, s.currency)}`);
    if (s.metrics.engagement_rate !== null) lines.push(`Engagement rate ${(s.metrics.engagement_rate * 100).toFixed(2)}%`);
  }
  if (f.top_videos.length > 0) {
    lines.push('', `Top ${f.top_videos.length} videos by growth:`);
    f.top_videos.forEach((v, i) => lines.push(`  ${i + 1}. ${videoLine(v)}`));
  }
  if (f.contents.new_videos) {
    lines.push('', f.new_videos.length > 0 ? `New videos (${f.new_videos.length}):` : 'No new videos in the period.');
    for (const v of f.new_videos) lines.push(`  - ${videoLine(v)}`);
  }
  if (f.contents.bloggers && f.bloggers.length > 0) {
    lines.push('', 'Per blogger:');
    for (const b of f.bloggers) lines.push(`  ${b.username ? handle(b.username) : '(no blogger)'}: ${b.videos} video(s), +${n(b.increments.views)} views`);
  }
  if (links.reportUrl) lines.push('', `Report: ${links.reportUrl}`);
  if (links.xlsxUrl) lines.push(`Spreadsheet: ${links.xlsxUrl}`);
  return lines.join('\n');
}

const esc = (s: string) => s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);
/** Only http(s) links become hrefs (a video URL is user-supplied). */
const href = (url: string) => (/^https?:\/\//i.test(url) ? esc(url) : '#');

export function digestHtml(f: ReportFigures, links: { reportUrl?: string | null; xlsxUrl?: string | null } = {}): string {
  const s = f.summary;
  const parts = [`<h1>${esc(reportSubject(f))}</h1>`, `<p>${esc(f.organization.name)} · ${s.campaigns} campaign(s), ${s.videos} video(s)</p>`];
  if (f.contents.summary) {
    const rows = (['views', 'likes', 'comments', 'reposts', 'saves', 'engagements'] as const)
      .map((k) => `<tr><td>${k}</td><td>${n(s.increments[k])}</td><td>${n(s.previous_increments[k])}</td><td>${pct(s.change_pct[k])}</td><td>${n(s.totals[k])}</td></tr>`)
      .join('');
    parts.push(`<table><thead><tr><th></th><th>growth</th><th>previous period</th><th>change</th><th>total</th></tr></thead><tbody>${rows}</tbody></table>`);
    if (s.budget !== null) parts.push(`<p>Budget ${esc(money(s.budget, s.currency))} · CPM ${esc(money(s.metrics.cpm, s.currency))} · CPV ${esc(money(s.metrics.cpv, s.currency))}</p>`);
  }
  const list = (title: string, videos: VideoLine[]) =>
    `<h2>${esc(title)}</h2><ol>${videos.map((v) => `<li><a href="${href(v.url)}">${esc(v.title ?? v.url)}</a> (${esc(v.platform)}${v.author ? `, ${esc(handle(v.author))}` : ''}): +${n(v.increments.views)} views</li>`).join('')}</ol>`;
  if (f.top_videos.length > 0) parts.push(list(`Top ${f.top_videos.length} videos by growth`, f.top_videos));
  if (f.contents.new_videos) parts.push(f.new_videos.length > 0 ? list(`New videos (${f.new_videos.length})`, f.new_videos) : '<p>No new videos in the period.</p>');
  if (f.contents.bloggers && f.bloggers.length > 0) {
    parts.push(`<h2>Per blogger</h2><table><thead><tr><th>blogger</th><th>videos</th><th>views growth</th><th>views total</th></tr></thead><tbody>${f.bloggers
      .map((b) => `<tr><td>${b.username ? esc(handle(b.username)) : '(no blogger)'}</td><td>${b.videos}</td><td>${n(b.increments.views)}</td><td>${n(b.totals.views)}</td></tr>`)
      .join('')}</tbody></table>`);
  }
  if (links.xlsxUrl) parts.push(`<p><a href="${href(links.xlsxUrl)}">Download the spreadsheet (xlsx)</a></p>`);
  if (links.reportUrl) parts.push(`<p><a href="${href(links.reportUrl)}">Open the report</a></p>`);
  return parts.join('\n');
}
