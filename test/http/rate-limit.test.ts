import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import worker from '../../src/index';
import { call, tokenFor } from '../helpers/api';
import { addMember, adminSql, createOrganization, type Fixture } from '../helpers/db';

/**
 * Per-user and per-organization rate limits. The Worker runs here with its real middleware over
 * real (Miniflare) Rate Limiting bindings; only the budgets are small: the TEST_* bindings of
 * vitest.config.ts allow 3 requests a minute per user and 5 per organization.
 */
const sql = adminSql();
const tight = { ...env, USER_RATE_LIMITER: (env as any).TEST_USER_RATE_LIMITER, ORG_RATE_LIMITER: (env as any).TEST_ORG_RATE_LIMITER } as Env;

async function get(path: string, who: Fixture | null, orgId?: string) {
  const headers: Record<string, string> = {};
  if (who) headers.authorization = `Bearer ${await tokenFor(who.userId)}`;
  if (orgId) headers['x-organization-id'] = orgId;
  const ctx = createExecutionContext();
  const res = await worker.fetch!(new Request(`http://influtics.test${path}`, { headers }), tight, ctx);
  await waitOnExecutionContext(ctx);
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as any };
}

describe('API rate limits', () => {
  it('a user over their budget gets 429 rate_limited with Retry-After; another user of the organization is not affected until the organization’s budget is spent', async () => {
    const a = await createOrganization(sql);
    const b = await addMember(sql, a.orgId, 'member');
    for (let i = 0; i < 3; i++) expect((await get('/limits', a, a.orgId)).status).toBe(200);
    const over = await get('/limits', a, a.orgId);
    expect(over.status).toBe(429);
    expect(over.retryAfter).toBe('60');
    expect(over.body.error).toMatchObject({ code: 'rate_limited', details: { scope: 'user', retry_after_seconds: 60 } });

    // a's four requests took 3 units of the organization's 5 (the refused one stopped at the user's door)
    expect((await get('/limits', b, a.orgId)).status).toBe(200);
    expect((await get('/limits', b, a.orgId)).status).toBe(200);
    const orgOver = await get('/limits', b, a.orgId);
    expect(orgOver.status).toBe(429);
    expect(orgOver.body.error.details.scope).toBe('organization');
  });

  it('user routes are limited per user; public routes and bad tokens are not counted', async () => {
    const c = await createOrganization(sql);
    for (let i = 0; i < 5; i++) expect((await get('/health', null)).status).toBe(200);
    for (let i = 0; i < 5; i++) expect((await get('/organizations', null)).status).toBe(401);
    for (let i = 0; i < 3; i++) expect((await get('/organizations', c)).status).toBe(200);
    expect((await get('/organizations', c)).body.error.code).toBe('rate_limited');
  });

  it('every user and tenant operation declares the 429 in the OpenAPI document', async () => {
    const doc = (await call('GET', '/openapi.json')).body;
    const limited: string[] = [];
    const missing: string[] = [];
    for (const [path, ops] of Object.entries<any>(doc.paths)) {
      for (const [method, op] of Object.entries<any>(ops)) {
        if (op['x-access'] !== 'user' && op['x-access'] !== 'tenant') continue;
        (op.responses['429'] ? limited : missing).push(`${method} ${path}`);
      }
    }
    expect(missing).toEqual([]);
    expect(limited.length).toBeGreaterThan(50);
  });
});
