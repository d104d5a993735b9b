// Fake TikTok (tiktok-scraper7), Instagram (instagram-scraper-api2) and YouTube Data API v3
// servers in their real wire formats (see shared/PLATFORM_APIS.md), with deterministic data whose
// counts grow over time, and a control API for fault injection used by tests and `npm run dev`.
//
//   node test/fakes/platform-server.mjs --port 8790
//
// Data rules: any handle exists with 120 videos; handles starting with `unknown` do not exist;
// handles starting with `private` are private accounts; video ids containing `deleted` (or marked
// through /__control/deleted) are gone.
import http from 'node:http';
import { createHash } from 'node:crypto';

const VIDEOS_PER_USER = 120;
const EPOCH = Date.UTC(2026, 0, 1);
const IG_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const YT_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

const RAPID = {
  perSecond: 'You have exceeded the rate limit per second for your plan, BASIC, by the API provider',
  monthly: 'You have exceeded the MONTHLY quota for Requests on your current plan, BASIC. Upgrade your plan at https://rapidapi.com/tikwm-tikwm-default/api/tiktok-scraper7',
  notSubscribed: 'You are not subscribed to this API.',
  invalidKey: 'Invalid API key. Go to https://docs.rapidapi.com/docs/keys for more info.',
};

const hash = (s) => createHash('sha256').update(String(s)).digest();
const hashInt = (s, mod) => Number(hash(s).readBigUInt64BE(0) % BigInt(mod));
const digits = (s, n) => {
  const h = hash(s);
  let out = String((h[0] % 9) + 1);
  for (let i = 1; out.length < n; i++) out += String(h[i % h.length] % 10);
  return out;
};
const fromAlphabet = (s, n, alphabet) => {
  const h = hash(s);
  let out = '';
  for (let i = 0; i < n; i++) out += alphabet[h[i % h.length] % alphabet.length];
  return out;
};
export function mediaIdToShortcode(id) {
  let pk = BigInt(String(id).split('_')[0]);
  let code = '';
  while (pk > 0n) {
    code = IG_ALPHABET[Number(pk % 64n)] + code;
    pk /= 64n;
  }
  return code;
}
function shortcodeToMediaId(code) {
  let pk = 0n;
  for (const ch of code) pk = pk * 64n + BigInt(IG_ALPHABET.indexOf(ch));
  return pk.toString();
}

export async function startFakePlatforms({ port = 0, host = '127.0.0.1' } = {}) {
  const state = { faults: [], deleted: new Set(), private: new Set(), pinned: new Map(), calls: [] };

  /** Stats for a video id: pinned by a test, else growing with time from a hash of the id. */
  function statsFor(id) {
    const pinned = state.pinned.get(String(id));
    if (pinned) return pinned;
    const minutes = Math.floor((Date.now() - EPOCH) / 60_000);
    const base = 1_000 + hashInt(`${id}:base`, 500_000);
    const rate = 1 + hashInt(`${id}:rate`, 20);
    const views = base + rate * minutes;
    return {
      views,
      likes: Math.floor(views / (15 + hashInt(`${id}:l`, 20))),
      comments: Math.floor(views / (200 + hashInt(`${id}:c`, 300))),
      reposts: Math.floor(views / (300 + hashInt(`${id}:r`, 500))),
      saves: Math.floor(views / (250 + hashInt(`${id}:s`, 400))),
    };
  }
  const isDeleted = (id) => String(id).includes('deleted') || state.deleted.has(String(id));
  const isPrivate = (handle) => String(handle).toLowerCase().startsWith('private') || state.private.has(String(handle));
  const isUnknown = (handle) => String(handle).toLowerCase().startsWith('unknown');
  const publishedAt = (id, index = 0) => EPOCH - (index + 1) * 86_400_000 - hashInt(`${id}:t`, 86_400_000);

  // ---------- TikTok (tiktok-scraper7, tikwm format) ----------
  const ttUser = (handle) => ({ id: digits(`tt-user:${handle}`, 19), handle });
  const ttUsersById = new Map();
  const ttVideoId = (userId, i) => `7${digits(`tt-video:${userId}:${i}`, 18)}`;
  function ttVideo(id, author, index = 0) {
    const s = statsFor(id);
    return {
      aweme_id: `v0${id}`, video_id: id, region: 'US', title: `Video ${id.slice(-4)} #fyp`,
      cover: `https://p16-sign.tiktokcdn.com/obj/${id}.jpeg`, origin_cover: `https://p16-sign.tiktokcdn.com/obj/${id}-origin.jpeg`,
      duration: 10 + hashInt(id, 50),
      // counts as numbers, except every 4th video serves them as strings (a documented variant)
      play_count: hashInt(id, 4) === 0 ? String(s.views) : s.views,
      digg_count: s.likes, comment_count: s.comments, share_count: s.reposts, download_count: 0, collect_count: s.saves,
      create_time: Math.floor(publishedAt(id, index) / 1000), is_top: 0,
      music_info: { id: digits(`music:${id}`, 19), title: 'original sound' },
      author: { id: author.id, unique_id: author.handle, nickname: author.handle, avatar: `https://p16.tiktokcdn.com/avatar/${author.id}.jpeg` },
    };
  }
  function tiktok(path, q, res) {
    if (path === '/user/info') {
      const handle = q.unique_id ?? '';
      if (!handle || isUnknown(handle)) return json(res, 200, { code: -1, msg: "user doesn't exist", processed_time: 0.1 });
      const u = ttUser(handle);
      ttUsersById.set(u.id, u);
      return json(res, 200, {
        code: 0, msg: 'success', processed_time: 0.2,
        data: {
          user: { id: u.id, uniqueId: handle, nickname: handle.replace(/_/g, ' '), avatarThumb: `https://p16.tiktokcdn.com/avatar/${u.id}.jpeg`,
            secUid: `MS4wLjABAAAA${fromAlphabet(`sec:${handle}`, 40, YT_ALPHABET)}`, privateAccount: isPrivate(handle) },
          stats: { followerCount: 1000 + hashInt(`f:${handle}`, 2_000_000), heartCount: 100000, videoCount: VIDEOS_PER_USER },
        },
      });
    }
    if (path === '/user/posts') {
      if (String(q.user_id ?? '').includes('unknown')) return json(res, 200, { code: -1, msg: "user doesn't exist", processed_time: 0.1 });
      const user = ttUsersById.get(q.user_id) ?? { id: q.user_id, handle: `user${String(q.user_id).slice(-6)}` };
      const count = Math.min(Number(q.count ?? 35), 35);
      const offset = Number(q.cursor ?? 0);
      const videos = [];
      for (let i = offset; i < Math.min(offset + count, VIDEOS_PER_USER); i++) videos.push(ttVideo(ttVideoId(user.id, i), user, i));
      const next = offset + videos.length;
      return json(res, 200, { code: 0, msg: 'success', processed_time: 0.3, data: { videos, cursor: String(next), hasMore: next < VIDEOS_PER_USER } });
    }
    if (path === '/' || path === '') {
      const raw = String(q.url ?? '');
      const id = /(\d{15,})/.exec(raw)?.[1] ?? raw;
      if (!id || isDeleted(raw) || isDeleted(id)) return json(res, 200, { code: -1, msg: 'Url parsing is failed! Please check url.', processed_time: 0.1 });
      const v = ttVideo(id, { id: digits(`author:${id}`, 19), handle: `author${id.slice(-4)}` });
      return json(res, 200, { code: 0, msg: 'success', processed_time: 0.2, data: { ...v, id } });
    }
    return json(res, 404, { message: "Endpoint '" + path + "' does not exist" });
  }

  // ---------- Instagram (instagram-scraper-api2) ----------
  const igUser = (handle) => ({ pk: digits(`ig-user:${handle}`, 11), handle });
  const igUsersByPk = new Map();
  const igMediaPk = (userPk, i) => `3${digits(`ig-media:${userPk}:${i}`, 18)}`;
  function igItem(pk, user, index = 0) {
    const s = statsFor(pk);
    const item = {
      id: `${pk}_${user.pk}`, pk, code: mediaIdToShortcode(pk), taken_at: Math.floor(publishedAt(pk, index) / 1000),
      media_type: 2, product_type: 'clips', like_count: s.likes, comment_count: s.comments, play_count: s.views, ig_play_count: s.views,
      reshare_count: s.reposts, save_count: s.saves, video_duration: 15.5,
      caption: { text: `Reel ${pk.slice(-4)}` },
      image_versions: { items: [{ url: `https://scontent.cdninstagram.com/v/${pk}.jpg`, width: 640, height: 1136 }] },
      thumbnail_url: `https://scontent.cdninstagram.com/v/${pk}.jpg`,
      user: { id: user.pk, username: user.handle },
    };
    // every 7th item comes without `code` (a documented variant): the URL must be derived from the id
    if (index % 7 === 6) delete item.code;
    return item;
  }
  function instagram(path, q, res) {
    if (path === '/v1/info') {
      const handle = String(q.username_or_id_or_url ?? '').replace(/^https?:\/\/(www\.)?instagram\.com\//, '').replace(/\/.*$/, '');
      if (!handle || isUnknown(handle)) return json(res, 404, { detail: 'Not found' });
      const u = igUser(handle);
      igUsersByPk.set(u.pk, u);
      return json(res, 200, { data: { id: u.pk, username: handle, full_name: handle.replace(/_/g, ' '), follower_count: 500 + hashInt(`f:${handle}`, 900_000),
        media_count: VIDEOS_PER_USER, profile_pic_url: `https://scontent.cdninstagram.com/p/${u.pk}.jpg`, is_private: isPrivate(handle) } });
    }
    if (path === '/v1/reels') {
      const key = String(q.username_or_id_or_url ?? '');
      if (key.includes('unknown')) return json(res, 404, { detail: 'Not found' });
      const user = igUsersByPk.get(key) ?? [...igUsersByPk.values()].find((u) => u.handle === key) ?? igUser(key);
      const offset = Number(q.pagination_token ? Buffer.from(q.pagination_token, 'base64url').toString() : 0);
      const items = [];
      for (let i = offset; i < Math.min(offset + 12, VIDEOS_PER_USER); i++) items.push(igItem(igMediaPk(user.pk, i), user, i));
      const next = offset + items.length;
      return json(res, 200, { data: { count: items.length, items }, ...(next < VIDEOS_PER_USER ? { pagination_token: Buffer.from(String(next)).toString('base64url') } : {}) });
    }
    if (path === '/v1/post_info') {
      const key = String(q.code_or_id_or_url ?? '').replace(/^https?:\/\/(www\.)?instagram\.com\/(reel|reels|p|tv)\//, '').replace(/\/.*$/, '');
      const pk = /^\d+(_\d+)?$/.test(key) ? key.split('_')[0] : shortcodeToMediaId(key);
      if (!key || isDeleted(key) || isDeleted(pk)) return json(res, 404, { detail: 'Not found' });
      const item = igItem(pk, { pk: digits(`owner:${pk}`, 11), handle: `creator${pk.slice(-4)}` }, 0);
      return json(res, 200, { data: { ...item, code: mediaIdToShortcode(pk) } });
    }
    return json(res, 404, { message: "Endpoint '" + path + "' does not exist" });
  }

  // ---------- YouTube Data API v3 ----------
  const ytChannelId = (handle) => `UC${fromAlphabet(`yt-channel:${handle}`, 22, YT_ALPHABET)}`;
  const ytChannels = new Map();
  const ytVideoId = (channel, i) => fromAlphabet(`yt-video:${channel}:${i}`, 11, YT_ALPHABET);
  const ytError = (res, code, reason, message, domain = 'youtube.parameter') =>
    json(res, code, { error: { code, message, errors: [{ message, domain, reason }] } });
  function youtube(path, q, res) {
    if (!q.key) return ytError(res, 403, 'forbidden', 'Method doesn\'t allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.', 'global');
    if (path === '/channels') {
      const handle = q.forHandle ? String(q.forHandle).replace(/^@/, '') : q.forUsername ?? null;
      const id = q.id ?? (handle && !isUnknown(handle) ? ytChannelId(handle) : null);
      if (!id) {
        // unknown handle: 200 with no items; the `items` key is sometimes absent altogether
        return json(res, 200, { kind: 'youtube#channelListResponse', etag: 'x', pageInfo: { totalResults: 0, resultsPerPage: 5 }, ...(hashInt(String(handle), 2) ? { items: [] } : {}) });
      }
      const h = handle ?? ytChannels.get(id) ?? id;
      ytChannels.set(id, h);
      return json(res, 200, {
        kind: 'youtube#channelListResponse', pageInfo: { totalResults: 1, resultsPerPage: 5 },
        items: [{ kind: 'youtube#channel', id, snippet: { title: String(h).replace(/_/g, ' '), customUrl: `@${String(h).toLowerCase()}`,
          thumbnails: { default: { url: `https://yt3.ggpht.com/${id}=s88`, width: 88, height: 88 } } },
          statistics: { viewCount: '129292', subscriberCount: String(100 + hashInt(`s:${id}`, 1_000_000)), hiddenSubscriberCount: false, videoCount: String(VIDEOS_PER_USER) },
          contentDetails: { relatedPlaylists: { uploads: `UU${id.slice(2)}` } } }],
      });
    }
    if (path === '/playlistItems') {
      const playlist = String(q.playlistId ?? '');
      if (!playlist.startsWith('UU') || playlist.includes('unknown')) return ytError(res, 404, 'playlistNotFound', 'The playlist identified with the request\'s <code>playlistId</code> parameter cannot be found.');
      const channel = `UC${playlist.slice(2)}`;
      const size = Math.min(Number(q.maxResults ?? 5), 50);
      let offset = 0;
      if (q.pageToken) {
        offset = Number(Buffer.from(String(q.pageToken), 'base64url').toString());
        if (!Number.isInteger(offset)) return ytError(res, 400, 'invalidPageToken', 'The request specifies an invalid page token.');
      }
      const items = [];
      for (let i = offset; i < Math.min(offset + size, VIDEOS_PER_USER); i++) {
        const vid = ytVideoId(channel, i);
        items.push({ kind: 'youtube#playlistItem', id: `pli-${vid}`, contentDetails: { videoId: vid, videoPublishedAt: new Date(publishedAt(vid, i)).toISOString() } });
      }
      const next = offset + items.length;
      return json(res, 200, { kind: 'youtube#playlistItemListResponse', items, pageInfo: { totalResults: VIDEOS_PER_USER, resultsPerPage: size },
        ...(next < VIDEOS_PER_USER ? { nextPageToken: Buffer.from(String(next)).toString('base64url') } : {}) });
    }
    if (path === '/videos') {
      const ids = String(q.id ?? '').split(',').filter(Boolean);
      if (ids.length > 50) return ytError(res, 400, 'badRequest', 'The request specifies too many video ids (maximum 50).');
      const items = ids.filter((id) => !isDeleted(id)).map((id) => {
        const s = statsFor(id);
        const statistics = { viewCount: String(s.views), likeCount: String(s.likes), favoriteCount: '0', commentCount: String(s.comments) };
        // some videos hide likes or have comments disabled: the fields are then missing
        if (hashInt(`${id}:nolikes`, 5) === 0 && !state.pinned.has(id)) delete statistics.likeCount;
        if (hashInt(`${id}:nocomments`, 7) === 0 && !state.pinned.has(id)) delete statistics.commentCount;
        return { kind: 'youtube#video', id,
          snippet: { publishedAt: new Date(publishedAt(id)).toISOString(), channelId: `UC${fromAlphabet(id, 22, YT_ALPHABET)}`, title: `Video ${id}`, channelTitle: 'Channel',
            thumbnails: { default: { url: `https://i.ytimg.com/vi/${id}/default.jpg`, width: 120, height: 90 }, high: { url: `https://i.ytimg.com/vi/${id}/hqdefault.jpg`, width: 480, height: 360 } } },
          statistics, contentDetails: { duration: 'PT3M21S' } };
      });
      return json(res, 200, { kind: 'youtube#videoListResponse', items, pageInfo: { totalResults: items.length, resultsPerPage: items.length } });
    }
    return ytError(res, 404, 'notFound', 'Not Found', 'global');
  }

  // ---------- faults ----------
  function applyFault(platform, pathWithQuery, res) {
    const fault = state.faults.find((f) => (f.platform === '*' || f.platform === platform) && (!f.path || pathWithQuery.includes(f.path)) && f.remaining !== 0);
    if (!fault) return false;
    if (fault.remaining !== undefined) fault.remaining--;
    const limitHeaders = { 'x-ratelimit-requests-limit': '500000', 'x-ratelimit-requests-remaining': '0', 'x-ratelimit-requests-reset': '86400' };
    switch (fault.kind) {
      case 'slow':
        return { delayMs: fault.delayMs ?? 20_000 };
      case 'rate_limit_second':
        if (platform === 'youtube') return ytError(res, 429, 'rateLimitExceeded', 'Too many requests', 'youtube.quota'), true;
        return json(res, 429, { message: RAPID.perSecond }, { ...limitHeaders, 'retry-after': '1' }), true;
      case 'rate_limit_monthly':
        return json(res, 429, { message: RAPID.monthly }, limitHeaders), true;
      case 'server_error':
        if (platform === 'youtube') return ytError(res, 503, 'backendError', 'Backend Error', 'global'), true;
        return json(res, 502, { messages: 'The API is unreachable, please contact the API provider', info: 'Your Client (working) ---> Gateway (working) ---> API (not working)' }), true;
      case 'unauthorized':
        return json(res, 401, { message: RAPID.invalidKey }), true;
      case 'not_subscribed':
        return json(res, 403, { message: RAPID.notSubscribed }), true;
      case 'youtube_quota':
        return ytError(res, 403, 'quotaExceeded', 'The request cannot be completed because you have exceeded your <a href="/youtube/v3/getting-started#quota">quota</a>.', 'youtube.quota'), true;
      default:
        return false;
    }
  }

  async function control(path, req, res) {
    const body = req.method === 'POST' ? await readJson(req) : {};
    if (path === '/reset') {
      state.faults = [];
      state.deleted.clear();
      state.private.clear();
      state.pinned.clear();
      state.calls = [];
      return json(res, 200, { ok: true });
    }
    if (path === '/faults' && req.method === 'POST') {
      const kinds = ['rate_limit_second', 'rate_limit_monthly', 'server_error', 'slow', 'unauthorized', 'not_subscribed', 'youtube_quota'];
      if (!kinds.includes(body.kind)) return json(res, 400, { error: `kind must be one of ${kinds.join(', ')}` });
      state.faults.push({ platform: body.platform ?? '*', path: body.path, kind: body.kind, remaining: body.times, delayMs: body.delayMs });
      return json(res, 200, { ok: true, faults: state.faults.length });
    }
    if (path === '/faults' && req.method === 'GET') return json(res, 200, state.faults);
    if (path === '/deleted') {
      for (const id of body.ids ?? []) state.deleted.add(String(id));
      return json(res, 200, { ok: true });
    }
    if (path === '/private') {
      for (const h of body.handles ?? []) state.private.add(String(h));
      return json(res, 200, { ok: true });
    }
    if (path === '/stats') {
      const { id, ...stats } = body;
      state.pinned.set(String(id), { views: 0, likes: 0, comments: 0, reposts: 0, saves: 0, ...stats });
      return json(res, 200, { ok: true });
    }
    if (path === '/calls') return json(res, 200, state.calls);
    return json(res, 404, { error: 'unknown control endpoint' });
  }

  const server = http.createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://fake');
      if (url.pathname.startsWith('/__control')) return await control(url.pathname.slice('/__control'.length), req, res);
      const [, platform, ...rest] = url.pathname.split('/');
      let path = `/${rest.join('/')}`;
      if (platform === 'youtube') path = path.replace(/^\/v3/, '');
      const q = Object.fromEntries(url.searchParams);
      if (!['tiktok', 'instagram', 'youtube'].includes(platform)) return json(res, 404, { message: 'unknown platform' });
      state.calls.push({ method: req.method, platform, path, query: q, at: new Date().toISOString() });
      const fault = applyFault(platform, `${path}${url.search}`, res);
      if (fault === true) return;
      if (fault && fault.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
      if (platform !== 'youtube') {
        if (!req.headers['x-rapidapi-key']) return json(res, 401, { message: RAPID.invalidKey });
        res.setHeader('x-ratelimit-requests-limit', '500000');
        res.setHeader('x-ratelimit-requests-remaining', '499000');
        res.setHeader('x-ratelimit-requests-reset', '86400');
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
    close: () => new Promise((resolve) => { server.closeAllConnections?.(); server.close(() => resolve()); }),
  };
}

function json(res, status, body, headers = {}) {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

async function readJson(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : {};
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const i = process.argv.indexOf('--port');
  const fake = await startFakePlatforms({ port: i > 0 ? Number(process.argv[i + 1]) : 8790 });
  console.log(`fake platforms on ${fake.url} (tiktok: ${fake.tiktokBaseUrl}, instagram: ${fake.instagramBaseUrl}, youtube: ${fake.youtubeBaseUrl})`);
}
