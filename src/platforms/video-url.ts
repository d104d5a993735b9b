import { shortcodeToMediaId } from './instagram-shortcode';
import type { Platform } from './types';

export type ParsedVideoUrl =
  | { ok: true; platform: Platform; externalVideoId: string; canonicalUrl: string }
  | { ok: false; reason: string };

const fail = (reason: string): ParsedVideoUrl => ({ ok: false, reason });

const TIKTOK_ID = /^\d{10,20}$/;
const YOUTUBE_ID = /^[A-Za-z0-9_-]{11}$/;
const INSTAGRAM_CODE = /^[A-Za-z0-9_-]{5,12}$/;
const INSTAGRAM_KINDS = new Set(['reel', 'reels', 'p', 'tv']);

/** Our canonical TikTok video URL (TikTok redirects `/@user/video/<id>` to the video whoever `user` is). */
export function tiktokVideoUrl(id: string, handle: string | null | undefined): string {
  return handle ? `https://www.tiktok.com/@${handle}/video/${id}` : `https://m.tiktok.com/v/${id}.html`;
}

export const instagramReelUrl = (code: string) => `https://www.instagram.com/reel/${code}/`;
export const youtubeVideoUrl = (id: string) => `https://www.youtube.com/watch?v=${id}`;

/**
 * A pasted video URL → platform, the platform's video id, and our canonical URL.
 *   TikTok     www/m.tiktok.com/@user/video/<digits>, m.tiktok.com/v/<digits>.html, /embed/v2/<digits>
 *              (vm./vt.tiktok.com and tiktok.com/t/ short links are refused: they must be expanded)
 *   Instagram  instagram.com[/<user>]/reel|reels|p|tv/<shortcode> → id = numeric media pk
 *   YouTube    watch?v=<id>, /shorts/<id>, /live/<id>, /embed/<id>, /v/<id>, youtu.be/<id>
 *              on www., m., music. and youtube-nocookie.com
 * Query strings, fragments and trailing slashes are ignored; a link without `https://` is accepted.
 */
export function parseVideoUrl(input: string): ParsedVideoUrl {
  if (typeof input !== 'string' || !input.trim()) return fail('no URL given');
  let text = input.trim();
  // "www.tiktok.com/@a/video/1" pasted without a scheme
  if (!/^[a-z][a-z0-9+.-]*:/i.test(text) && /^[\w-]+(\.[\w-]+)+(\/|$)/.test(text)) text = `https://${text}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return fail('not a URL: paste the full link of a TikTok, Instagram or YouTube video');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return fail(`only http(s) links are supported, not ${url.protocol}`);
  const hostname = url.hostname.toLowerCase();
  const host = hostname.replace(/^(www|m|mobile|music)\./, '');
  const parts = url.pathname.split('/').filter(Boolean);

  if (host === 'vm.tiktok.com' || host === 'vt.tiktok.com' || (host === 'tiktok.com' && parts[0] === 't')) {
    return fail('TikTok short links (vm.tiktok.com, vt.tiktok.com, tiktok.com/t/…) must be expanded: open the link and paste the full https://www.tiktok.com/@user/video/<id> address');
  }
  if (host === 'tiktok.com') return parseTikTok(parts);
  if (host === 'instagram.com' || host === 'instagr.am') return parseInstagram(parts);
  if (host === 'youtube.com' || host === 'youtu.be' || host === 'youtube-nocookie.com') return parseYouTube(host, parts, url.searchParams);
  return fail(`unsupported site ${hostname}: use a TikTok, Instagram or YouTube video link`);
}

function parseTikTok(parts: string[]): ParsedVideoUrl {
  const expected = 'a TikTok video link looks like https://www.tiktok.com/@user/video/<numeric id>';
  let id: string | undefined;
  let handle: string | null = null;
  const [first, second, third] = parts;
  if (first?.startsWith('@')) {
    if (second === 'photo') return fail('TikTok photo posts are not videos');
    if (second !== 'video') return fail(`this is a TikTok profile link, not a video: ${expected}`);
    id = third;
    handle = decodeURIComponent(first.slice(1)) || null;
  } else if (first === 'v') {
    id = second?.replace(/\.html$/, '');
  } else if (first === 'embed') {
    id = second === 'v2' ? third : second;
  } else if (first === 'video') {
    id = second;
  }
  if (!id) return fail(`no video id in the link: ${expected}`);
  if (!TIKTOK_ID.test(id)) return fail(`'${id}' is not a TikTok video id (10–20 digits): ${expected}`);
  return { ok: true, platform: 'TikTok', externalVideoId: id, canonicalUrl: tiktokVideoUrl(id, handle) };
}

function parseInstagram(parts: string[]): ParsedVideoUrl {
  const expected = 'an Instagram link looks like https://www.instagram.com/reel/<code>/ or /p/<code>/';
  // /reel/<code> or /<user>/reel/<code>
  const at = INSTAGRAM_KINDS.has(parts[0] ?? '') ? 0 : INSTAGRAM_KINDS.has(parts[1] ?? '') ? 1 : -1;
  if (at < 0) {
    if (parts[0] === 'stories') return fail('Instagram stories cannot be tracked: use a reel or post link');
    if (parts.length === 1) return fail(`this is an Instagram profile link, not a video: ${expected}`);
    return fail(`not an Instagram post link: ${expected}`);
  }
  const code = parts[at + 1];
  if (!code) return fail(`no shortcode in the link: ${expected}`);
  if (!INSTAGRAM_CODE.test(code)) return fail(`'${code}' is not an Instagram post shortcode (5–12 letters, digits, - or _): ${expected}`);
  return { ok: true, platform: 'Instagram', externalVideoId: shortcodeToMediaId(code), canonicalUrl: instagramReelUrl(code) };
}

function parseYouTube(host: string, parts: string[], query: URLSearchParams): ParsedVideoUrl {
  const expected = 'a YouTube link looks like https://www.youtube.com/watch?v=<11-character id>, /shorts/<id> or https://youtu.be/<id>';
  let id: string | null | undefined;
  const [first, second] = parts;
  if (host === 'youtu.be') id = first;
  else if (first === 'watch') id = query.get('v') ?? second;
  else if (first && ['shorts', 'embed', 'live', 'v', 'e'].includes(first)) id = second;
  else if (first?.startsWith('@') || first === 'channel' || first === 'c' || first === 'user') return fail(`this is a YouTube channel link, not a video: ${expected}`);
  else if (first === 'playlist') return fail(`this is a YouTube playlist link, not a video: ${expected}`);
  if (!id) return fail(`no video id in the link: ${expected}`);
  if (!YOUTUBE_ID.test(id)) return fail(`'${id}' is not a YouTube video id (11 letters, digits, - or _): ${expected}`);
  return { ok: true, platform: 'YouTube', externalVideoId: id, canonicalUrl: youtubeVideoUrl(id) };
}
