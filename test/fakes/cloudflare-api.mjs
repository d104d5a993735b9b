// Fake Cloudflare Workflows REST API (api.cloudflare.com/client/v4) for tests, in the real response
// shape. vitest-plugin's Miniflare has no local explorer, so the ops step timeline is read from
// here in tests; `wrangler dev` serves the same shape itself at /cdn-cgi/local/explorer/api.
// Plain Node, no deps.
//
//   GET /client/v4/accounts/{account}/workflows/{name}/instances/{id}
//       → {success:true, errors:[], messages:[], result:{status, params, queued, start, end, output,
//          error, steps:[{type:'step', name, start, end, success, output, config, attempts:[{start, end,
//          success, error:{name, message}|null}]} | {type:'sleep', …} | {type:'termination', trigger}], …}}
//   GET /client/v4/accounts/{account}/workflows/{name}/instances?page=&per_page=&status=
//       → result:[{id, status, created_on, …}], result_info:{page, per_page, total_count, total_pages, status_counts}
//   Errors: {success:false, errors:[{code, message}], messages:[], result:null}; 403 code 10000
//   "Authentication error" without `Authorization: Bearer <token>` or for another account; 404 code
//   10501 for an unknown instance.
//
// Control API (JSON):
//   PUT  /__control/instances/{name}/{id}   body: the instance detail (`result` above) to serve
//   POST /__control/outage   {status, times?}   answer the next requests with this HTTP status
//   POST /__control/reset                   instances, outages, call log
//   GET  /__control/calls                   [{method, path, authorization, at}]
import http from 'node:http';

export const FAKE_CF_ACCOUNT_ID = 'test-account-0123456789abcdef';
export const FAKE_CF_API_TOKEN = 'test-cloudflare-api-token';

/** @param {{ port?: number, accountId?: string, token?: string }} [opts] */
export async function startFakeCloudflareApi({ port = 0, accountId = FAKE_CF_ACCOUNT_ID, token = FAKE_CF_API_TOKEN } = {}) {
  /** @type {Map<string, any>} workflow/id → detail */
  let instances = new Map();
  /** @type {{ status: number, times: number }[]} */
  let outages = [];
  /** @type {any[]} */
  let calls = [];

  const send = (res, status, body) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const ok = (res, result, extra = {}) => send(res, 200, { success: true, errors: [], messages: [], result, ...extra });
  const fail = (res, status, code, message) => send(res, status, { success: false, errors: [{ code, message }], messages: [], result: null });
  const readBody = (req) =>
    new Promise((resolve, reject) => {
      let data = '';
      req.on('data', (c) => (data += c));
      req.on('end', () => {
        try {
          resolve(data ? JSON.parse(data) : null);
        } catch (err) {
          reject(err);
        }
      });
    });

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    try {
      if (parts[0] === '__control') {
        if (req.method === 'POST' && parts[1] === 'reset') {
          instances = new Map();
          outages = [];
          calls = [];
          return send(res, 200, { ok: true });
        }
        if (req.method === 'GET' && parts[1] === 'calls') return send(res, 200, calls);
        if (req.method === 'PUT' && parts[1] === 'instances' && parts.length === 4) {
          instances.set(`${parts[2]}/${parts[3]}`, { id: parts[3], created_on: new Date().toISOString(), ...(await readBody(req)) });
          return send(res, 200, { ok: true });
        }
        if (req.method === 'POST' && parts[1] === 'outage') {
          const body = await readBody(req);
          outages.push({ status: body.status ?? 500, times: body.times ?? 1 });
          return send(res, 200, { ok: true });
        }
        return send(res, 404, { error: 'unknown control route' });
      }

      calls.push({ method: req.method, path: url.pathname + url.search, authorization: req.headers.authorization ?? null, at: new Date().toISOString() });
      const outage = outages[0];
      if (outage) {
        if (--outage.times <= 0) outages.shift();
        return fail(res, outage.status, 10001, 'Internal server error');
      }
      // /client/v4/accounts/{account}/workflows/{name}/instances[/{id}]
      if (parts[0] !== 'client' || parts[1] !== 'v4' || parts[2] !== 'accounts' || parts[4] !== 'workflows' || parts[6] !== 'instances') {
        return fail(res, 404, 7003, 'Could not route to ' + url.pathname + ', perhaps your object identifier is invalid?');
      }
      if (req.headers.authorization !== `Bearer ${token}` || parts[3] !== accountId) return fail(res, 403, 10000, 'Authentication error');
      if (req.method !== 'GET') return fail(res, 405, 10000, 'method not allowed in this fake');
      const workflow = parts[5];
      if (parts.length === 8) {
        const detail = instances.get(`${workflow}/${parts[7]}`);
        if (!detail) return fail(res, 404, 10501, `Workflow instance '${parts[7]}' not found.`);
        const { id: _id, created_on: _created, ...result } = detail;
        return ok(res, result);
      }
      if (parts.length === 7) {
        const all = [...instances.values()].filter((d) => instances.get(`${workflow}/${d.id}`) === d);
        const status = url.searchParams.get('status');
        const page = Number(url.searchParams.get('page') ?? 1);
        const perPage = Number(url.searchParams.get('per_page') ?? 25);
        const matching = all.filter((d) => !status || d.status === status);
        const counts = {};
        for (const d of all) counts[d.status] = (counts[d.status] ?? 0) + 1;
        const slice = matching.slice((page - 1) * perPage, page * perPage);
        return ok(
          res,
          slice.map((d) => ({ id: d.id, status: d.status, created_on: d.created_on, modified_on: d.created_on, started_on: d.start ?? null, ended_on: d.end ?? null, version_id: 'fake-version', workflow_id: 'fake-workflow' })),
          { result_info: { page, per_page: perPage, total_count: matching.length, total_pages: Math.max(1, Math.ceil(matching.length / perPage)), status_counts: counts } },
        );
      }
      return fail(res, 404, 7003, 'No route for that URI');
    } catch (err) {
      return fail(res, 500, 10001, err instanceof Error ? err.message : String(err));
    }
  });

  await new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(undefined)));
  const address = /** @type {import('node:net').AddressInfo} */ (server.address());
  const url = `http://127.0.0.1:${address.port}`;
  return {
    url,
    accountId,
    token,
    /** what CLOUDFLARE_API_BASE_URL would be in production, pointed at this fake */
    baseUrl: `${url}/client/v4/accounts/{account_id}`,
    close: () => new Promise((resolve) => server.close(() => resolve(undefined))),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const portArg = process.argv.indexOf('--port');
  const fake = await startFakeCloudflareApi({ port: portArg > 0 ? Number(process.argv[portArg + 1]) : 0 });
  console.log(fake.url);
}
