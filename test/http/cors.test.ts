import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { checkConfig } from '../../src/env';
import { call, tokenFor } from '../helpers/api';
import { adminSql, createOrganization } from '../helpers/db';

/**
 * A browser frontend on an allowed origin (CORS_ORIGINS, wrangler.jsonc) can call the API with its
 * bearer token and organization header; any other origin gets no CORS headers, so browsers refuse it.
 */
const sql = adminSql();
const allowed = env.CORS_ORIGINS.split(',')[0]!;
const stranger = 'https://evil.example';

const preflight = (origin: string, path = '/dashboard/videos') =>
  call('OPTIONS', path, {
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type, x-organization-id' },
  });

describe('CORS', () => {
  it('answers a preflight from an allowed origin without a token: credentials, the bearer token and the organization header allowed', async () => {
    const res = await preflight(allowed);
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(allowed);
    expect(res.headers.get('access-control-allow-credentials')).toBe('true');
    expect(res.headers.get('access-control-allow-methods')?.split(',')).toEqual(expect.arrayContaining(['GET', 'POST', 'PATCH', 'DELETE']));
    expect(res.headers.get('access-control-allow-headers')?.toLowerCase().split(',')).toEqual(expect.arrayContaining(['authorization', 'content-type', 'x-organization-id']));
    expect(res.headers.get('vary')).toMatch(/origin/i);
  });

  it('gives an origin that is not listed no CORS headers', async () => {
    const res = await preflight(stranger);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    const get = await call('GET', '/health', { headers: { origin: stranger } });
    expect(get.status).toBe(200);
    expect(get.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('lets the allowed origin read answers and errors alike (the error envelope too)', async () => {
    const org = await createOrganization(sql);
    const ok = await call('GET', '/dashboard/videos', { token: await tokenFor(org.userId), orgId: org.orgId, headers: { origin: allowed } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe(allowed);
    expect(ok.headers.get('access-control-allow-credentials')).toBe('true');
    const denied = await call('GET', '/dashboard/videos', { headers: { origin: allowed } });
    expect(denied.status).toBe(401);
    expect(denied.body.error.code).toBe('unauthorized');
    expect(denied.headers.get('access-control-allow-origin')).toBe(allowed);
  });

  it('CORS_ORIGINS is part of the one config schema: a list of origins, each checked', () => {
    expect(checkConfig({ ...env, CORS_ORIGINS: ' https://a.example , http://localhost:3000 ' } as unknown as Env).CORS_ORIGINS).toEqual(['https://a.example', 'http://localhost:3000']);
    expect(checkConfig({ ...env, CORS_ORIGINS: '' } as unknown as Env).CORS_ORIGINS).toEqual([]);
    expect(() => checkConfig({ ...env, CORS_ORIGINS: 'https://a.example/app' } as unknown as Env)).toThrow(/CORS_ORIGINS: each entry is an origin/);
    expect(() => checkConfig({ ...env, CORS_ORIGINS: 'app.example' } as unknown as Env)).toThrow(/CORS_ORIGINS/);
  });
});
