// Fake Google: OAuth 2.0 (authorize, token, revoke) and Sheets API v4 (spreadsheets.get,
// values.batchGet, values.batchUpdate) in their real wire formats and error bodies, spreadsheets
// held in memory, and a control API. Plain Node, no deps.
//
//   node test/fakes/google.mjs --port 8793        (prints its URL)
//   import { startFakeGoogle } from './google.mjs'
//
// OAuth (what the Worker's GOOGLE_*_URL vars point at):
//   GET  /o/oauth2/v2/auth?client_id&redirect_uri&response_type=code&scope&state&code_challenge&
//        code_challenge_method=S256&access_type&include_granted_scopes
//        → consents at once as the current account (POST /__control/account) and answers
//          302 <redirect_uri>?state=…&code=…&scope=…  (&error=access_denied when the account denies)
//        bad client / missing PKCE → 400 HTML-ish text like Google's "Error 400: invalid_request"
//   POST /token  (application/x-www-form-urlencoded; client auth by Basic header or client_id/secret)
//        grant_type=authorization_code (code, redirect_uri, code_verifier checked against the S256
//        challenge) → {access_token, expires_in, refresh_token, scope, token_type:"Bearer", id_token}
//        grant_type=refresh_token → the same without refresh_token
//        errors (400 unless noted): {"error":"invalid_grant","error_description":"Bad Request"} (unknown or
//        used code), "Invalid code verifier." (PKCE), "Token has been expired or revoked." (refresh);
//        401 {"error":"invalid_client","error_description":"Unauthorized"}
//   POST /revoke (token=…) → 200 {} ; unknown token → 400 {"error":"invalid_token","error_description":"Token expired or revoked"}
//
// Sheets (GOOGLE_SHEETS_API_BASE_URL = <url>, paths as https://sheets.googleapis.com):
//   GET  /v4/spreadsheets/{id}?fields=<field mask>
//   GET  /v4/spreadsheets/{id}/values:batchGet?ranges=…&ranges=…&valueRenderOption=&majorDimension=ROWS
//   POST /v4/spreadsheets/{id}/values:batchUpdate {valueInputOption: RAW|USER_ENTERED, data:[{range, values}]}
//   Authorization: Bearer <live access token> else 401 UNAUTHENTICATED. Errors are Google's
//   {"error":{"code","message","status"}}: 404 NOT_FOUND, 403 PERMISSION_DENIED, 429 RESOURCE_EXHAUSTED,
//   500 INTERNAL, 503 UNAVAILABLE, 400 INVALID_ARGUMENT ("Unable to parse range: …").
//   Cells keep what was written: RAW strings stay text; USER_ENTERED "=…" becomes a formula
//   (the control API shows it as {formula}), USER_ENTERED numeric text becomes a number.
//
// Control API (JSON):
//   POST /__control/reset                         everything back to the seed (demo spreadsheet)
//   POST /__control/account {email, deny?}         who "signs in" at the consent screen
//   POST /__control/spreadsheets {spreadsheetId, title?, sheets:[{title, sheetId?, rows:[[…]]}]}  create/replace
//   GET  /__control/spreadsheets/{id}             {spreadsheetId, title, sheets:[{title, sheetId, rows}]}
//   POST /__control/cells {spreadsheetId, range, values}   a user typing/pasting (A1 range, top-left anchored)
//   POST /__control/faults {api: sheets|oauth|*, path?: substring, status: 429|500|503|403|404|400, times?}
//   POST /__control/tokens {expire_access: true} | {revoke_refresh_for: email}   expire access tokens /
//                                                 revoke an account's grant (its access tokens die too)
//   GET  /__control/calls                         [{method, api, path, query, at, status, fault?}]
//   GET  /__control/writes                        the values:batchUpdate bodies received, in order
import http from 'node:http';
import { createHash, randomBytes } from 'node:crypto';
import { closeServer, readBody, sendJson } from './http.mjs';

export const FAKE_GOOGLE_CLIENT = { id: 'fake-google-client-id.apps.googleusercontent.com', secret: 'fake-google-client-secret' };
export const DEMO_SPREADSHEET_ID = '1DemoInflutics-Sheet_0123456789abcdefghijklmn';
const DEFAULT_EMAIL = 'demo.marketer@gmail.com';
const ACCESS_TTL_S = 3599;

/** The demo sheet a newcomer connects in `npm run dev` (links the fake platforms know). */
export function demoSpreadsheet() {
  return {
    spreadsheetId: DEMO_SPREADSHEET_ID,
    title: 'Influtics demo — campaign links',
    sheets: [
      {
        title: 'Videos',
        sheetId: 0,
        rows: [
          ['Video URL', 'Campaign', 'Notes'],
          ['https://www.tiktok.com/@demo_creator/video/7301234567890123456', 'Launch week', 'hero video'],
          ['https://www.youtube.com/shorts/dQw4w9WgXcQ', 'Launch week', ''],
          ['https://www.instagram.com/reel/C1a2B3c4D5e/', 'Launch week', 'collab'],
          ['www.tiktok.com/@second_creator/video/7309876543210987654', '', 'pasted without https'],
          ['not a link', '', 'row the resync reports as invalid'],
          ['https://www.tiktok.com/@demo_creator/video/7301234567890123456', '', 'duplicate of row 2'],
        ],
      },
      { title: 'Notes', sheetId: 1148503117, rows: [['Anything here is left alone']] },
    ],
  };
}

const b64url = (buf) => Buffer.from(buf).toString('base64url');
const sha256 = (s) => createHash('sha256').update(s).digest();
const token = (prefix) => `${prefix}${randomBytes(24).toString('base64url')}`;

// ---------- A1 notation ----------
export function columnLetter(index) {
  let n = index + 1;
  let s = '';
  while (n > 0) {
    const r = (n - 1) % 26;
    s = String.fromCharCode(65 + r) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}
const columnIndex = (letters) => [...letters.toUpperCase()].reduce((n, ch) => n * 26 + (ch.charCodeAt(0) - 64), 0) - 1;

/** `'My sheet'!A1:C10` → {sheet, r0, c0, r1, c1} (0-based, inclusive; open ends are Infinity). */
function parseA1(range) {
  const bang = range.lastIndexOf('!');
  let sheet = bang >= 0 ? range.slice(0, bang) : range;
  let cells = bang >= 0 ? range.slice(bang + 1) : '';
  if (sheet.startsWith("'") && sheet.endsWith("'")) sheet = sheet.slice(1, -1).replace(/''/g, "'");
  if (!cells) return { sheet, r0: 0, c0: 0, r1: Infinity, c1: Infinity };
  const m = /^([A-Z]*)(\d*)(?::([A-Z]*)(\d*))?$/i.exec(cells);
  if (!m || (!m[1] && !m[2])) return null;
  const [, ca, ra, cb, rb] = m;
  const single = m[3] === undefined && m[4] === undefined;
  const c0 = ca ? columnIndex(ca) : 0;
  const r0 = ra ? Number(ra) - 1 : 0;
  const c1 = single ? (ca ? c0 : Infinity) : cb ? columnIndex(cb) : Infinity;
  const r1 = single ? (ra ? r0 : Infinity) : rb ? Number(rb) - 1 : Infinity;
  if (r0 < 0 || r1 < r0 || c1 < c0) return null;
  return { sheet, r0, c0, r1, c1 };
}
const quoteSheet = (title) => (/^[A-Za-z0-9_]+$/.test(title) ? title : `'${title.replace(/'/g, "''")}'`);

// ---------- field masks (spreadsheets.get ?fields=) ----------
function parseMask(mask) {
  // "spreadsheetId,properties.title,sheets(properties(sheetId,title))" → tree
  const tree = {};
  let i = 0;
  const parseList = (node) => {
    while (i < mask.length) {
      let name = '';
      while (i < mask.length && !',()'.includes(mask[i])) name += mask[i++];
      name = name.trim();
      let target = node;
      const parts = name.split('.');
      for (const p of parts.slice(0, -1)) target = target[p] = target[p] === true ? {} : (target[p] ?? {});
      const last = parts.at(-1);
      if (mask[i] === '(') {
        i++;
        target[last] = target[last] && target[last] !== true ? target[last] : {};
        parseList(target[last]);
        i++; // ')'
      } else if (last) target[last] = true;
      if (mask[i] === ',') i++;
      else if (mask[i] === ')' || i >= mask.length) return;
    }
  };
  parseList(tree);
  return tree;
}
function applyMask(value, tree) {
  if (tree === true || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => applyMask(v, tree));
  const out = {};
  for (const [k, sub] of Object.entries(tree)) if (value[k] !== undefined) out[k] = applyMask(value[k], sub);
  return out;
}

const GOOGLE_ERRORS = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
};
const GOOGLE_MESSAGES = {
  401: 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
  403: 'The caller does not have permission',
  404: 'Requested entity was not found.',
  429: "Quota exceeded for quota metric 'Read requests' and limit 'Read requests per minute per user' of service 'sheets.googleapis.com' for consumer 'project_number:000000000000'.",
  500: 'Internal error encountered.',
  503: 'The service is currently unavailable.',
};
const googleError = (code, message) => ({ error: { code, message: message ?? GOOGLE_MESSAGES[code] ?? 'Request contains an invalid argument.', status: GOOGLE_ERRORS[code] ?? 'UNKNOWN' } });

export async function startFakeGoogle({ port = 0, host = '127.0.0.1' } = {}) {
  const state = {};
  function reset() {
    Object.assign(state, {
      account: { email: DEFAULT_EMAIL, deny: false },
      codes: new Map(), // code → {email, scopes, redirect_uri, challenge, client_id}
      refresh: new Map(), // refresh token → {email, scopes, revoked}
      access: new Map(), // access token → {email, expiresAt}
      spreadsheets: new Map(),
      faults: [],
      calls: [],
      writes: [],
    });
    putSpreadsheet(demoSpreadsheet());
  }
  function putSpreadsheet(s) {
    state.spreadsheets.set(s.spreadsheetId, {
      spreadsheetId: s.spreadsheetId,
      title: s.title ?? s.spreadsheetId,
      sheets: (s.sheets ?? [{ title: 'Sheet1' }]).map((sh, i) => ({
        title: sh.title,
        sheetId: sh.sheetId ?? (i === 0 ? 0 : 1000 + i),
        rows: (sh.rows ?? []).map((r) => [...r]),
      })),
    });
  }
  reset();

  const takeFault = (api, path) => {
    const i = state.faults.findIndex((f) => (f.api === '*' || f.api === api) && (!f.path || path.includes(f.path)));
    if (i < 0) return undefined;
    const f = state.faults[i];
    if (f.remaining !== undefined && --f.remaining <= 0) state.faults.splice(i, 1);
    return f;
  };

  // ---------- OAuth ----------
  function clientFrom(req, form) {
    const auth = req.headers.authorization ?? '';
    if (auth.startsWith('Basic ')) {
      const [id, secret] = Buffer.from(auth.slice(6), 'base64').toString().split(':').map(decodeURIComponent);
      return { id, secret };
    }
    return { id: form.get('client_id'), secret: form.get('client_secret') };
  }
  const oauthError = (res, status, error, description) => json(res, status, { error, error_description: description });
  function idToken(email) {
    const payload = { iss: 'https://accounts.google.com', aud: FAKE_GOOGLE_CLIENT.id, sub: String(sha256(email).readBigUInt64BE(0)), email, email_verified: true, iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 3600 };
    return `${b64url(JSON.stringify({ alg: 'RS256', kid: 'fake', typ: 'JWT' }))}.${b64url(JSON.stringify(payload))}.${b64url('fake-signature')}`;
  }
  function issueAccess(email) {
    const access = token('ya29.fake-');
    state.access.set(access, { email, expiresAt: Date.now() + ACCESS_TTL_S * 1000 });
    return access;
  }

  async function oauth(path, url, req, res) {
    if (path === '/o/oauth2/v2/auth' && req.method === 'GET') {
      const q = url.searchParams;
      if (q.get('client_id') !== FAKE_GOOGLE_CLIENT.id) return text(res, 401, 'Error 401: invalid_client\nThe OAuth client was not found.');
      const redirect = q.get('redirect_uri');
      if (!redirect || q.get('response_type') !== 'code') return text(res, 400, 'Error 400: invalid_request\nRequired parameter is missing: response_type or redirect_uri');
      if (!q.get('code_challenge') || q.get('code_challenge_method') !== 'S256') return text(res, 400, 'Error 400: invalid_request\nCode challenge required (S256).');
      const scopes = (q.get('scope') ?? '').split(' ').filter(Boolean);
      const target = new URL(redirect);
      if (state.account.deny) {
        target.searchParams.set('error', 'access_denied');
        if (q.get('state')) target.searchParams.set('state', q.get('state'));
        return redirectTo(res, target);
      }
      const code = `4/0${token('')}`;
      state.codes.set(code, { email: state.account.email, scopes, redirect_uri: redirect, challenge: q.get('code_challenge'), client_id: q.get('client_id') });
      if (q.get('state')) target.searchParams.set('state', q.get('state'));
      target.searchParams.set('code', code);
      target.searchParams.set('scope', scopes.join(' '));
      return redirectTo(res, target);
    }
    if (path === '/token' && req.method === 'POST') {
      const form = new URLSearchParams(await readBody(req));
      const client = clientFrom(req, form);
      if (client.id !== FAKE_GOOGLE_CLIENT.id || client.secret !== FAKE_GOOGLE_CLIENT.secret) return oauthError(res, 401, 'invalid_client', 'Unauthorized');
      const grant = form.get('grant_type');
      if (grant === 'authorization_code') {
        const code = state.codes.get(form.get('code') ?? '');
        if (!code) return oauthError(res, 400, 'invalid_grant', 'Bad Request');
        state.codes.delete(form.get('code')); // codes are single use
        if (code.redirect_uri !== form.get('redirect_uri')) return oauthError(res, 400, 'redirect_uri_mismatch', 'Bad Request');
        const verifier = form.get('code_verifier') ?? '';
        if (!verifier || b64url(sha256(verifier)) !== code.challenge) return oauthError(res, 400, 'invalid_grant', 'Invalid code verifier.');
        const refresh = token('1//0fake-');
        state.refresh.set(refresh, { email: code.email, scopes: code.scopes, revoked: false });
        return json(res, 200, { access_token: issueAccess(code.email), expires_in: ACCESS_TTL_S, refresh_token: refresh, scope: code.scopes.join(' '), token_type: 'Bearer', id_token: idToken(code.email) });
      }
      if (grant === 'refresh_token') {
        const r = state.refresh.get(form.get('refresh_token') ?? '');
        if (!r || r.revoked) return oauthError(res, 400, 'invalid_grant', 'Token has been expired or revoked.');
        return json(res, 200, { access_token: issueAccess(r.email), expires_in: ACCESS_TTL_S, scope: r.scopes.join(' '), token_type: 'Bearer', id_token: idToken(r.email) });
      }
      return oauthError(res, 400, 'unsupported_grant_type', `Invalid grant_type: ${grant}`);
    }
    if (path === '/revoke' && req.method === 'POST') {
      const form = new URLSearchParams(await readBody(req));
      const t = form.get('token') ?? '';
      const r = state.refresh.get(t);
      if (r && !r.revoked) {
        r.revoked = true;
        for (const [a, info] of state.access) if (info.email === r.email) state.access.delete(a);
        return json(res, 200, {});
      }
      if (state.access.delete(t)) return json(res, 200, {});
      return oauthError(res, 400, 'invalid_token', 'Token expired or revoked');
    }
    return json(res, 404, { error: 'not_found' });
  }

  // ---------- Sheets ----------
  function sheetJson(s) {
    return {
      spreadsheetId: s.spreadsheetId,
      properties: { title: s.title, locale: 'en_US', autoRecalc: 'ON_CHANGE', timeZone: 'Etc/GMT' },
      sheets: s.sheets.map((sh, index) => ({
        properties: {
          sheetId: sh.sheetId,
          title: sh.title,
          index,
          sheetType: 'GRID',
          gridProperties: { rowCount: Math.max(1000, sh.rows.length), columnCount: Math.max(26, ...sh.rows.map((r) => r.length)) },
        },
      })),
      spreadsheetUrl: `https://docs.google.com/spreadsheets/d/${s.spreadsheetId}/edit`,
    };
  }
  function renderCell(cell, render) {
    if (cell === null || cell === undefined) return '';
    if (typeof cell === 'object' && 'formula' in cell) return render === 'FORMULA' ? cell.formula : '#NAME?';
    if (typeof cell === 'number') return render === 'UNFORMATTED_VALUE' ? cell : String(cell);
    if (typeof cell === 'boolean') return render === 'UNFORMATTED_VALUE' ? cell : cell ? 'TRUE' : 'FALSE';
    return String(cell);
  }
  function readRange(s, range, render) {
    const a1 = parseA1(range);
    if (!a1) return { error: `Unable to parse range: ${range}` };
    const sh = s.sheets.find((x) => x.title === a1.sheet);
    if (!sh) return { error: `Unable to parse range: ${range}` };
    const values = [];
    for (let r = a1.r0; r <= Math.min(a1.r1, sh.rows.length - 1); r++) {
      const row = sh.rows[r] ?? [];
      const out = [];
      for (let c = a1.c0; c <= Math.min(a1.c1, row.length - 1); c++) out.push(renderCell(row[c], render));
      while (out.length && out.at(-1) === '') out.pop(); // Google omits trailing empty cells…
      values.push(out);
    }
    while (values.length && values.at(-1).length === 0) values.pop(); // …and trailing empty rows
    const lastCol = Number.isFinite(a1.c1) ? a1.c1 : Math.max(25, ...sh.rows.map((r) => r.length - 1));
    const lastRow = Number.isFinite(a1.r1) ? a1.r1 : Math.max(999, sh.rows.length - 1);
    const vr = { range: `${quoteSheet(sh.title)}!${columnLetter(a1.c0)}${a1.r0 + 1}:${columnLetter(lastCol)}${lastRow + 1}`, majorDimension: 'ROWS' };
    if (values.length) vr.values = values;
    return { valueRange: vr };
  }
  function writeRange(s, range, values, inputOption) {
    const a1 = parseA1(range);
    if (!a1) return { error: `Unable to parse range: ${range}` };
    const sh = s.sheets.find((x) => x.title === a1.sheet);
    if (!sh) return { error: `Unable to parse range: ${range}` };
    let cells = 0;
    let cols = 0;
    values.forEach((row, i) => {
      const r = a1.r0 + i;
      while (sh.rows.length <= r) sh.rows.push([]);
      const target = sh.rows[r];
      row.forEach((v, j) => {
        const c = a1.c0 + j;
        if (v === null) return; // null leaves the cell as it is
        while (target.length <= c) target.push('');
        let stored = v;
        if (inputOption === 'USER_ENTERED' && typeof v === 'string') {
          if (v.startsWith('=')) stored = { formula: v };
          else if (v.trim() !== '' && !Number.isNaN(Number(v))) stored = Number(v);
        }
        target[c] = stored;
        cells++;
      });
      cols = Math.max(cols, row.length);
    });
    return { response: { spreadsheetId: s.spreadsheetId, updatedRange: `${quoteSheet(sh.title)}!${columnLetter(a1.c0)}${a1.r0 + 1}:${columnLetter(a1.c0 + Math.max(0, cols - 1))}${a1.r0 + values.length}`, updatedRows: values.length, updatedColumns: cols, updatedCells: cells } };
  }

  async function sheets(path, url, req, res) {
    const auth = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const access = auth ? state.access.get(auth) : undefined;
    if (!access || access.expiresAt <= Date.now()) return json(res, 401, googleError(401));
    const m = /^\/v4\/spreadsheets\/([^/:]+)(?:\/values:(batchGet|batchUpdate))?$/.exec(path);
    if (!m) return json(res, 404, googleError(404));
    const s = state.spreadsheets.get(decodeURIComponent(m[1]));
    if (!s) return json(res, 404, googleError(404));
    if (!m[2] && req.method === 'GET') {
      const fields = url.searchParams.get('fields');
      const body = sheetJson(s);
      return json(res, 200, fields ? applyMask(body, parseMask(fields)) : body);
    }
    if (m[2] === 'batchGet' && req.method === 'GET') {
      const ranges = url.searchParams.getAll('ranges');
      const render = url.searchParams.get('valueRenderOption') ?? 'FORMATTED_VALUE';
      const valueRanges = [];
      for (const range of ranges) {
        const r = readRange(s, range, render);
        if (r.error) return json(res, 400, googleError(400, r.error));
        valueRanges.push(r.valueRange);
      }
      return json(res, 200, { spreadsheetId: s.spreadsheetId, valueRanges });
    }
    if (m[2] === 'batchUpdate' && req.method === 'POST') {
      const raw = await readBody(req);
      let body;
      try {
        body = JSON.parse(raw);
      } catch {
        return json(res, 400, googleError(400, 'Invalid JSON payload received.'));
      }
      if (!['RAW', 'USER_ENTERED'].includes(body.valueInputOption)) return json(res, 400, googleError(400, "Invalid valueInputOption: INPUT_VALUE_OPTION_UNSPECIFIED"));
      if (!Array.isArray(body.data)) return json(res, 400, googleError(400, 'Invalid data[]'));
      // atomic: validate every range before writing any
      for (const d of body.data) {
        const a1 = parseA1(String(d.range));
        if (!a1 || !s.sheets.some((x) => x.title === a1.sheet)) return json(res, 400, googleError(400, `Unable to parse range: ${d.range}`));
      }
      state.writes.push({ spreadsheetId: s.spreadsheetId, bytes: Buffer.byteLength(raw), ...body });
      const responses = body.data.map((d) => writeRange(s, d.range, d.values ?? [], body.valueInputOption).response);
      const sum = (k) => responses.reduce((n, r) => n + r[k], 0);
      return json(res, 200, {
        spreadsheetId: s.spreadsheetId,
        totalUpdatedRows: sum('updatedRows'),
        totalUpdatedColumns: Math.max(0, ...responses.map((r) => r.updatedColumns)),
        totalUpdatedCells: sum('updatedCells'),
        totalUpdatedSheets: new Set(responses.map((r) => r.updatedRange.split('!')[0])).size,
        responses,
      });
    }
    return json(res, 404, googleError(404));
  }

  // ---------- control ----------
  async function control(path, req, res) {
    const body = req.method === 'POST' ? JSON.parse((await readBody(req)) || '{}') : {};
    if (path === '/reset' && req.method === 'POST') {
      reset();
      return json(res, 200, { ok: true });
    }
    if (path === '/account' && req.method === 'POST') {
      state.account = { email: body.email ?? DEFAULT_EMAIL, deny: Boolean(body.deny) };
      return json(res, 200, { ok: true });
    }
    if (path === '/spreadsheets' && req.method === 'POST') {
      if (!body.spreadsheetId) return json(res, 400, { error: 'spreadsheetId is required' });
      putSpreadsheet(body);
      return json(res, 200, { ok: true });
    }
    const sm = /^\/spreadsheets\/(.+)$/.exec(path);
    if (sm && req.method === 'GET') {
      const s = state.spreadsheets.get(decodeURIComponent(sm[1]));
      if (!s) return json(res, 404, { error: 'no such spreadsheet' });
      return json(res, 200, s);
    }
    if (path === '/cells' && req.method === 'POST') {
      const s = state.spreadsheets.get(body.spreadsheetId);
      if (!s) return json(res, 404, { error: 'no such spreadsheet' });
      const r = writeRange(s, body.range, body.values ?? [], 'RAW');
      if (r.error) return json(res, 400, { error: r.error });
      return json(res, 200, { ok: true });
    }
    if (path === '/faults' && req.method === 'POST') {
      if (![400, 403, 404, 429, 500, 503].includes(body.status)) return json(res, 400, { error: 'status must be one of 400, 403, 404, 429, 500, 503' });
      state.faults.push({ api: body.api ?? 'sheets', path: body.path, status: body.status, remaining: body.times });
      return json(res, 200, { ok: true });
    }
    if (path === '/tokens' && req.method === 'POST') {
      if (body.expire_access) for (const a of state.access.values()) a.expiresAt = 0;
      if (body.revoke_refresh_for) {
        // the user removed our access at myaccount.google.com: every token of the grant dies
        for (const r of state.refresh.values()) if (r.email === body.revoke_refresh_for) r.revoked = true;
        for (const [a, info] of state.access) if (info.email === body.revoke_refresh_for) state.access.delete(a);
      }
      return json(res, 200, { ok: true });
    }
    if (path === '/calls' && req.method === 'GET') return json(res, 200, state.calls);
    if (path === '/writes' && req.method === 'GET') return json(res, 200, state.writes);
    return json(res, 404, { error: `unknown control endpoint ${req.method} /__control${path}` });
  }

  const server = http.createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://fake');
      const path = decodeURIComponent(url.pathname).replace(/%3A/gi, ':');
      if (path.startsWith('/__control')) return await control(path.slice('/__control'.length), req, res);
      const api = path.startsWith('/v4/') ? 'sheets' : 'oauth';
      const call = { method: req.method, api, path, query: Object.fromEntries(url.searchParams), at: new Date().toISOString() };
      state.calls.push(call);
      const fault = takeFault(api, `${path}${url.search}`);
      if (fault) {
        call.fault = fault.status;
        call.status = fault.status;
        if (api === 'oauth') return json(res, fault.status, { error: fault.status >= 500 ? 'server_error' : 'temporarily_unavailable', error_description: 'fake fault' });
        return json(res, fault.status, googleError(fault.status));
      }
      const origEnd = res.end.bind(res);
      res.end = (...a) => {
        call.status = res.statusCode;
        return origEnd(...a);
      };
      if (api === 'sheets') return await sheets(path, url, req, res);
      return await oauth(path, url, req, res);
    } catch (err) {
      return json(res, 500, googleError(500, `fake server error: ${err instanceof Error ? err.message : String(err)}`));
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
    /** the Worker vars that point at this fake */
    vars: {
      GOOGLE_AUTHORIZE_URL: `${url}/o/oauth2/v2/auth`,
      GOOGLE_TOKEN_URL: `${url}/token`,
      GOOGLE_REVOKE_URL: `${url}/revoke`,
      GOOGLE_SHEETS_API_BASE_URL: url,
      GOOGLE_CLIENT_ID: FAKE_GOOGLE_CLIENT.id,
      GOOGLE_CLIENT_SECRET: FAKE_GOOGLE_CLIENT.secret,
    },
    state,
    close: () => closeServer(server),
  };
}

/** Google answers JSON as `application/json; charset=UTF-8`. */
const json = (res, status, body, headers = {}) => sendJson(res, status, body, { 'content-type': 'application/json; charset=UTF-8', ...headers });
function text(res, status, body) {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
  res.end(body);
}
function redirectTo(res, target) {
  res.writeHead(302, { location: target.toString() });
  res.end();
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  const i = process.argv.indexOf('--port');
  const fake = await startFakeGoogle({ port: i > 0 ? Number(process.argv[i + 1]) : 8793 });
  console.log(`fake Google on ${fake.url} (control: ${fake.url}/__control)`);
  const stop = () => fake.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
