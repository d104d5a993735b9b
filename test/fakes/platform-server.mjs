// Fake TikTok (tiktok-scraper7, tikwm format), Instagram (instagram-scraper-api2) and YouTube Data
// API v3 servers speaking their real wire formats (see shared/PLATFORM_APIS.md), with deterministic
// data whose counts grow over time, and a control API for fault injection. Plain Node, no deps.
//
//   node test/fakes/platform-server.mjs --port 8790        (prints its URL)
//   import { startFakePlatforms } from './platform-server.mjs'
//
// Routes (prefix /tiktok, /instagram, /youtube/v3):
//   TikTok     GET /tiktok/user/info?unique_id=            {"code":0,"msg":"success","data":{"user":{…},"stats":{…}}}
//              GET /tiktok/user/posts?user_id=|unique_id=&count=&cursor=   data{videos[],cursor,hasMore}
//              GET /tiktok/?url=<video url or id>           data{id,title,cover,play_count,…,author{…}}
//              failures are HTTP 200 with code -1: "user not exist", "This account is private",
//              "Url parsing is failed! Please check url." (deleted video)
//   Instagram  GET /instagram/v1/info?username_or_id_or_url=
//              GET /instagram/v1/reels?username_or_id_or_url=&pagination_token=
//              GET /instagram/v1/post_info?code_or_id_or_url=<code|id|url> →
//                {"data":{"code","id","taken_at","like_count","comment_count","play_count","ig_play_count",
//                 "share_count"?,"save_count"?,"caption":{"text"},"image_versions"?|"thumbnail_url"?,"user":{"id","username"}}}
//              unknown profile / deleted post: 404 {"detail":"Not found"}; reels of a private
//              account: 400 {"detail":"This account is private"} (the fake's convention)
//   YouTube    GET /youtube/v3/channels?part=&forHandle=@x|id=UC…|forUsername=&key=
//              GET /youtube/v3/playlistItems?part=contentDetails&playlistId=UU…&maxResults=&pageToken=&key=
//              GET /youtube/v3/videos?part=&id=a,b,c&key=   (> 50 ids → 400; deleted ids silently dropped)
//   RapidAPI routes need an X-RapidAPI-Key header (else 401) and answer x-ratelimit-requests-* headers;
//   YouTube routes need key= (else 403).
//
// Data rules: every handle exists with 120 videos (newest first) derived from a hash of the handle;
// handles starting with `unknown` do not exist (each platform's not-found shape); handles starting
// with `private` are private accounts; video ids containing `deleted` (or marked through
// /__control/deleted) are gone. Stats derive from a hash of the video id and grow with time
// (views = base + rate × minutes since 2026-01-01, on the fake's clock). Documented variants are
// served deterministically: TikTok counts as strings for some videos, Instagram items without
// `code` (every 7th reel), post_info without share/save counts or with string counts, YouTube
// without likeCount / commentCount for some ids and without `items` when nothing matched.
//
// Control API (JSON):
//   POST /__control/reset                       faults, deleted, private, pinned stats, clock, call log
//   POST /__control/faults   {platform: tiktok|instagram|youtube|*, path?: substring of path+query,
//                             kind: rate_limit_second|rate_limit_monthly|server_error|slow|unauthorized|
//                                   not_subscribed|youtube_quota, times?: n (default forever), delayMs?}
//                            faults are consumed in the order they were added ("fail twice then succeed")
//   GET  /__control/faults                      the faults still armed
//   POST /__control/deleted  {ids:[…]}          these video ids are gone
//   POST /__control/private  {handles:[…]}      these handles are private accounts
//   POST /__control/stats    {id, views, likes, comments, reposts, saves}   pin a video's stats
//   POST /__control/clock    {advanceMs} | {offsetMs}                       move the fake's clock
//   GET  /__control/calls                       [{method, platform, path, query, at, fault?}]
//   POST /__control/chaos    {rate: 0..1, seed, kinds?: [rate_limit_second|server_error|gateway_timeout|reset|slow],
//                             except?: [substring of path+query], delayMs?}
//                            seeded probabilistic faults: each platform call not matching `except` fails with
//                            probability `rate`, its kind drawn from `kinds` (default: a mix of per-second 429s
//                            with Retry-After, 502/503s, 504s and dropped connections). The draw is a hash of
//                            (seed, the call's path+query, how many times that exact call was made), so the
//                            n-th attempt of a given call meets the same fault whatever order concurrent
//                            callers arrive in. rate 0 turns it off; reset clears it.
//   GET  /__control/chaos                       {rate, seed, calls, injected: {kind: n}}
import http from 'node:http';
import { createHash } from 'node:crypto';
import { closeServer, readBody, sendJson } from './http.mjs';

export const VIDEOS_PER_USER = 120;
const EPOCH = Date.UTC(2026, 0, 1);
const B64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const RATE_LIMIT = 500_000;

export const RAPIDAPI_MESSAGES = {
  perSecond: 'You have exceeded the rate limit per second for your plan, BASIC, by the API provider',
  monthly: 'You have exceeded the MONTHLY quota for Requests on your current plan, BASIC. Upgrade your plan at https://rapidapi.com/tikwm-tikwm-default/api/tiktok-scraper7',
  notSubscribed: 'You are not subscribed to this API.',
  invalidKey: 'Invalid API key. Go to https://docs.rapidapi.com/docs/keys for more info.',
};

export const CHAOS_KINDS = ['rate_limit_second', 'server_error', 'gateway_timeout', 'reset', 'slow'];
const DEFAULT_CHAOS_KINDS = ['rate_limit_second', 'server_error', 'gateway_timeout', 'reset'];

/** mulberry32: a tiny seeded PRNG, so a chaos run is reproducible from its seed. */
function seededRandom(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const FAULT_KINDS = ['rate_limit_second', 'rate_limit_monthly', 'server_error', 'slow', 'unauthorized', 'not_subscribed', 'youtube_quota'];
const PLATFORMS = ['tiktok', 'instagram', 'youtube'];

const hash = (s) => createHash('sha256').update(String(s)).digest();
const hashInt = (s, mod) => Number(hash(s).readBigUInt64BE(0) % BigInt(mod));
const digits = (s, n) => {
  const h = hash(s);
  let out = String((h[0] % 9) + 1);
  for (let i = 1; out.length < n; i++) out += String(h[i % h.length] % 10);
  return out;
};
const fromAlphabet = (s, n) => {
  const h = hash(s);
  let out = '';
  for (let i = 0; i < n; i++) out += B64_ALPHABET[h[i % h.length] % 64];
  return out;
};

export function mediaIdToShortcode(id) {
  let pk = BigInt(String(id).split('_')[0]);
  let code = '';
  while (pk > 0n) {
    code = B64_ALPHABET[Number(pk % 64n)] + code;
    pk /= 64n;
  }
  return code || 'A';
}
export function shortcodeToMediaId(code) {
  let pk = 0n;
  for (const ch of code) pk = pk * 64n + BigInt(B64_ALPHABET.indexOf(ch));
  return pk.toString();
}

/**
 * The unpinned stats the fake serves for a video id at a time (ms): views grow linearly from a
 * hashed base at a hashed rate of 1-20 views a minute. Exported so a benchmark can seed a history
 * that the fake's next answer continues (otherwise every video looks like it jumped overnight).
 */
export function fakeStatsAt(id, atMs) {
  const p = fakeVideoParams(id);
  const views = p.base + p.rate * Math.max(0, Math.floor((atMs - p.epochMs) / 60_000));
  return { views, likes: Math.floor(views / p.likesDiv), comments: Math.floor(views / p.commentsDiv), reposts: Math.floor(views / p.repostsDiv), saves: Math.floor(views / p.savesDiv) };
}

/** The constants behind fakeStatsAt for one video id (views = base + rate × minutes since epochMs). */
export function fakeVideoParams(id) {
  return {
    epochMs: EPOCH,
    base: 1_000 + hashInt(`${id}:base`, 500_000),
    rate: 1 + hashInt(`${id}:rate`, 20),
    likesDiv: 15 + hashInt(`${id}:l`, 20),
    commentsDiv: 200 + hashInt(`${id}:c`, 300),
    repostsDiv: 300 + hashInt(`${id}:r`, 500),
    savesDiv: 250 + hashInt(`${id}:s`, 400),
  };
}

export async function startFakePlatforms({ port = 0, host = '127.0.0.1' } = {}) {
  const state = {
    faults: [],
    deleted: new Set(),
    private: new Set(),
    pinned: new Map(),
    calls: [],
    clockOffsetMs: 0,
    used: { tiktok: 0, instagram: 0, youtube: 0 },
    /** seeded probabilistic faults (POST /__control/chaos), or null */
    chaos: null,
  };
  const now = () => Date.now() + state.clockOffsetMs;

  /** Stats of a video id: pinned by a test, else from a hash of the id, growing with the fake's clock. */
  function statsFor(id) {
    const pinned = state.pinned.get(String(id));
    if (pinned) return pinned;
    return fakeStatsAt(id, now());
  }
  const isDeleted = (id) => String(id).includes('deleted') || state.deleted.has(String(id));
  const isPrivate = (handle) => handle != null && (String(handle).toLowerCase().startsWith('private') || state.private.has(String(handle)));
  const isUnknown = (handle) => String(handle).toLowerCase().startsWith('unknown');
  /** Video `index` of a profile was published `index + 1` days before the epoch (newest first). */
  const publishedAt = (id, index = 0) => EPOCH - (index + 1) * 86_400_000 - hashInt(`${id}:t`, 43_200_000);

  // ---------- TikTok (tiktok-scraper7, tikwm format) ----------
  const ttUsersById = new Map();
  const ttUser = (handle) => {
    const u = { id: digits(`tt-user:${handle}`, 19), handle };
    ttUsersById.set(u.id, u);
    return u;
  };
  const ttVideoId = (userId, i) => `7${digits(`tt-video:${userId}:${i}`, 18)}`;
  const ttFail = (res, msg) => json(res, 200, { code: -1, msg, processed_time: 0.1 });
  function ttVideo(id, author, index = 0) {
    const s = statsFor(id);
    // counts as numbers, except some videos serve them as numeric strings (a documented variant)
    const asString = hashInt(`${id}:strings`, 4) === 0;
    const n = (v) => (asString ? String(v) : v);
    return {
      aweme_id: `v12044gd0000${fromAlphabet(`aweme:${id}`, 20).toLowerCase()}`,
      video_id: id,
      region: 'US',
      title: `Video ${id.slice(-4)} #fyp`,
      cover: `https://p16-sign-va.tiktokcdn.com/obj/${id}~tplv-cover.jpeg`,
      origin_cover: `https://p16-sign-va.tiktokcdn.com/obj/${id}~tplv-origin.jpeg`,
      duration: 10 + hashInt(id, 50),
      play_count: n(s.views),
      digg_count: n(s.likes),
      comment_count: n(s.comments),
      share_count: n(s.reposts),
      download_count: 0,
      collect_count: n(s.saves),
      create_time: Math.floor(publishedAt(id, index) / 1000),
      is_top: 0,
      music_info: { id: digits(`music:${id}`, 19), title: 'original sound', author: author.handle },
      author: { id: author.id, unique_id: author.handle, nickname: author.handle, avatar: `https://p16-sign-va.tiktokcdn.com/avatar/${author.id}.jpeg` },
    };
  }
  function tiktok(path, q, res) {
    if (path === '/user/info') {
      const handle = String(q.unique_id ?? '').replace(/^@/, '');
      if (!handle || isUnknown(handle)) return ttFail(res, 'user not exist');
      const u = ttUser(handle);
      return json(res, 200, {
        code: 0,
        msg: 'success',
        processed_time: 0.2,
        data: {
          user: {
            id: u.id,
            uniqueId: handle,
            nickname: handle.replace(/_/g, ' '),
            avatarThumb: `https://p16-sign-va.tiktokcdn.com/avatar/${u.id}~100x100.jpeg`,
            secUid: `MS4wLjABAAAA${fromAlphabet(`sec:${handle}`, 52)}`,
            privateAccount: isPrivate(handle),
            verified: false,
          },
          stats: { followerCount: 1000 + hashInt(`f:${handle}`, 2_000_000), followingCount: 10, heartCount: 1_400_000, videoCount: VIDEOS_PER_USER },
        },
      });
    }
    if (path === '/user/posts') {
      const key = String(q.user_id ?? q.unique_id ?? '');
      if (!key || key.toLowerCase().includes('unknown')) return ttFail(res, 'user not exist');
      const user = ttUsersById.get(key) ?? (q.unique_id ? ttUser(key) : { id: key, handle: `user${key.slice(-6)}` });
      if (isPrivate(user.handle) || key.toLowerCase().includes('private')) return ttFail(res, 'This account is private');
      const size = Math.min(Math.max(1, Number(q.count ?? 35) || 35), 35);
      const offset = Math.max(0, Number(q.cursor ?? 0) || 0);
      const videos = [];
      for (let i = offset; i < Math.min(offset + size, VIDEOS_PER_USER); i++) videos.push(ttVideo(ttVideoId(user.id, i), user, i));
      const next = offset + videos.length;
      return json(res, 200, { code: 0, msg: 'success', processed_time: 0.3, data: { videos, cursor: String(next), hasMore: next < VIDEOS_PER_USER } });
    }
    if (path === '/' || path === '') {
      const raw = String(q.url ?? '').trim();
      const id = /(\d{10,})(?:\.html)?(?:[/?#]|$)/.exec(raw)?.[1] ?? raw;
      if (!raw || isDeleted(id) || (id === raw && isDeleted(raw))) return ttFail(res, 'Url parsing is failed! Please check url.');
      const handle = /@([^/?#]+)/.exec(raw)?.[1] ?? `author${id.slice(-4)}`;
      const v = ttVideo(id, { id: digits(`tt-user:${handle}`, 19), handle });
      return json(res, 200, { code: 0, msg: 'success', processed_time: 0.2, data: { ...v, id } });
    }
    return json(res, 404, { message: `Endpoint '${path}' does not exist` });
  }

  // ---------- Instagram (instagram-scraper-api2) ----------
  const igUsersByPk = new Map();
  const igUser = (handle) => {
    const u = { pk: digits(`ig-user:${handle}`, 11), handle };
    igUsersByPk.set(u.pk, u);
    return u;
  };
  const igMediaPk = (userPk, i) => `3${digits(`ig-media:${userPk}:${i}`, 18)}`;
  const igNotFound = (res) => json(res, 404, { detail: 'Not found' });
  function igReel(pk, user, index) {
    const s = statsFor(pk);
    const item = {
      id: `${pk}_${user.pk}`,
      pk,
      code: mediaIdToShortcode(pk),
      taken_at: Math.floor(publishedAt(pk, index) / 1000),
      media_type: 2,
      product_type: 'clips',
      like_count: s.likes,
      comment_count: s.comments,
      play_count: s.views,
      ig_play_count: s.views,
      reshare_count: s.reposts,
      save_count: s.saves,
      video_duration: 15.5,
      caption: index % 11 === 10 ? null : { text: `Reel ${pk.slice(-4)} #ugc` },
      image_versions: { items: [{ url: `https://scontent.cdninstagram.com/v/${pk}.jpg`, width: 640, height: 1136 }] },
      thumbnail_url: `https://scontent.cdninstagram.com/v/${pk}.jpg`,
      user: { id: user.pk, username: user.handle },
    };
    // every 7th item comes without `code` (a documented variant): its URL must come from the id
    if (index % 7 === 6) delete item.code;
    return item;
  }
  /** post_info in its documented shape, with its variants chosen from a hash of the pk. */
  function igPostInfo(pk) {
    const s = statsFor(pk);
    const variant = hashInt(`${pk}:variant`, 6);
    const n = (v) => (variant === 5 ? String(v) : v);
    const owner = { id: digits(`owner:${pk}`, 11), username: `creator${pk.slice(-4)}` };
    const data = {
      code: mediaIdToShortcode(pk),
      id: `${pk}_${owner.id}`,
      taken_at: Math.floor(publishedAt(pk) / 1000),
      media_type: 2,
      product_type: 'clips',
      like_count: n(s.likes),
      comment_count: n(s.comments),
      play_count: n(s.views),
      ig_play_count: n(s.views),
      caption: { text: `Reel ${pk.slice(-4)}` },
      user: owner,
    };
    if (variant !== 0 || state.pinned.has(pk)) {
      data.share_count = n(s.reposts);
      data.save_count = n(s.saves);
    }
    if (variant % 2 === 0) data.thumbnail_url = `https://scontent.cdninstagram.com/v/${pk}.jpg`;
    else data.image_versions = { items: [{ url: `https://scontent.cdninstagram.com/v/${pk}.jpg`, width: 640, height: 1136 }] };
    return data;
  }
  const igKey = (raw) =>
    String(raw ?? '')
      .trim()
      .replace(/^https?:\/\/(www\.)?instagram\.com\//, '')
      .replace(/^(reels?|p|tv)\//, '')
      .replace(/[/?#].*$/, '')
      .replace(/^@/, '');
  function instagram(path, q, res) {
    if (path === '/v1/info') {
      const handle = igKey(q.username_or_id_or_url);
      if (!handle || isUnknown(handle)) return igNotFound(res);
      const u = igUsersByPk.get(handle) ?? igUser(handle);
      return json(res, 200, {
        data: {
          id: u.pk,
          username: u.handle,
          full_name: u.handle.replace(/_/g, ' '),
          follower_count: 500 + hashInt(`f:${u.handle}`, 900_000),
          following_count: 100,
          media_count: VIDEOS_PER_USER,
          profile_pic_url: `https://scontent.cdninstagram.com/p/${u.pk}.jpg`,
          is_private: isPrivate(u.handle),
          is_verified: false,
        },
      });
    }
    if (path === '/v1/reels') {
      const key = igKey(q.username_or_id_or_url);
      if (!key || key.toLowerCase().includes('unknown')) return igNotFound(res);
      const user = igUsersByPk.get(key) ?? igUser(key);
      if (isPrivate(user.handle) || key.toLowerCase().includes('private')) return json(res, 400, { detail: 'This account is private' });
      let offset = 0;
      if (q.pagination_token) {
        offset = Number(Buffer.from(String(q.pagination_token), 'base64url').toString());
        if (!Number.isInteger(offset) || offset < 0) return json(res, 400, { detail: 'Invalid pagination_token' });
      }
      const items = [];
      for (let i = offset; i < Math.min(offset + 12, VIDEOS_PER_USER); i++) items.push(igReel(igMediaPk(user.pk, i), user, i));
      const next = offset + items.length;
      return json(res, 200, {
        data: { count: items.length, items, user: { id: user.pk, username: user.handle } },
        ...(next < VIDEOS_PER_USER ? { pagination_token: Buffer.from(String(next)).toString('base64url') } : {}),
      });
    }
    if (path === '/v1/post_info') {
      const key = igKey(q.code_or_id_or_url);
      if (!key || isDeleted(key)) return igNotFound(res);
      let pk;
      if (/^\d+(_\d+)?$/.test(key)) pk = key.split('_')[0];
      else if (/^[A-Za-z0-9_-]{1,12}$/.test(key)) pk = shortcodeToMediaId(key);
      else return igNotFound(res);
      if (isDeleted(pk)) return igNotFound(res);
      return json(res, 200, { data: igPostInfo(pk), status: 'ok' });
    }
    return json(res, 404, { message: `Endpoint '${path}' does not exist` });
  }

  // ---------- YouTube Data API v3 ----------
  const ytChannels = new Map(); // channel id → handle
  const ytChannelId = (handle) => `UC${fromAlphabet(`yt-channel:${String(handle).toLowerCase()}`, 22)}`;
  const ytVideoId = (channel, i) => fromAlphabet(`yt-video:${channel}:${i}`, 11);
  const ytError = (res, code, reason, message, domain = 'youtube.parameter') => json(res, code, { error: { code, message, errors: [{ message, domain, reason }] } });
  function youtube(path, q, res) {
    if (!q.key) {
      return ytError(res, 403, 'forbidden', "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.", 'global');
    }
    if (path === '/channels') {
      let id = null;
      let handle = null;
      if (q.id) {
        id = String(q.id).split(',')[0];
        handle = ytChannels.get(id) ?? null;
        if (!/^UC[\w-]{22}$/.test(id) || id.includes('unknown')) id = null;
      } else {
        handle = String(q.forHandle ?? q.forUsername ?? '').replace(/^@/, '');
        if (handle && !isUnknown(handle)) id = ytChannelId(handle);
      }
      if (!id) {
        // no such channel: 200 with no items, and the `items` key is sometimes absent altogether
        const omit = hashInt(`${q.forHandle ?? q.forUsername ?? q.id}:noitems`, 2) === 1;
        return json(res, 200, { kind: 'youtube#channelListResponse', etag: 'etag', pageInfo: { totalResults: 0, resultsPerPage: 5 }, ...(omit ? {} : { items: [] }) });
      }
      const h = handle || `channel${id.slice(-6)}`;
      ytChannels.set(id, h);
      return json(res, 200, {
        kind: 'youtube#channelListResponse',
        etag: 'etag',
        pageInfo: { totalResults: 1, resultsPerPage: 5 },
        items: [
          {
            kind: 'youtube#channel',
            etag: 'etag',
            id,
            snippet: {
              title: String(h).replace(/_/g, ' '),
              description: '',
              customUrl: `@${String(h).toLowerCase()}`,
              publishedAt: '2015-03-01T10:00:00Z',
              thumbnails: {
                default: { url: `https://yt3.ggpht.com/${id}=s88-c-k`, width: 88, height: 88 },
                medium: { url: `https://yt3.ggpht.com/${id}=s240-c-k`, width: 240, height: 240 },
                high: { url: `https://yt3.ggpht.com/${id}=s800-c-k`, width: 800, height: 800 },
              },
            },
            statistics: { viewCount: '129292', subscriberCount: String(100 + hashInt(`s:${id}`, 1_000_000)), hiddenSubscriberCount: false, videoCount: String(VIDEOS_PER_USER) },
            contentDetails: { relatedPlaylists: { likes: '', uploads: `UU${id.slice(2)}` } },
          },
        ],
      });
    }
    if (path === '/playlistItems') {
      const playlist = String(q.playlistId ?? '');
      if (!playlist.startsWith('UU') || playlist.toLowerCase().includes('unknown')) {
        return ytError(res, 404, 'playlistNotFound', "The playlist identified with the request's <code>playlistId</code> parameter cannot be found.");
      }
      const channel = `UC${playlist.slice(2)}`;
      const size = Math.min(Math.max(0, Number(q.maxResults ?? 5) || 5), 50);
      let offset = 0;
      if (q.pageToken) {
        offset = Number(Buffer.from(String(q.pageToken), 'base64url').toString());
        if (!Number.isInteger(offset) || offset < 0) return ytError(res, 400, 'invalidPageToken', 'The request specifies an invalid page token.');
      }
      const items = [];
      for (let i = offset; i < Math.min(offset + size, VIDEOS_PER_USER); i++) {
        const vid = ytVideoId(channel, i);
        items.push({ kind: 'youtube#playlistItem', etag: 'etag', id: `pli-${vid}`, contentDetails: { videoId: vid, videoPublishedAt: new Date(publishedAt(vid, i)).toISOString() } });
      }
      const next = offset + items.length;
      return json(res, 200, {
        kind: 'youtube#playlistItemListResponse',
        etag: 'etag',
        items,
        pageInfo: { totalResults: VIDEOS_PER_USER, resultsPerPage: size },
        ...(next < VIDEOS_PER_USER ? { nextPageToken: Buffer.from(String(next)).toString('base64url') } : {}),
      });
    }
    if (path === '/videos') {
      const ids = String(q.id ?? '').split(',').filter(Boolean);
      if (ids.length > 50) return ytError(res, 400, 'badRequest', 'The request specifies too many ids: at most 50 are allowed.');
      const items = ids
        .filter((id) => !isDeleted(id))
        .map((id) => {
          const s = statsFor(id);
          const statistics = { viewCount: String(s.views), likeCount: String(s.likes), favoriteCount: '0', commentCount: String(s.comments) };
          // some videos hide their likes or have comments off: the fields are then missing
          if (!state.pinned.has(id) && hashInt(`${id}:nolikes`, 5) === 0) delete statistics.likeCount;
          if (!state.pinned.has(id) && hashInt(`${id}:nocomments`, 7) === 0) delete statistics.commentCount;
          return {
            kind: 'youtube#video',
            etag: 'etag',
            id,
            snippet: {
              publishedAt: new Date(publishedAt(id)).toISOString(),
              channelId: `UC${fromAlphabet(`owner:${id}`, 22)}`,
              title: `Video ${id}`,
              channelTitle: `Channel ${id.slice(0, 4)}`,
              thumbnails: {
                default: { url: `https://i.ytimg.com/vi/${id}/default.jpg`, width: 120, height: 90 },
                high: { url: `https://i.ytimg.com/vi/${id}/hqdefault.jpg`, width: 480, height: 360 },
              },
            },
            statistics,
            contentDetails: { duration: 'PT3M21S', dimension: '2d', definition: 'hd' },
          };
        });
      // nothing matched: `items` is left out altogether (a documented variant)
      return json(res, 200, { kind: 'youtube#videoListResponse', etag: 'etag', ...(items.length ? { items } : {}), pageInfo: { totalResults: items.length, resultsPerPage: items.length } });
    }
    return ytError(res, 404, 'notFound', 'Not Found', 'global');
  }

  // ---------- faults ----------
  const rateHeaders = (platform, remaining) => ({
    'x-ratelimit-requests-limit': String(RATE_LIMIT),
    'x-ratelimit-requests-remaining': String(remaining ?? Math.max(0, RATE_LIMIT - state.used[platform])),
    'x-ratelimit-requests-reset': '86400',
  });
  /** The first armed fault matching this call, consumed; null when none applies. */
  function takeFault(platform, pathWithQuery) {
    const fault = state.faults.find((f) => (f.platform === '*' || f.platform === platform) && (!f.path || pathWithQuery.includes(f.path)) && f.remaining !== 0);
    if (!fault) return null;
    if (fault.remaining !== undefined) fault.remaining--;
    state.faults = state.faults.filter((f) => f.remaining !== 0);
    return fault;
  }
  /** A chaos fault for this call, drawn from the seeded generator; null when the call goes through. */
  function takeChaos(pathWithQuery) {
    const c = state.chaos;
    if (!c || c.except.some((e) => pathWithQuery.includes(e))) return null;
    c.calls++;
    const attempt = (c.attempts.get(pathWithQuery) ?? 0) + 1;
    c.attempts.set(pathWithQuery, attempt);
    const draw = seededRandom(hashInt(`${c.seed}:${pathWithQuery}:${attempt}`, 2 ** 32));
    const roll = draw();
    const pick = draw();
    if (roll >= c.rate) return null;
    const kind = c.kinds[Math.floor(pick * c.kinds.length)];
    c.injected[kind] = (c.injected[kind] ?? 0) + 1;
    return { kind, delayMs: c.delayMs };
  }

  /** Answers the fault in the platform's real shape; returns false when the call proceeds (slow). */
  function answerFault(platform, fault, res) {
    const yt = platform === 'youtube';
    switch (fault.kind) {
      case 'rate_limit_second':
        if (yt) return ytError(res, 429, 'rateLimitExceeded', 'The request was rate limited. Retry later.', 'youtube.quota'), true;
        return json(res, 429, { message: RAPIDAPI_MESSAGES.perSecond }, { ...rateHeaders(platform), 'retry-after': '1' }), true;
      case 'rate_limit_monthly':
        if (yt) return answerFault(platform, { kind: 'youtube_quota' }, res);
        return json(res, 429, { message: RAPIDAPI_MESSAGES.monthly }, rateHeaders(platform, 0)), true;
      case 'server_error':
        if (yt) return ytError(res, 503, 'backendError', 'Backend Error', 'global'), true;
        return json(res, 502, { messages: 'The API is unreachable, please contact the API provider', info: 'Your Client (working) ---> Gateway (working) ---> API (not working)' }), true;
      case 'unauthorized':
        if (yt) return ytError(res, 400, 'keyInvalid', 'API key not valid. Please pass a valid API key.', 'usageLimits'), true;
        return json(res, 401, { message: RAPIDAPI_MESSAGES.invalidKey }), true;
      case 'not_subscribed':
        if (yt) return ytError(res, 403, 'accessNotConfigured', 'YouTube Data API v3 has not been used in project 123456 before or it is disabled.', 'usageLimits'), true;
        return json(res, 403, { message: RAPIDAPI_MESSAGES.notSubscribed }), true;
      case 'gateway_timeout':
        if (yt) return ytError(res, 504, 'backendError', 'Deadline exceeded', 'global'), true;
        return json(res, 504, { messages: 'The API did not answer in time (gateway timeout)' }), true;
      case 'reset':
        res.socket?.destroy();
        return true;
      case 'youtube_quota':
        return ytError(res, 403, 'quotaExceeded', 'The request cannot be completed because you have exceeded your <a href="/youtube/v3/getting-started#quota">quota</a>.', 'youtube.quota'), true;
      default:
        return false;
    }
  }

  // ---------- control API ----------
  async function control(path, req, res) {
    const body = req.method === 'POST' ? await readJson(req) : {};
    if (path === '/reset' && req.method === 'POST') {
      state.faults = [];
      state.deleted.clear();
      state.private.clear();
      state.pinned.clear();
      state.calls = [];
      state.clockOffsetMs = 0;
      state.used = { tiktok: 0, instagram: 0, youtube: 0 };
      state.chaos = null;
      return json(res, 200, { ok: true });
    }
    if (path === '/chaos' && req.method === 'POST') {
      const rate = Number(body.rate ?? 0);
      if (!(rate >= 0 && rate <= 1)) return json(res, 400, { error: 'rate must be between 0 and 1' });
      const kinds = body.kinds ?? DEFAULT_CHAOS_KINDS;
      if (!Array.isArray(kinds) || kinds.length === 0 || kinds.some((k) => !CHAOS_KINDS.includes(k))) return json(res, 400, { error: `kinds must be a non-empty list of ${CHAOS_KINDS.join(', ')}` });
      if (!Number.isInteger(body.seed)) return json(res, 400, { error: 'seed must be an integer' });
      state.chaos = rate === 0 ? null : { rate, seed: body.seed, kinds, except: body.except ?? [], delayMs: body.delayMs ?? 20_000, attempts: new Map(), calls: 0, injected: {} };
      return json(res, 200, { ok: true });
    }
    if (path === '/chaos' && req.method === 'GET') {
      const c = state.chaos;
      return json(res, 200, c ? { rate: c.rate, seed: c.seed, calls: c.calls, injected: c.injected } : { rate: 0 });
    }
    if (path === '/faults' && req.method === 'POST') {
      const platform = body.platform ?? '*';
      if (!FAULT_KINDS.includes(body.kind)) return json(res, 400, { error: `kind must be one of ${FAULT_KINDS.join(', ')}` });
      if (platform !== '*' && !PLATFORMS.includes(platform)) return json(res, 400, { error: `platform must be one of ${PLATFORMS.join(', ')} or *` });
      if (body.times !== undefined && !(Number.isInteger(body.times) && body.times > 0)) return json(res, 400, { error: 'times must be a positive integer' });
      state.faults.push({ platform, path: body.path, kind: body.kind, remaining: body.times, delayMs: body.delayMs });
      return json(res, 200, { ok: true, faults: state.faults.length });
    }
    if (path === '/faults' && req.method === 'GET') return json(res, 200, state.faults);
    if (path === '/deleted' && req.method === 'POST') {
      for (const id of body.ids ?? []) state.deleted.add(String(id));
      return json(res, 200, { ok: true });
    }
    if (path === '/private' && req.method === 'POST') {
      for (const h of body.handles ?? []) state.private.add(String(h).replace(/^@/, ''));
      return json(res, 200, { ok: true });
    }
    if (path === '/stats' && req.method === 'POST') {
      const { id, ...stats } = body;
      if (id === undefined || id === null || id === '') return json(res, 400, { error: 'id is required' });
      state.pinned.set(String(id), { views: 0, likes: 0, comments: 0, reposts: 0, saves: 0, ...stats });
      return json(res, 200, { ok: true });
    }
    if (path === '/clock' && req.method === 'POST') {
      if (typeof body.offsetMs === 'number') state.clockOffsetMs = body.offsetMs;
      else if (typeof body.advanceMs === 'number') state.clockOffsetMs += body.advanceMs;
      else return json(res, 400, { error: 'give advanceMs or offsetMs' });
      return json(res, 200, { ok: true, now: new Date(now()).toISOString() });
    }
    if (path === '/calls' && req.method === 'GET') return json(res, 200, state.calls);
    return json(res, 404, { error: `unknown control endpoint ${req.method} /__control${path}` });
  }

  const server = http.createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://fake');
      if (url.pathname.startsWith('/__control')) return await control(url.pathname.slice('/__control'.length), req, res);
      const [, platform = '', ...rest] = url.pathname.split('/');
      if (!PLATFORMS.includes(platform)) return json(res, 404, { message: `unknown platform '${platform}': use /tiktok, /instagram or /youtube/v3` });
      let path = `/${rest.join('/')}`;
      if (platform === 'youtube') path = path.replace(/^\/v3(?=\/|$)/, '') || '/';
      const q = Object.fromEntries(url.searchParams);
      const call = { method: req.method, platform, path, query: q, at: new Date().toISOString() };
      state.calls.push(call);
      state.used[platform]++;

      const fault = takeFault(platform, `${path}${url.search}`) ?? takeChaos(`/${platform}${path}${url.search}`);
      if (fault) {
        call.fault = fault.kind;
        if (fault.kind === 'slow') await new Promise((r) => setTimeout(r, fault.delayMs ?? 20_000));
        else if (answerFault(platform, fault, res)) return;
      }
      if (platform !== 'youtube') {
        if (!req.headers['x-rapidapi-key']) return json(res, 401, { message: RAPIDAPI_MESSAGES.invalidKey });
        for (const [k, v] of Object.entries(rateHeaders(platform))) res.setHeader(k, v);
      }
      if (platform === 'tiktok') return tiktok(path, q, res);
      if (platform === 'instagram') return instagram(path, q, res);
      return youtube(path, q, res);
    } catch (err) {
      return json(res, 500, { message: `fake server error: ${err instanceof Error ? err.message : String(err)}` });
    }
  });
  server.keepAliveTimeout = 1000;
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const { port: actual } = server.address();
  const url = `http://${host}:${actual}`;
  return {
    url,
    tiktokBaseUrl: `${url}/tiktok`,
    instagramBaseUrl: `${url}/instagram`,
    youtubeBaseUrl: `${url}/youtube/v3`,
    state,
    close: () => closeServer(server),
  };
}

const json = sendJson;

async function readJson(req) {
  const text = await readBody(req);
  if (!text) return {};
  try {
    return JSON.parse(text);
  } catch {
    return {};
  }
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  const i = process.argv.indexOf('--port');
  const h = process.argv.indexOf('--host');
  const fake = await startFakePlatforms({ port: i > 0 ? Number(process.argv[i + 1]) : 8790, host: h > 0 ? process.argv[h + 1] : '127.0.0.1' });
  console.log(`fake platforms on ${fake.url} (tiktok: ${fake.tiktokBaseUrl}, instagram: ${fake.instagramBaseUrl}, youtube: ${fake.youtubeBaseUrl}; control: ${fake.url}/__control)`);
  const stop = () => fake.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
