import { beforeAll, describe, expect, it } from 'vitest';
import { adminSql, createOrganization, type Fixture } from '../helpers/db';
import { call, tokenFor } from '../helpers/api';
import { OPS_TOKEN, operatorJwt } from './support';

const sql = adminSql();
let owner: Fixture;
let ownerToken: string;

beforeAll(async () => {
  owner = await createOrganization(sql, { role: 'owner' });
  ownerToken = await tokenFor(owner.userId);
});

/** Every ops API route; a new route is added here so the operators-only checks cover it. */
const OPS_ROUTES: [method: string, path: string, body?: unknown][] = [
  ['GET', '/ops/api/meta'],
  ['GET', '/ops/api/runs'],
  ['GET', '/ops/api/runs/some-run'],
  ['POST', '/ops/api/runs/some-run/pause'],
  ['POST', '/ops/api/runs/some-run/restart', { from: { name: 'x' } }],
  ['POST', '/ops/api/runs/bulk', { action: 'terminate', instance_ids: ['some-run'], expected_count: 1 }],
  ['GET', '/ops/api/scheduled'],
  ['POST', '/ops/api/scheduled/run', { cron: '0 */4 * * *' }],
  ['GET', '/ops/api/metrics'],
  ['GET', '/ops/api/actions'],
  ['GET', '/ops/api/dead-letters'],
  ['GET', '/ops/api/dead-letters/1'],
  ['POST', '/ops/api/dead-letters/1/replay'],
  ['POST', '/ops/api/dead-letters/1/resolve', { note: 'x' }],
  ['POST', '/ops/api/dead-letters/bulk', { action: 'resolve', ids: ['1'], note: 'x', expected_count: 1 }],
  ['GET', '/ops/api/organizations/00000000-0000-4000-8000-000000000000/limits'],
  ['PUT', '/ops/api/organizations/00000000-0000-4000-8000-000000000000/limits', { limits: { max_members: 1 }, expires_at: null }],
  ['DELETE', '/ops/api/organizations/00000000-0000-4000-8000-000000000000/limits'],
  ['PUT', '/ops/api/organizations/00000000-0000-4000-8000-000000000000/plan', { plan: 'pro' }],
];
const ACTING = OPS_ROUTES.filter(([m]) => m !== 'GET');
/** Changing an organization's limits or plan is for the admin ops role only (test/ops/organization-limits.test.ts). */
const ADMIN_ONLY = ['/ops/api/organizations/'];

describe.each(OPS_ROUTES)('%s %s', (method, path, body) => {
  it('answers 401 without a token, with a wrong ops token and with an invalid JWT', async () => {
    for (const token of [undefined, `${OPS_TOKEN}x`, OPS_TOKEN.replace(/.$/, '?'), 'not.a.jwt', await tokenFor(owner.userId, { expiresIn: '-1m' })]) {
      const res = await call(method, path, { token, body });
      expect(res.status, String(token)).toBe(401);
      expect(res.body.error.code).toBe('unauthorized');
    }
  });

  it('answers 403 to an ordinary user, even an organization owner, and to an unknown ops role', async () => {
    for (const token of [ownerToken, await operatorJwt(null), await operatorJwt('superuser')]) {
      const res = await call(method, path, { token, body });
      expect(res.status).toBe(403);
      expect(res.body).toEqual({ error: { code: 'forbidden', message: expect.stringMatching(/operators only/) } });
    }
  });

  it('lets the ops token and an operator account through (an admin account for admin-only routes)', async () => {
    const operators = ADMIN_ONLY.some((p) => path.startsWith(p)) && method !== 'GET' ? [] : [await operatorJwt('operator')];
    for (const token of [OPS_TOKEN, ...operators, await operatorJwt('admin')]) {
      const res = await call(method, path, { token, body });
      expect([401, 403]).not.toContain(res.status);
    }
  });
});

describe('the viewer ops role', () => {
  it('reads but may not act', async () => {
    const viewer = await operatorJwt('viewer');
    expect((await call('GET', '/ops/api/runs', { token: viewer })).status).toBe(200);
    expect((await call('GET', '/ops/api/metrics', { token: viewer })).status).toBe(200);
    for (const [method, path, body] of ACTING) {
      const res = await call(method, path, { token: viewer, body });
      expect(res.status, path).toBe(403);
      expect(res.body.error.message).toMatch(/viewer/);
    }
  });

  it('/ops/api/meta tells the page who is signed in', async () => {
    const id = crypto.randomUUID();
    const res = await call('GET', '/ops/api/meta', { token: await operatorJwt('viewer', id) });
    expect(res.body.operator).toMatchObject({ actor: `user:${id}`, role: 'viewer', via: 'jwt' });
    const byToken = await call('GET', '/ops/api/meta', { token: OPS_TOKEN });
    expect(byToken.body.operator).toMatchObject({ actor: 'ops-token', role: 'admin', via: 'ops_token' });
    expect(byToken.body.workflows).toEqual(['InitialBloggerFetch', 'BloggerBatch', 'BloggerDailyFetch', 'NightlyRefresh', 'ExcelImport', 'SheetsResync', 'SheetsResyncSource', 'ReportDispatch', 'ScheduledReport']);
    expect(byToken.body.step_detail).toEqual({ available: true, source: 'configured' });
  });
});

describe('the ops page', () => {
  it('is served without a token and carries no data, with a strict CSP; its script and Chart.js come from the Worker', async () => {
    const { SELF } = await import('cloudflare:test');
    const page = await SELF.fetch('http://influtics.test/ops');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    const html = await page.text();
    expect(html).toContain('<script src="/ops/assets/chart.umd.min.js"></script>');
    expect(html).not.toMatch(/https?:\/\//);
    const script = await SELF.fetch('http://influtics.test/ops/assets/ops.js');
    expect(script.headers.get('content-type')).toMatch(/javascript/);
    expect(await script.text()).toContain("fetch(`/ops/api${path}`");
    const chart = await SELF.fetch('http://influtics.test/ops/assets/chart.umd.min.js');
    expect(chart.status).toBe(200);
    expect((await chart.text()).length).toBeGreaterThan(100_000);
  });
});
