import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { call, tokenFor } from '../helpers/api';
import { adminSql, addMember, createOrganization } from '../helpers/db';
import { decryptToken, encryptToken, parseTokenKeys } from '../../src/google/token-crypto';
import { signState, verifyState } from '../../src/google/oauth';
import { connectGoogle, fakeGoogle } from './support';
import { FAKE_GOOGLE_CLIENT } from '../fakes/google.mjs';

const sql = adminSql();

beforeAll(async () => {
  await fakeGoogle.reset();
});

describe('GET /integrations/google/authorize', () => {
  it('answers Google’s consent URL: PKCE S256, offline access, incremental scopes, drive.file by default', async () => {
    const f = await createOrganization(sql);
    const res = await call('GET', '/integrations/google/authorize', { token: await tokenFor(f.userId), orgId: f.orgId });
    expect(res.status).toBe(200);
    const url = new URL(res.body.url);
    expect(`${url.origin}${url.pathname}`).toBe(`${fakeGoogle.url()}/o/oauth2/v2/auth`);
    expect(url.searchParams.get('response_type')).toBe('code');
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(url.searchParams.get('access_type')).toBe('offline');
    expect(url.searchParams.get('include_granted_scopes')).toBe('true');
    expect(url.searchParams.get('scope')!.split(' ')).toEqual(['openid', 'email', 'https://www.googleapis.com/auth/drive.file']);
    expect(url.searchParams.get('redirect_uri')).toBe('http://influtics.test/integrations/google/callback');
    expect(Date.parse(res.body.state_expires_at) - Date.now()).toBeGreaterThan(9 * 60_000);
  });

  it('asks for the spreadsheets scope when configured, and refuses unknown scopes', async () => {
    const f = await createOrganization(sql);
    const token = await tokenFor(f.userId);
    const res = await call('GET', '/integrations/google/authorize?scopes=spreadsheets', { token, orgId: f.orgId });
    expect(new URL(res.body.url).searchParams.get('scope')).toContain('https://www.googleapis.com/auth/spreadsheets');
    const bad = await call('GET', '/integrations/google/authorize?scopes=drive', { token, orgId: f.orgId });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('validation_failed');
  });

  it('is refused to viewers and to callers without a token', async () => {
    const f = await createOrganization(sql);
    const viewer = await addMember(sql, f.orgId, 'viewer');
    expect((await call('GET', '/integrations/google/authorize', { token: await tokenFor(viewer.userId), orgId: f.orgId })).status).toBe(403);
    expect((await call('GET', '/integrations/google/authorize')).status).toBe(401);
  });
});

describe('GET /integrations/google/callback', () => {
  it('connects the account: email and scopes stored, tokens only as AES-GCM ciphertext in the service-only table', async () => {
    const f = await createOrganization(sql);
    const email = `marketer-${f.userId.slice(0, 6)}@gmail.com`;
    const { res, integrationId, token } = await connectGoogle(f, { email });
    expect(res.status).toBe(201);
    expect(res.body.integration).toMatchObject({ google_email: email, status: 'active', sources: 0 });
    expect(res.body.integration.scopes).toContain('https://www.googleapis.com/auth/drive.file');

    // the fake issued these tokens: find them and prove no table, response or registry holds them in clear
    const calls = await fakeGoogle.calls();
    expect(calls.some((c) => c.path === '/token' && c.status === 200)).toBe(true);
    const [creds] = await sql`select * from google_oauth_credentials where integration_id = ${integrationId}`;
    expect(creds!.refresh_token_ciphertext).toMatch(/^test2\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    const keys = await parseTokenKeys(env.GOOGLE_TOKEN_KEYS);
    const refresh = await decryptToken(keys, creds!.refresh_token_ciphertext, f.orgId, integrationId);
    const access = await decryptToken(keys, creds!.access_token_ciphertext, f.orgId, integrationId);
    expect(refresh).toMatch(/^1\/\/0fake-/);
    expect(access).toMatch(/^ya29\.fake-/);
    const [integration] = await sql`select to_jsonb(i)::text as row from google_sheet_integrations i where id = ${integrationId}`;
    const [everything] = await sql`select
      (select coalesce(string_agg(to_jsonb(i)::text, ''), '') from google_sheet_integrations i) ||
      (select coalesce(string_agg(to_jsonb(w)::text, ''), '') from workflow_runs w) ||
      (select coalesce(string_agg(to_jsonb(s)::text, ''), '') from google_oauth_states s) ||
      (select coalesce(string_agg(c.refresh_token_ciphertext || c.access_token_ciphertext, ''), '') from google_oauth_credentials c) as text`;
    for (const secret of [refresh, access]) {
      expect(integration!.row).not.toContain(secret);
      expect(everything!.text).not.toContain(secret);
      expect(JSON.stringify(res.body)).not.toContain(secret);
    }
    const list = await call('GET', '/integrations/google', { token, orgId: f.orgId });
    expect(list.body.data).toHaveLength(1);
    expect(JSON.stringify(list.body)).not.toContain(refresh);
    expect(JSON.stringify(list.body)).not.toMatch(/ciphertext|token/);
  });

  it('refuses a tampered state, a replayed state and an expired state', async () => {
    const f = await createOrganization(sql);
    const { location, res } = await connectGoogle(f);
    expect(res.status).toBe(201);
    // replay: the same state and code again
    const replay = await call('GET', `/integrations/google/callback${location.search}`);
    expect(replay.status).toBe(400);
    expect(replay.body.error.message).toMatch(/already used/);

    // tamper: another organization in the signed payload
    const other = await createOrganization(sql);
    const token = await tokenFor(f.userId);
    const auth = await call('GET', '/integrations/google/authorize', { token, orgId: f.orgId });
    const state = new URL(auth.body.url).searchParams.get('state')!;
    const [body, sig] = state.split('.');
    const payload = JSON.parse(atob(body!.replace(/-/g, '+').replace(/_/g, '/')));
    const forged = btoa(JSON.stringify({ ...payload, o: other.orgId })).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    const tampered = await call('GET', `/integrations/google/callback?state=${forged}.${sig}&code=anything`);
    expect(tampered.status).toBe(400);
    expect(tampered.body.error.message).toMatch(/tampered/);
    expect((await sql`select count(*)::int as n from google_sheet_integrations where organization_id = ${other.orgId}`)[0]!.n).toBe(0);

    // expired: a correctly signed state past its 10 minutes
    const keys = await parseTokenKeys(env.GOOGLE_TOKEN_KEYS);
    const expired = await signState(keys, { n: 'x'.repeat(32), u: f.userId, o: f.orgId, e: Math.floor(Date.now() / 1000) - 1 });
    const late = await call('GET', `/integrations/google/callback?state=${expired}&code=anything`);
    expect(late.status).toBe(400);
    expect(late.body.error.message).toMatch(/expired/);
    expect((await verifyState(keys, expired)).ok).toBe(false);
  });

  it('a refused consent connects nothing', async () => {
    const f = await createOrganization(sql);
    await fakeGoogle.account('nope@gmail.com', true);
    const token = await tokenFor(f.userId);
    const auth = await call('GET', '/integrations/google/authorize', { token, orgId: f.orgId });
    const consent = await fetch(auth.body.url, { redirect: 'manual' });
    const res = await call('GET', `/integrations/google/callback${new URL(consent.headers.get('location')!).search}`);
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual({ google_error: 'access_denied' });
    expect((await call('GET', '/integrations/google', { token, orgId: f.orgId })).body.data).toEqual([]);
    await fakeGoogle.account('someone@gmail.com');
  });
});

describe('DELETE /integrations/google/:id', () => {
  it('revokes the grant at Google, then deletes the integration and its credentials', async () => {
    const f = await createOrganization(sql);
    const { integrationId, token } = await connectGoogle(f);
    const [creds] = await sql`select refresh_token_ciphertext from google_oauth_credentials where integration_id = ${integrationId}`;
    const refresh = await decryptToken(await parseTokenKeys(env.GOOGLE_TOKEN_KEYS), creds!.refresh_token_ciphertext, f.orgId, integrationId);
    const res = await call('DELETE', `/integrations/google/${integrationId}`, { token, orgId: f.orgId });
    expect(res.body).toEqual({ deleted: true, revoked_at_google: true });
    expect((await sql`select count(*)::int as n from google_oauth_credentials where integration_id = ${integrationId}`)[0]!.n).toBe(0);
    // the grant is dead at Google
    const r = await fetch(`${fakeGoogle.url()}/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refresh, client_id: FAKE_GOOGLE_CLIENT.id, client_secret: FAKE_GOOGLE_CLIENT.secret }) });
    expect(await r.json()).toEqual({ error: 'invalid_grant', error_description: 'Token has been expired or revoked.' });
  });

  it('another organization’s integration is 404 on every route, and nothing changes', async () => {
    const f = await createOrganization(sql);
    const { integrationId } = await connectGoogle(f);
    const stranger = await createOrganization(sql);
    const token = await tokenFor(stranger.userId);
    for (const [method, path] of [
      ['DELETE', `/integrations/google/${integrationId}`],
      ['GET', `/integrations/google/${integrationId}/spreadsheets/1DemoInflutics-Sheet_0123456789abcdefghijklmn/sheets`],
    ] as const) {
      const res = await call(method, path, { token, orgId: stranger.orgId });
      expect(res.status, path).toBe(404);
    }
    expect((await call('GET', '/integrations/google', { token, orgId: stranger.orgId })).body.data).toEqual([]);
    expect((await sql`select count(*)::int as n from google_sheet_integrations where id = ${integrationId}`)[0]!.n).toBe(1);
  });
});

describe('token encryption', () => {
  it('binds a ciphertext to its organization and integration, and old keys still decrypt after rotation', async () => {
    const keys = await parseTokenKeys(env.GOOGLE_TOKEN_KEYS);
    const org = crypto.randomUUID();
    const integration = crypto.randomUUID();
    const { ciphertext, keyId } = await encryptToken(keys, 'secret-token', org, integration);
    expect(keyId).toBe('test2');
    expect(await decryptToken(keys, ciphertext, org, integration)).toBe('secret-token');
    await expect(decryptToken(keys, ciphertext, org, crypto.randomUUID())).rejects.toThrow();
    // a row encrypted under the older key (second in the list) still decrypts
    const rotatedOut = await parseTokenKeys(env.GOOGLE_TOKEN_KEYS.split(',').reverse().join(','));
    const old = await encryptToken(rotatedOut, 'older-token', org, integration);
    expect(old.keyId).toBe('test1');
    expect(await decryptToken(keys, old.ciphertext, org, integration)).toBe('older-token');
  });
});
