// Fake Loops transactional email API in its wire format, with a control API to read what was
// "sent" and to force faults. Plain Node, no deps.
//
//   node test/fakes/loops-server.mjs --port 8791        (prints its URL)
//   import { startFakeLoops } from './loops-server.mjs'
//
// POST /api/v1/transactional   Authorization: Bearer <key>   Idempotency-Key?: ≤ 100 chars
//   body {transactionalId, email, dataVariables?, addToAudience?, attachments?}
//   200 {"success":true}
//   400 {"success":false,"path":"<field>","message":"…"}          bad body / key > 100 chars
//   401 {"success":false,"message":"Invalid API key"}             missing or wrong bearer
//   404 {"success":false,"error":{"path":"transactionalId","message":"Transactional email not found"},"transactionalId":"…"}
//                                                                transactionalId not in the known set
//   409 {"success":false,"message":"Idempotency key has been used"}   the key was seen (24 h in Loops)
//   429 {"success":false,"message":"Rate limit exceeded"} + x-ratelimit-limit/-remaining, Retry-After
//   5xx {"success":false,"message":"Internal server error"}
//
// Known transactional ids: any id not starting with `unknown` (so tests can ask for a 404 by id).
//
// Control API (JSON):
//   POST /__control/reset                         sent log, idempotency keys, faults
//   POST /__control/faults {kind: rate_limit|server_error|bad_request|not_found|unauthorized,
//                           times?: n (default 1), retryAfter?: seconds (rate_limit), email?: only for this address}
//   GET  /__control/sent                          [{transactionalId, email, dataVariables, idempotencyKey, at}]  accepted (200) sends
//   GET  /__control/requests                      every request with the status answered
import http from 'node:http';
import { closeServer, readBody, sendJson } from './http.mjs';

export const FAKE_LOOPS_API_KEY = 'fake-loops-api-key';

export async function startFakeLoops({ port = 0, host = '127.0.0.1', apiKey = FAKE_LOOPS_API_KEY } = {}) {
  let sent = [];
  let requests = [];
  let faults = [];
  let keys = new Set();

  const json = sendJson;

  async function transactional(req, res, raw) {
    const record = (status) => requests.push({ status, idempotencyKey: req.headers['idempotency-key'] ?? null, body: safeParse(raw), at: new Date().toISOString() });
    if (req.headers.authorization !== `Bearer ${apiKey}`) {
      record(401);
      return json(res, 401, { success: false, message: 'Invalid API key' });
    }
    const body = safeParse(raw);
    const faultIdx = faults.findIndex((f) => !f.email || f.email === body?.email);
    if (faultIdx >= 0) {
      const f = faults[faultIdx];
      if (--f.times <= 0) faults.splice(faultIdx, 1);
      const status = { rate_limit: 429, server_error: 500, bad_request: 400, not_found: 404, unauthorized: 401 }[f.kind];
      record(status);
      if (f.kind === 'rate_limit') {
        return json(res, 429, { success: false, message: 'Rate limit exceeded' }, { 'x-ratelimit-limit': '10', 'x-ratelimit-remaining': '0', 'retry-after': String(f.retryAfter ?? 1) });
      }
      if (f.kind === 'bad_request') return json(res, 400, { success: false, path: 'dataVariables', message: 'Missing required data variable' });
      if (f.kind === 'not_found') return json(res, 404, { success: false, error: { path: 'transactionalId', message: 'Transactional email not found' }, transactionalId: body?.transactionalId });
      if (f.kind === 'unauthorized') return json(res, 401, { success: false, message: 'Invalid API key' });
      return json(res, 500, { success: false, message: 'Internal server error' });
    }
    const key = req.headers['idempotency-key'];
    if (key !== undefined && (typeof key !== 'string' || key.length === 0 || key.length > 100)) {
      record(400);
      return json(res, 400, { success: false, path: 'Idempotency-Key', message: 'Idempotency-Key must be 1-100 characters' });
    }
    if (!body || typeof body.transactionalId !== 'string' || typeof body.email !== 'string' || !/^[^@\s]+@[^@\s]+$/.test(body.email)) {
      record(400);
      return json(res, 400, { success: false, path: !body || typeof body.transactionalId !== 'string' ? 'transactionalId' : 'email', message: 'Invalid request body' });
    }
    if (body.dataVariables !== undefined && (typeof body.dataVariables !== 'object' || body.dataVariables === null
      || Object.values(body.dataVariables).some((v) => typeof v !== 'string' && typeof v !== 'number'))) {
      record(400);
      return json(res, 400, { success: false, path: 'dataVariables', message: 'dataVariables values must be strings or numbers' });
    }
    if (body.transactionalId.startsWith('unknown')) {
      record(404);
      return json(res, 404, { success: false, error: { path: 'transactionalId', message: 'Transactional email not found' }, transactionalId: body.transactionalId });
    }
    if (key && keys.has(key)) {
      record(409);
      return json(res, 409, { success: false, message: 'Idempotency key has been used' });
    }
    if (key) keys.add(key);
    record(200);
    sent.push({ transactionalId: body.transactionalId, email: body.email, dataVariables: body.dataVariables ?? {}, idempotencyKey: key ?? null, at: new Date().toISOString() });
    return json(res, 200, { success: true });
  }

  async function control(path, req, res, raw) {
    if (req.method === 'POST' && path === '/reset') {
      sent = [];
      requests = [];
      faults = [];
      keys = new Set();
      return json(res, 200, { ok: true });
    }
    if (req.method === 'POST' && path === '/faults') {
      const f = safeParse(raw);
      if (!f || !['rate_limit', 'server_error', 'bad_request', 'not_found', 'unauthorized'].includes(f.kind)) return json(res, 400, { error: 'kind must be rate_limit|server_error|bad_request|not_found|unauthorized' });
      faults.push({ kind: f.kind, times: f.times ?? 1, retryAfter: f.retryAfter, email: f.email });
      return json(res, 200, { ok: true, faults });
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
      if (req.method === 'POST' && url.pathname === '/api/v1/transactional') return await transactional(req, res, raw);
      return json(res, 404, { success: false, message: 'Not found' });
    } catch (err) {
      json(res, 500, { success: false, message: String(err) });
    }
  });
  await new Promise((resolve) => server.listen(port, host, resolve));
  const url = `http://${host}:${server.address().port}`;
  return {
    url,
    apiKey,
    close: () => closeServer(server),
  };
}

function safeParse(raw) {
  try {
    return raw ? JSON.parse(raw) : null;
  } catch {
    return null;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const portArg = process.argv.indexOf('--port');
  const fake = await startFakeLoops({ port: portArg > 0 ? Number(process.argv[portArg + 1]) : 8791 });
  console.log(`fake Loops on ${fake.url} (API key ${fake.apiKey}; control: ${fake.url}/__control)`);
  const stop = () => fake.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
