import { z } from '@hono/zod-openapi';
import { consumeOAuthState, deleteIntegration, findIntegration, insertOAuthState, listIntegrations, loadCredentials, memberRole, saveCredentials, upsertIntegration } from '../../db/google-sheets';
import { authorizationUrl, exchangeCode, generateCodeVerifier, OAuth2RequestError, revokeToken, SCOPES, signState, STATE_TTL_SECONDS, tokenKeys, verifyState, type ScopeName } from '../../google/oauth';
import { base64url, decryptToken, encryptToken } from '../../google/token-crypto';
import { SPREADSHEET_FIELDS } from '../../google/sheets-api';
import { forgetAccessToken } from '../../steps/google-token';
import { asCaller } from '../caller';
import { ApiError, notFound } from '../errors';
import { assertCan, type OrgRole } from '../permissions';
import { defineRoute, json, router } from '../openapi/route';
import { List, Timestamp } from '../openapi/schemas';
import { Integration } from './responses';
import { google, integrationJson, sheetsApiFor } from './shared';

export const AuthorizeQuery = z.object({
  /** `drive.file` (default, non-sensitive) or `spreadsheets` (every sheet of the account; sensitive) */
  scopes: z
    .string()
    .default('drive.file')
    .transform((s) => [...new Set(s.split(',').map((x) => x.trim()).filter(Boolean))])
    .pipe(z.array(z.enum(Object.keys(SCOPES) as [ScopeName, ...ScopeName[]])).min(1)),
});
export const CallbackQuery = z.object({
  state: z.string().min(1).max(2000),
  code: z.string().min(1).max(2000).optional(),
  error: z.string().max(200).optional(),
  scope: z.string().max(2000).optional(),
});
const IdParam = z.object({ id: z.uuid() });
const SheetsParam = z.object({ id: z.uuid(), spreadsheetId: z.string().regex(/^[A-Za-z0-9_-]{10,200}$/, 'not a Google spreadsheet id') });

const badState = (why: string) => new ApiError('bad_request', `invalid OAuth state: ${why}; start again from GET /integrations/google/authorize`, { reason: why });

const T = ['Google Sheets'];
const callbackRoute = defineRoute('public', {
  method: 'get', path: '/callback', tags: T, summary: 'Google’s OAuth callback',
  description: 'Google redirects the browser here: no bearer token. The signed, single-use state names the user and organization that asked (10 minutes).',
  request: { query: CallbackQuery }, responses: { 201: json(z.object({ integration: Integration }), 'The connected Google account') },
}, { errors: ['bad_request', 'not_a_member', 'forbidden', 'unprocessable'] });
const authorizeRoute = defineRoute('tenant', {
  method: 'get', path: '/authorize', tags: T, summary: 'Start connecting a Google account', description: 'Send the browser to `url`; Google comes back to /integrations/google/callback.',
  request: { query: AuthorizeQuery }, responses: { 200: json(z.object({ url: z.string(), state_expires_at: Timestamp, scopes: z.array(z.string()) }), 'Google’s consent URL') },
}, { errors: ['forbidden'] });
const listRoute = defineRoute('tenant', { method: 'get', path: '/', tags: T, summary: 'Connected Google accounts', responses: { 200: json(List(Integration), 'The integrations') } });
const deleteRoute = defineRoute('tenant', {
  method: 'delete', path: '/{id}', tags: T, summary: 'Disconnect a Google account', description: 'Revokes the token at Google, then deletes the integration and its sources.',
  request: { params: IdParam }, responses: { 200: json(z.object({ deleted: z.literal(true), revoked_at_google: z.boolean() }), 'Disconnected') },
}, { errors: ['forbidden', 'not_found', 'bad_gateway'] });
const sheetsRoute = defineRoute('tenant', {
  method: 'get', path: '/{id}/spreadsheets/{spreadsheetId}/sheets', tags: T, summary: 'A spreadsheet’s worksheets', request: { params: SheetsParam },
  responses: {
    200: json(
      z.object({
        spreadsheet_id: z.string(),
        title: z.string().nullable(),
        sheets: z.array(z.object({ sheet_id: z.number().int(), title: z.string(), index: z.number().int().nullable(), row_count: z.number().int().nullable(), column_count: z.number().int().nullable() })),
      }),
      'The worksheets',
    ),
  },
}, { errors: ['not_found', 'conflict', 'unprocessable', 'bad_gateway', 'rate_limited'] });

/** GET /integrations/google/callback: public (mounted without a guard in src/http/app.ts). */
export const googleCallback = router()
  // Google redirects the browser here: no bearer token. The signed, single-use state names the
  // user and organization that asked, and expires after 10 minutes.
  .openapi(callbackRoute, async (c) => {
    const q = c.req.valid('query');
    const keys = await tokenKeys(c.env);
    const checked = await verifyState(keys, q.state);
    if (!checked.ok) throw badState(checked.reason === 'expired' ? 'expired' : checked.reason === 'bad_signature' ? 'signature does not match (tampered)' : 'malformed');
    const sql = c.get('sql');
    const pending = await consumeOAuthState(sql, checked.payload.n);
    if (!pending) throw badState('already used');
    if (pending.expired) throw badState('expired');
    if (pending.user_id !== checked.payload.u || pending.organization_id !== checked.payload.o) throw badState('does not match its request');
    if (q.error) throw new ApiError('bad_request', `Google consent was not given (${q.error})`, { google_error: q.error });
    if (!q.code) throw new ApiError('validation_failed', 'invalid request query', { issues: [{ path: 'code', message: 'Required' }] });
    const role = (await memberRole(sql, pending.organization_id, pending.user_id)) as OrgRole | undefined;
    if (!role) throw new ApiError('not_a_member', 'you are no longer a member of this organization');
    assertCan(role, 'imports.write');

    let granted;
    try {
      granted = await exchangeCode(c.env, q.code, pending.code_verifier);
    } catch (err) {
      if (err instanceof OAuth2RequestError) throw new ApiError('bad_request', `Google refused the authorization code (${err.code}): start again`, { google_error: err.code });
      throw new ApiError('bad_gateway', 'Google did not answer the token exchange: try again');
    }
    if (!granted.refreshToken) throw new ApiError('unprocessable', 'Google returned no refresh token: remove Influtics at myaccount.google.com/permissions and connect again');
    if (!granted.email) throw new ApiError('unprocessable', 'Google did not share the account email (the email scope was refused)');
    const refreshToken = granted.refreshToken;
    const integrationId = await sql.begin(async (tx) => {
      const id = await upsertIntegration(tx, { organizationId: pending.organization_id, userId: pending.user_id, email: granted.email!, scopes: granted.scopes });
      const refresh = await encryptToken(keys, refreshToken, pending.organization_id, id);
      const access = await encryptToken(keys, granted.accessToken, pending.organization_id, id);
      await saveCredentials(tx, { integrationId: id, organizationId: pending.organization_id, refreshCiphertext: refresh.ciphertext, accessCiphertext: access.ciphertext, accessExpiresAt: granted.accessTokenExpiresAt, keyId: keys.current.id });
      return id;
    });
    forgetAccessToken(integrationId);
    const integration = await findIntegration(sql, pending.organization_id, integrationId);
    return c.json({ integration: integrationJson(integration!) }, 201);
  });

/** The tenant routes of /integrations/google (guarded where they are mounted: src/http/mount.ts). */
export const googleIntegrations = router()
  .openapi(authorizeRoute, async (c) => {
    const org = c.get('org');
    assertCan(org.role, 'imports.write');
    const { scopes } = c.req.valid('query');
    const keys = await tokenKeys(c.env);
    const nonce = base64url.encode(crypto.getRandomValues(new Uint8Array(24)));
    const codeVerifier = generateCodeVerifier();
    const expiresAt = new Date(Date.now() + STATE_TTL_SECONDS * 1000);
    await insertOAuthState(c.get('sql'), { nonce, organization_id: org.id, user_id: c.get('user').id, code_verifier: codeVerifier, scopes: scopes.join(' '), expiresAt });
    const state = await signState(keys, { n: nonce, u: c.get('user').id, o: org.id, e: Math.floor(expiresAt.getTime() / 1000) });
    return c.json({ url: authorizationUrl(c.env, state, codeVerifier, scopes).toString(), state_expires_at: expiresAt.toISOString(), scopes }, 200);
  })

  .openapi(listRoute, async (c) => {
    const rows = await asCaller(c, (tx) => listIntegrations(tx, c.get('org').id));
    return c.json({ data: rows.map(integrationJson) }, 200);
  })

  .openapi(deleteRoute, async (c) => {
    const org = c.get('org');
    const { id } = c.req.valid('param');
    const integration = await asCaller(c, (tx) => findIntegration(tx, org.id, id));
    if (!integration) throw notFound('Google integration');
    assertCan(org.role, 'imports.write');
    const sql = c.get('sql');
    const creds = await loadCredentials(sql, id);
    let revoked = false;
    if (creds) {
      const token = await decryptToken(await tokenKeys(c.env), creds.refresh_token_ciphertext, org.id, id);
      try {
        await revokeToken(c.env, token);
        revoked = true;
      } catch (err) {
        // already revoked at Google (invalid_token): nothing left to revoke, deleting is right
        if (!(err instanceof OAuth2RequestError)) throw new ApiError('bad_gateway', 'Google did not answer the revocation: nothing was deleted, try again');
      }
    }
    await deleteIntegration(sql, org.id, id);
    forgetAccessToken(id);
    return c.json({ deleted: true as const, revoked_at_google: revoked }, 200);
  })

  .openapi(sheetsRoute, async (c) => {
    const org = c.get('org');
    const { id, spreadsheetId } = c.req.valid('param');
    const integration = await asCaller(c, (tx) => findIntegration(tx, org.id, id));
    if (!integration) throw notFound('Google integration');
    const api = await sheetsApiFor(c, integration);
    const meta = await google(() => api.getSpreadsheet(spreadsheetId, SPREADSHEET_FIELDS));
    return c.json({
      spreadsheet_id: spreadsheetId,
      title: meta.properties?.title ?? null,
      sheets: meta.sheets.map((s) => ({
        sheet_id: s.properties.sheetId,
        title: s.properties.title,
        index: s.properties.index ?? null,
        row_count: s.properties.gridProperties?.rowCount ?? null,
        column_count: s.properties.gridProperties?.columnCount ?? null,
      })),
    }, 200);
  });

