import { describe, expect, it } from 'vitest';
import type { ReportFigures } from '../../src/reports/figures';
import { digestHtml, digestText } from '../../src/reports/render';

/** YouTube handles are stored with their '@' (the seed's "@RickAstleyYT"); the digest must not print "@@". */
const zero = { views: 0, likes: 0, comments: 0, reposts: 0, saves: 0, engagements: 0 };
const grew = { ...zero, views: 450_000 };
const figures = {
  organization: { id: 'o', name: 'Demo' },
  schedule: { id: 's', name: 'Weekly digest' },
  period: { start: '2026-11-26', end: '2026-12-02' },
  previous_period: { start: '2026-11-19', end: '2026-11-25' },
  summary: { campaigns: 1, videos: 2, increments: grew, previous_increments: zero, change_pct: {}, totals: grew, currency: null, budget: null, metrics: {} },
  campaigns: [],
  top_videos: [
    { id: 'v1', campaign_id: 'c', campaign_name: 'Launch week', platform: 'YouTube', url: 'https://www.youtube.com/watch?v=dQw4w9WgXcQ', title: 'Never Gonna Give You Up', author: '@RickAstleyYT', published_at: null, increments: grew, totals: grew },
    { id: 'v2', campaign_id: 'c', campaign_name: 'Launch week', platform: 'TikTok', url: 'https://www.tiktok.com/@demo_creator/video/1', title: 'Unboxing', author: 'demo_creator', published_at: null, increments: zero, totals: zero },
  ],
  new_videos: [],
  bloggers: [
    { blogger_id: 'b1', username: '@RickAstleyYT', platform: 'YouTube', videos: 1, increments: grew, totals: grew },
    { blogger_id: 'b2', username: 'demo_creator', platform: 'TikTok', videos: 1, increments: zero, totals: zero },
  ],
  contents: { summary: false, top_videos: 10, new_videos: false, bloggers: true, xlsx: 'none' },
} as unknown as ReportFigures;

describe('digest handles', () => {
  it('prints each creator handle with exactly one @, in the text and the HTML digest', () => {
    for (const out of [digestText(figures), digestHtml(figures)]) {
      expect(out).not.toContain('@@');
      expect(out).toContain('@RickAstleyYT');
      expect(out).toContain('@demo_creator');
    }
  });
});
