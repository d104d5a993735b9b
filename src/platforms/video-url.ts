import { shortcodeToMediaId } from './instagram-shortcode';
import type { Platform } from './types';

export type ParsedVideoUrl =
  | { ok: true; platform: Platform; externalVideoId: string; canonicalUrl: string }
  | { ok: false; reason: string };

const fail = (reason: string): ParsedVideoUrl => ({ ok: false, reason });

/**
 * A pasted video URL → platform + the platform's video id + our canonical URL.
 * TikTok: /@user/video/<digits>, m.tiktok.com/v/<digits>.html. Instagram: /reel/, /reels/, /p/,
 * /tv/ + shortcode (id = numeric media pk). YouTube: watch?v=, /shorts/, youtu.be/, /embed/, /live/.
 */
export function parseVideoUrl(input: string): ParsedVideoUrl {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    return fail('not a URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return fail('only http(s) links are supported');
  const host = url.hostname.toLowerCase().replace(/^(www|m|mobile|music)\./, '');
  const parts = url.pathname.split('/').filter(Boolean);

  if (host === 'tiktok.com') {
    const videoAt = parts.indexOf('video');
    let id: string | undefined;
    if (videoAt >= 0 && parts[0]?.startsWith('@')) id = parts[videoAt + 1];
    else if (parts[0] === 'v') id = parts[1]?.replace(/\.html$/, '');
    if (!id || !/^\d{8,25}$/.test(id)) return fail('a TikTok link must look like https://www.tiktok.com/@user/video/<id>');
    const user = parts[0]?.startsWith('@') ? parts[0] : '@_';
    return { ok: true, platform: 'TikTok', externalVideoId: id, canonicalUrl: `https://www.tiktok.com/${user}/video/${id}` };
  }
  if (host === 'vm.tiktok.com' || host === 'vt.tiktok.com') {
    return fail('TikTok short links cannot be resolved: open the link and paste the full https://www.tiktok.com/@user/video/<id> URL');
  }
  if (host === 'instagram.com') {
    const kind = parts[0];
    const code = parts[1];
    if (!kind || !['reel', 'reels', 'p', 'tv'].includes(kind) || !code || !/^[A-Za-z0-9_-]{5,40}$/.test(code)) {
      return fail('an Instagram link must look like https://www.instagram.com/reel/<code>/ or /p/<code>/');
    }
    return { ok: true, platform: 'Instagram', externalVideoId: shortcodeToMediaId(code), canonicalUrl: `https://www.instagram.com/reel/${code}/` };
  }
  if (host === 'youtube.com' || host === 'youtu.be' || host === 'youtube-nocookie.com') {
    let id: string | null | undefined;
    if (host === 'youtu.be') id = parts[0];
    else if (parts[0] === 'watch') id = url.searchParams.get('v');
    else if (parts[0] && ['shorts', 'embed', 'live', 'v'].includes(parts[0])) id = parts[1];
    if (!id || !/^[A-Za-z0-9_-]{11}$/.test(id)) return fail('a YouTube link must carry an 11-character video id (watch?v=, /shorts/, youtu.be/)');
    return { ok: true, platform: 'YouTube', externalVideoId: id, canonicalUrl: `https://www.youtube.com/watch?v=${id}` };
  }
  return fail(`unsupported site ${url.hostname}: use a TikTok, Instagram or YouTube video link`);
}
