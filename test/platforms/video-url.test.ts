import { describe, expect, it } from 'vitest';
import { parseVideoUrl } from '../../src/platforms';

const TT = '7301234567890123456';
const YT = 'dQw4w9WgXcQ';

describe('parseVideoUrl: TikTok', () => {
  it.each([
    [`https://www.tiktok.com/@creator/video/${TT}`, `https://www.tiktok.com/@creator/video/${TT}`],
    [`https://www.tiktok.com/@creator/video/${TT}?is_from_webapp=1&sender_device=pc`, `https://www.tiktok.com/@creator/video/${TT}`],
    [`https://www.tiktok.com/@some.user_1/video/${TT}/`, `https://www.tiktok.com/@some.user_1/video/${TT}`],
    [`http://tiktok.com/@creator/video/${TT}#comments`, `https://www.tiktok.com/@creator/video/${TT}`],
    [`https://m.tiktok.com/v/${TT}.html`, `https://m.tiktok.com/v/${TT}.html`],
    [`https://m.tiktok.com/v/${TT}.html?u_code=abc&share_item_id=1`, `https://m.tiktok.com/v/${TT}.html`],
    [`https://www.tiktok.com/embed/v2/${TT}`, `https://m.tiktok.com/v/${TT}.html`],
    [`www.tiktok.com/@creator/video/${TT}`, `https://www.tiktok.com/@creator/video/${TT}`],
    [`  https://www.tiktok.com/@creator/video/${TT}  `, `https://www.tiktok.com/@creator/video/${TT}`],
  ])('%s', (input, canonicalUrl) => {
    expect(parseVideoUrl(input)).toEqual({ ok: true, platform: 'TikTok', externalVideoId: TT, canonicalUrl });
  });

  it.each(['https://vm.tiktok.com/ZMabcdEF/', 'https://vt.tiktok.com/ZSxyz123/', 'https://www.tiktok.com/t/ZTRabc123/'])('refuses the short link %s: it must be expanded', (input) => {
    const res = parseVideoUrl(input);
    expect(res.ok).toBe(false);
    if (!res.ok) expect(res.reason).toMatch(/short link.*expanded/i);
  });

  it.each([
    ['https://www.tiktok.com/@creator', /profile link/],
    ['https://www.tiktok.com/@creator/video/', /no video id/],
    ['https://www.tiktok.com/@creator/video/abc123', /not a TikTok video id/],
    ['https://www.tiktok.com/@creator/video/123', /not a TikTok video id/],
    [`https://www.tiktok.com/@creator/photo/${TT}`, /photo/],
    ['https://m.tiktok.com/v/.html', /not a TikTok video id|no video id/],
    ['https://www.tiktok.com/explore', /no video id/],
  ])('refuses %s', (input, reason) => {
    const res = parseVideoUrl(input);
    expect(res).toMatchObject({ ok: false });
    if (!res.ok) expect(res.reason).toMatch(reason);
  });
});

describe('parseVideoUrl: Instagram', () => {
  it.each([
    ['https://www.instagram.com/reel/CowkyywjSZQ/', 'CowkyywjSZQ', '3040091568624969296'],
    ['https://www.instagram.com/reel/CowkyywjSZQ', 'CowkyywjSZQ', '3040091568624969296'],
    ['https://instagram.com/reels/CowkyywjSZQ/?igsh=MTc4MmM1YmI2Ng==', 'CowkyywjSZQ', '3040091568624969296'],
    ['https://www.instagram.com/p/CqIbCzYMi5C/?utm_source=ig_web_copy_link', 'CqIbCzYMi5C', '3064818486287150658'],
    ['https://www.instagram.com/tv/CqIbCzYMi5C/', 'CqIbCzYMi5C', '3064818486287150658'],
    ['https://www.instagram.com/some.creator/reel/CowkyywjSZQ/', 'CowkyywjSZQ', '3040091568624969296'],
    ['http://m.instagram.com/p/CowkyywjSZQ', 'CowkyywjSZQ', '3040091568624969296'],
    ['instagram.com/reel/CowkyywjSZQ/', 'CowkyywjSZQ', '3040091568624969296'],
  ])('%s', (input, code, id) => {
    expect(parseVideoUrl(input)).toEqual({ ok: true, platform: 'Instagram', externalVideoId: id, canonicalUrl: `https://www.instagram.com/reel/${code}/` });
  });

  it.each([
    ['https://www.instagram.com/nasa/', /profile link/],
    ['https://www.instagram.com/reel/', /no shortcode/],
    ['https://www.instagram.com/p/abc!def/', /not an Instagram post shortcode/],
    ['https://www.instagram.com/p/Cowk/', /not an Instagram post shortcode/],
    ['https://www.instagram.com/p/CowkyywjSZQxxxxxxxxxxxxxxxxxxxxx/', /not an Instagram post shortcode/],
    ['https://www.instagram.com/stories/nasa/3040091568624969296/', /stories/],
    ['https://www.instagram.com/explore/tags/cats/', /not an Instagram post link/],
  ])('refuses %s', (input, reason) => {
    const res = parseVideoUrl(input);
    expect(res).toMatchObject({ ok: false });
    if (!res.ok) expect(res.reason).toMatch(reason);
  });
});

describe('parseVideoUrl: YouTube', () => {
  it.each([
    `https://www.youtube.com/watch?v=${YT}`,
    `https://www.youtube.com/watch?v=${YT}&t=42s&list=PLx0sYbCqOb8TBPRdmBHs5Iftvv9TPboYG&index=2`,
    `https://www.youtube.com/watch?feature=share&v=${YT}`,
    `https://youtube.com/watch?v=${YT}`,
    `http://m.youtube.com/watch?v=${YT}`,
    `https://music.youtube.com/watch?v=${YT}&si=abc`,
    `https://www.youtube.com/shorts/${YT}`,
    `https://youtube.com/shorts/${YT}?feature=share`,
    `https://youtu.be/${YT}`,
    `https://youtu.be/${YT}?si=Qx1&t=42`,
    `https://www.youtube.com/embed/${YT}?autoplay=1`,
    `https://www.youtube-nocookie.com/embed/${YT}`,
    `https://www.youtube.com/live/${YT}?si=xyz`,
    `https://www.youtube.com/v/${YT}`,
    `youtu.be/${YT}`,
  ])('%s', (input) => {
    expect(parseVideoUrl(input)).toEqual({ ok: true, platform: 'YouTube', externalVideoId: YT, canonicalUrl: `https://www.youtube.com/watch?v=${YT}` });
  });

  it.each([
    ['https://www.youtube.com/watch?v=short', /not a YouTube video id/],
    [`https://www.youtube.com/watch?v=${YT}x`, /not a YouTube video id/],
    ['https://www.youtube.com/watch', /no video id/],
    ['https://youtu.be/', /no video id/],
    ['https://www.youtube.com/shorts/', /no video id/],
    ['https://www.youtube.com/shorts/has%20space1', /not a YouTube video id/],
    ['https://www.youtube.com/@mkbhd', /channel link/],
    ['https://www.youtube.com/channel/UCBJycsmduvYEL83R_U4JriQ', /channel link/],
    ['https://www.youtube.com/playlist?list=PLx0sYbCqOb8TBPRdmBHs5Iftvv9TPboYG', /playlist link/],
    ['https://www.youtube.com/', /no video id/],
  ])('refuses %s', (input, reason) => {
    const res = parseVideoUrl(input);
    expect(res).toMatchObject({ ok: false });
    if (!res.ok) expect(res.reason).toMatch(reason);
  });
});

describe('parseVideoUrl: anything else', () => {
  it.each([
    ['', /no URL/],
    ['   ', /no URL/],
    ['not a url', /not a URL/],
    ['tiktok', /not a URL/],
    ['https://', /not a URL/],
    ['javascript:alert(1)', /only http\(s\)/],
    [`ftp://www.youtube.com/watch?v=${YT}`, /only http\(s\)/],
    [`file:///watch?v=${YT}`, /only http\(s\)/],
    ['https://vimeo.com/123456789', /unsupported site vimeo\.com/],
    [`https://example.com/@creator/video/${TT}`, /unsupported site/],
    [`https://nottiktok.com/@creator/video/${TT}`, /unsupported site/],
    [`https://tiktok.com.evil.example/@creator/video/${TT}`, /unsupported site/],
    [`https://www.youtube.com.evil.example/watch?v=${YT}`, /unsupported site/],
  ])('refuses %j with a reason', (input, reason) => {
    const res = parseVideoUrl(input);
    expect(res.ok).toBe(false);
    if (!res.ok) expect(res.reason).toMatch(reason);
  });
});
