// Fake Telegram Bot API in its wire format, with a control API to read what the bot "sent", force
// faults, and simulate a user pressing Start (an update POSTed to the bot's webhook). Plain Node.
//
//   node test/fakes/telegram-server.mjs --port 8792        (prints its URL)
//   import { startFakeTelegram } from './telegram-server.mjs'
//
// Bot API (POST /bot<token>/<method>, JSON or form body; answers {ok:true,result} or
// {ok:false,error_code,description,parameters?}):
//   sendMessage {chat_id, text, …}   200 {ok:true,result:{message_id,date,chat:{id,type:"private"},text}}
//     401 {"ok":false,"error_code":401,"description":"Unauthorized"}                  wrong bot token
//     400 {"ok":false,"error_code":400,"description":"Bad Request: chat not found"}   unknown chat (chat ids < 0 … none here) / empty text
//     403 {"ok":false,"error_code":403,"description":"Forbidden: bot was blocked by the user"}   blocked chats
//     429 {"ok":false,"error_code":429,"description":"Too Many Requests: retry after N","parameters":{"retry_after":N}}
//     500 {"ok":false,"error_code":500,"description":"Internal Server Error"}
//   setWebhook {url, secret_token?}  remembers where updates go; getMe answers the bot.
//
// Control API (JSON):
//   POST /__control/reset                       sent log, faults, blocked chats (not the webhook)
//   POST /__control/faults {kind: rate_limit|blocked|server_error|chat_not_found, times?: n (default 1),
//                           retryAfter?: s, chat_id?: only for this chat}
//   POST /__control/blocked {chat_id}           this user blocked the bot (every send: 403)
//   POST /__control/webhook {url, secret_token} same as setWebhook
//   POST /__control/press-start {chat_id, payload?, text?, username?}
//        builds the update a user's tap on Start (or a typed text) produces: message.text is
//        "/start <payload>" (or text). With a webhook set it POSTs it there (with
//        X-Telegram-Bot-Api-Secret-Token) and answers {update, webhook_status}; without, {update}.
//   GET  /__control/sent                        [{chat_id, text, at}] accepted sendMessage calls
//   GET  /__control/requests                    every Bot API call with the status answered
import http from 'node:http';
import { closeServer, readBody, sendJson } from './http.mjs';

export const FAKE_TELEGRAM_BOT_TOKEN = '123456:test-telegram-bot-token';

export async function startFakeTelegram({ port = 0, host = '127.0.0.1', botToken = FAKE_TELEGRAM_BOT_TOKEN, botUsername = 'influtics_test_bot' } = {}) {
  let sent = [];
  let requests = [];
  let faults = [];
  let blocked = new Set();
  let webhook = null;
  let updateId = 100_000;
  let messageId = 1;

  const json = (res, status, body) => sendJson(res, status, body);
  const fail = (res, code, description, parameters) => json(res, code, { ok: false, error_code: code, description, ...(parameters ? { parameters } : {}) });
  const parseBody = (req, raw) => {
    if (!raw) return {};
    if ((req.headers['content-type'] ?? '').includes('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(raw));
    try {
      return JSON.parse(raw);
    } catch {
      return null;
    }
  };

  async function botApi(token, method, req, res, raw) {
    const body = parseBody(req, raw);
    const record = (status) => requests.push({ method, status, body, at: new Date().toISOString() });
    if (token !== botToken) {
      record(401);
      return fail(res, 401, 'Unauthorized');
    }
    if (body === null) {
      record(400);
      return fail(res, 400, "Bad Request: can't parse JSON");
    }
    if (method === 'getMe') {
      record(200);
      return json(res, 200, { ok: true, result: { id: Number(botToken.split(':')[0]), is_bot: true, first_name: 'Influtics', username: botUsername } });
    }
    if (method === 'setWebhook') {
      webhook = body.url ? { url: String(body.url), secret: body.secret_token ? String(body.secret_token) : null } : null;
      record(200);
      return json(res, 200, { ok: true, result: true, description: 'Webhook was set' });
    }
    if (method !== 'sendMessage') {
      record(404);
      return fail(res, 404, 'Not Found');
    }
    const chatId = String(body.chat_id ?? '');
    const faultIdx = faults.findIndex((f) => f.chat_id === undefined || String(f.chat_id) === chatId);
    if (faultIdx >= 0) {
      const f = faults[faultIdx];
      if (--f.times <= 0) faults.splice(faultIdx, 1);
      if (f.kind === 'rate_limit') {
        record(429);
        return fail(res, 429, `Too Many Requests: retry after ${f.retryAfter ?? 1}`, { retry_after: f.retryAfter ?? 1 });
      }
      if (f.kind === 'blocked') {
        record(403);
        return fail(res, 403, 'Forbidden: bot was blocked by the user');
      }
      if (f.kind === 'chat_not_found') {
        record(400);
        return fail(res, 400, 'Bad Request: chat not found');
      }
      record(500);
      return fail(res, 500, 'Internal Server Error');
    }
    if (!/^-?\d+$/.test(chatId)) {
      record(400);
      return fail(res, 400, 'Bad Request: chat not found');
    }
    if (typeof body.text !== 'string' || body.text.trim() === '') {
      record(400);
      return fail(res, 400, 'Bad Request: message text is empty');
    }
    if (body.text.length > 4096) {
      record(400);
      return fail(res, 400, 'Bad Request: message is too long');
    }
    if (blocked.has(chatId)) {
      record(403);
      return fail(res, 403, 'Forbidden: bot was blocked by the user');
    }
    record(200);
    const date = Math.floor(Date.now() / 1000);
    sent.push({ chat_id: chatId, text: body.text, at: new Date().toISOString() });
    return json(res, 200, { ok: true, result: { message_id: messageId++, date, chat: { id: Number(chatId), type: 'private' }, text: body.text } });
  }

  function updateFor({ chat_id, payload, text, username }) {
    const chatId = Number(chat_id);
    const from = { id: chatId, is_bot: false, first_name: 'Test', username: username ?? `user${chatId}`, language_code: 'en' };
    const messageText = text ?? (payload ? `/start ${payload}` : '/start');
    const command = messageText.match(/^\/\w+/)?.[0];
    return {
      update_id: ++updateId,
      message: {
        message_id: messageId++,
        from,
        chat: { id: chatId, first_name: 'Test', username: from.username, type: 'private' },
        date: Math.floor(Date.now() / 1000),
        text: messageText,
        ...(command ? { entities: [{ offset: 0, length: command.length, type: 'bot_command' }] } : {}),
      },
    };
  }

  async function control(path, req, res, raw) {
    const body = parseBody(req, raw) ?? {};
    if (req.method === 'POST' && path === '/reset') {
      sent = [];
      requests = [];
      faults = [];
      blocked = new Set();
      return json(res, 200, { ok: true });
    }
    if (req.method === 'POST' && path === '/faults') {
      if (!['rate_limit', 'blocked', 'server_error', 'chat_not_found'].includes(body.kind)) return json(res, 400, { error: 'kind must be rate_limit|blocked|server_error|chat_not_found' });
      faults.push({ kind: body.kind, times: body.times ?? 1, retryAfter: body.retryAfter, chat_id: body.chat_id });
      return json(res, 200, { ok: true });
    }
    if (req.method === 'POST' && path === '/blocked') {
      blocked.add(String(body.chat_id));
      return json(res, 200, { ok: true });
    }
    if (req.method === 'POST' && path === '/webhook') {
      webhook = body.url ? { url: String(body.url), secret: body.secret_token ?? null } : null;
      return json(res, 200, { ok: true, webhook });
    }
    if (req.method === 'POST' && path === '/press-start') {
      if (!/^-?\d+$/.test(String(body.chat_id ?? ''))) return json(res, 400, { error: 'chat_id (a number) is required' });
      const update = updateFor(body);
      if (!webhook) return json(res, 200, { update });
      const answer = await fetch(webhook.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(webhook.secret ? { 'x-telegram-bot-api-secret-token': webhook.secret } : {}) },
        body: JSON.stringify(update),
      });
      return json(res, 200, { update, webhook_status: answer.status });
    }
    if (req.method === 'GET' && path === '/sent') return json(res, 200, sent);
    if (req.method === 'GET' && path === '/requests') return json(res, 200, requests);
    return json(res, 404, { error: `unknown control endpoint ${req.method} /__control${path}` });
  }

  const server = http.createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://x');
      const raw = await readBody(req);
      if (url.pathname.startsWith('/__control')) return await control(url.pathname.slice('/__control'.length), req, res, raw);
      const m = /^\/bot([^/]+)\/(\w+)$/.exec(url.pathname);
      if (m && (req.method === 'POST' || req.method === 'GET')) return await botApi(decodeURIComponent(m[1]), m[2], req, res, raw);
      return fail(res, 404, 'Not Found');
    } catch (err) {
      json(res, 500, { ok: false, error_code: 500, description: String(err) });
    }
  });
  await new Promise((resolve) => server.listen(port, host, resolve));
  const url = `http://${host}:${server.address().port}`;
  return {
    url,
    botToken,
    botUsername,
    close: () => closeServer(server),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const portArg = process.argv.indexOf('--port');
  const fake = await startFakeTelegram({ port: portArg > 0 ? Number(process.argv[portArg + 1]) : 8792 });
  console.log(`fake Telegram Bot API on ${fake.url} (bot token ${fake.botToken}; control: ${fake.url}/__control)`);
  const stop = () => fake.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
