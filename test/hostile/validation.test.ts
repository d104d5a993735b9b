import { beforeAll, describe, expect, it } from 'vitest';
import { databaseErrorAsApiError } from '../../src/http/errors';
import { call, tokenFor } from '../helpers/api';
import { adminSql, type Fixture } from '../helpers/db';
import { createCampaignFixture, insertBlogger, type CampaignFixture } from '../campaigns/fixtures';
import { TEST_SECRETS } from '../setup/secrets';

/**
 * The inputs that used to reach Postgres and answer 500 (issue 14), each now a 400 in the one
 * envelope, plus the date and text rules every schema shares (src/domain/validation.ts).
 */

const sql = adminSql();
let f: CampaignFixture;
let owner: Fixture;
let token: string;

beforeAll(async () => {
  f = await createCampaignFixture(sql);
  owner = f.owner;
  token = await tokenFor(owner.userId);
});

const get = (path: string) => call('GET', path, { token, orgId: owner.orgId });
const send = (method: string, path: string, body: unknown) => call(method, path, { token, orgId: owner.orgId, body });

function expectInvalid(res: { status: number; body: any }, field?: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(400);
  expect(res.body.error.code).toBe('validation_failed');
  if (field) expect(res.body.error.details.issues.map((i: any) => i.path)).toContain(field);
}

describe('dates: real calendar days between 2000-01-01 and 2100-12-31', () => {
  it('answers 400 for interval=week with an invalid from and a valid to (was a RangeError 500)', async () => {
    for (const path of [`/campaigns/${f.campaignId}/timeseries`, `/dashboard/videos/${f.v.v1}/timeseries`]) {
      for (const from of ['nonsense', '2024-02-30', '0000-01-01']) expectInvalid(await get(`${path}?interval=week&from=${from}&to=2026-03-08`), 'from');
    }
  });

  it('answers 400 for year 0, impossible days and days outside the range, on every from/to/starts_on', async () => {
    for (const day of ['0000-01-01', '2023-02-29', '2024-04-31', '1999-12-31', '2101-01-01', '9999-12-31']) {
      expectInvalid(await get(`/campaigns/${f.campaignId}/stats?from=${day}`), 'from');
      expectInvalid(await get(`/dashboard/videos?to=${day}`), 'to');
      expectInvalid(await send('POST', '/campaigns', { name: `dates ${day}`, starts_on: day }), 'starts_on');
    }
  });

  it('accepts a leap day and both ends of the range', async () => {
    const res = await send('POST', '/campaigns', { name: 'leap', starts_on: '2000-01-01', ends_on: '2100-12-31' });
    expect(res.status).toBe(201);
    expect((await get(`/campaigns/${f.campaignId}/stats?from=2024-02-29&to=2024-03-01`)).status).toBe(200);
  });

  it('answers 400 for an ops audit cursor past the bigint range (was "out of range for type bigint")', async () => {
    expectInvalid(await call('GET', '/ops/api/actions?cursor=9999999999999999999', { token: TEST_SECRETS.OPS_TOKEN }), 'cursor');
    expect((await call('GET', '/ops/api/actions?cursor=9223372036854775807', { token: TEST_SECRETS.OPS_TOKEN })).status).toBe(200);
  });

  it('answers 400 for an ops filter instant in year 0 or past 2100', async () => {
    for (const at of ['0000-01-01T00:00:00Z', '9999-12-31T23:59:59Z']) {
      const res = await call('GET', `/ops/api/runs?from=${encodeURIComponent(at)}`, { token: TEST_SECRETS.OPS_TOKEN });
      expectInvalid(res, 'from');
    }
  });
});

describe('text: no NUL, no unpaired surrogate, trimmed, capped', () => {
  const nul = 'bad\u0000name';
  it('answers 400 for a NUL in names, usernames, descriptions and tags (was "invalid byte sequence" 500)', async () => {
    expectInvalid(await send('POST', '/campaigns', { name: nul }), 'name');
    expectInvalid(await send('POST', '/campaigns', { name: 'ok', description: nul }), 'description');
    expectInvalid(await send('PATCH', '/organization', { name: nul }), 'name');
    expectInvalid(await send('POST', '/organizations', { name: nul }), 'name');
    expectInvalid(await send('POST', '/blogger/add', { platform: 'TikTok', username: nul }), 'username');
    expectInvalid(await send('POST', '/dashboard/videos', { url: 'https://www.tiktok.com/@a/video/7300000000000000001', tags: [nul] }), 'tags.0');
    expectInvalid(await send('PUT', `/campaigns/${f.campaignId}/tags`, { tags: ['ok', nul] }), 'tags.1');
  });

  it('answers 400 for a NUL in search and tag filters, and in ops filters', async () => {
    expectInvalid(await get('/blogger?search=%00'), 'search');
    expectInvalid(await get('/blogger?tag=a%00'), 'tag');
    expectInvalid(await get('/campaigns?search=x%00y'), 'search');
    expectInvalid(await get(`/campaigns/${f.campaignId}/videos?tag=%00`), 'tag');
    expectInvalid(await call('GET', '/ops/api/runs?blogger=%00', { token: TEST_SECRETS.OPS_TOKEN }), 'blogger');
  });

  it('answers 400 for an unpaired surrogate, which jsonb cannot hold', async () => {
    expectInvalid(
      await call('POST', '/dashboard/videos', { token, orgId: owner.orgId, rawBody: '{"url":"https://www.tiktok.com/@a/video/7300000000000000002","tags":["\\ud800"]}' }),
      'tags.0',
    );
  });

  it('trims names and refuses blank ones and ones over the cap', async () => {
    const created = await send('POST', '/campaigns', { name: '  spaced  ' });
    expect(created.status).toBe(201);
    expect(created.body.campaign.name).toBe('spaced');
    expectInvalid(await send('POST', '/campaigns', { name: '   ' }), 'name');
    expectInvalid(await send('POST', '/campaigns', { name: 'x'.repeat(201) }), 'name');
  });
});

describe('search matches literally', () => {
  it('blogger search treats % and _ as characters, not wildcards', async () => {
    const tag = crypto.randomUUID().slice(0, 6);
    await insertBlogger(sql, owner.orgId, `under_score_${tag}`);
    await insertBlogger(sql, owner.orgId, `percent%${tag}`);
    await insertBlogger(sql, owner.orgId, `plain${tag}`);
    const names = async (q: string) => (await get(`/blogger?search=${encodeURIComponent(q)}`)).body.data.map((b: any) => b.username).sort();
    expect(await names('_')).toEqual([`under_score_${tag}`]);
    expect(await names('%')).toEqual([`percent%${tag}`]);
    expect(await names(tag)).toEqual([`percent%${tag}`, `plain${tag}`, `under_score_${tag}`]);
  });
});

describe('a validly signed token whose user no longer exists', () => {
  it('answers 401 user_not_found on POST /organizations and PUT /me/preferences (was a foreign-key 500)', async () => {
    const ghost = await tokenFor(crypto.randomUUID());
    for (const [method, path, body] of [
      ['POST', '/organizations', { name: 'ghost org' }],
      ['PUT', '/me/preferences', { theme: 'dark' }],
    ] as const) {
      const res = await call(method, path, { token: ghost, body });
      expect(res.status, JSON.stringify(res.body)).toBe(401);
      expect(res.body.error).toMatchObject({ code: 'unauthorized', details: { reason: 'user_not_found' } });
    }
  });
});

describe('the last line of defence: Postgres errors from input are 4xx', () => {
  async function pgError(run: () => Promise<unknown>) {
    try {
      await run();
    } catch (err) {
      return err;
    }
    throw new Error('expected the query to fail');
  }

  it('maps real data exceptions to 400, unique and foreign-key violations to 409, and leaves others alone', async () => {
    const badInt = await pgError(() => sql`select ${'abc'}::int`);
    expect(databaseErrorAsApiError(badInt)).toMatchObject({ code: 'validation_failed' });
    const yearZero = await pgError(() => sql`select ${'0000-01-01'}::date`);
    expect(databaseErrorAsApiError(yearZero)).toMatchObject({ code: 'validation_failed' });
    const dup = await pgError(() => sql`insert into organizations (name, slug) select name, slug from organizations where id = ${owner.orgId}`);
    expect(databaseErrorAsApiError(dup)).toMatchObject({ code: 'conflict' });
    const missingUser = await pgError(() => sql`insert into user_preferences (user_id) values (${crypto.randomUUID()})`);
    expect(databaseErrorAsApiError(missingUser)).toMatchObject({ code: 'unauthorized' });
    const missingOrg = await pgError(() => sql`insert into campaigns (organization_id, name) values (${crypto.randomUUID()}, 'x')`);
    expect(databaseErrorAsApiError(missingOrg)).toMatchObject({ code: 'conflict' });
    const syntax = await pgError(() => sql`select from where`);
    expect(databaseErrorAsApiError(syntax)).toBeUndefined();
    expect(databaseErrorAsApiError(new Error('not from the database'))).toBeUndefined();
  });
});
