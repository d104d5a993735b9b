import { describe, expect, it } from 'vitest';
import { call } from '../helpers/api';
import { addMember, adminSql, createOrganization } from '../helpers/db';
import { newUser, tokenOf } from './support';

const sql = adminSql();
const uniqueName = (prefix: string) => `${prefix} ${crypto.randomUUID().slice(0, 8)}`;

describe('POST /organizations', () => {
  it('registers an organization on the free plan with the caller as its only owner', async () => {
    const user = await newUser(sql);
    const name = uniqueName('Nordic Média');
    const res = await call('POST', '/organizations', { token: await tokenOf(user), body: { name, timezone: 'Europe/Oslo', currency: 'nok' } });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      role: 'owner',
      organization: {
        id: expect.any(String),
        name,
        slug: name.toLowerCase().replace('é', 'e').replace(/ /g, '-'),
        plan: 'free',
        timezone: 'Europe/Oslo',
        currency: 'NOK',
        default_initial_videos_count: 30,
        default_daily_videos_count: 10,
        report_preferences: {},
        created_at: expect.any(String),
        updated_at: expect.any(String),
      },
    });
    const members = await sql`select user_id, role from organization_members where organization_id = ${res.body.organization.id}`;
    expect(members).toEqual([{ user_id: user.userId, role: 'owner' }]);
    const [org] = await sql`select created_by from organizations where id = ${res.body.organization.id}`;
    expect(org!.created_by).toBe(user.userId);
  });

  it('answers 409 for a slug that is taken, and finds a free slug when the name’s is taken', async () => {
    const user = await newUser(sql);
    const token = await tokenOf(user);
    const slug = `taken-${crypto.randomUUID().slice(0, 8)}`;
    expect((await call('POST', '/organizations', { token, body: { name: 'First', slug } })).status).toBe(201);
    const other = await newUser(sql);
    const taken = await call('POST', '/organizations', { token: await tokenOf(other), body: { name: 'Second', slug: slug.toUpperCase() } });
    expect(taken.status).toBe(409);
    expect(taken.body.error).toMatchObject({ code: 'conflict', details: { reason: 'slug_taken', slug } });
    expect(await sql`select 1 from organizations where created_by = ${other.userId}`).toHaveLength(0);

    const byName = await call('POST', '/organizations', { token: await tokenOf(other), body: { name: slug } });
    expect(byName.status).toBe(201);
    expect(byName.body.organization.slug).toMatch(new RegExp(`^${slug}-[0-9a-f]{6}$`));
  });

  it('validates the body: name, slug shape, time zone, currency, and no plan or unknown fields', async () => {
    const token = await tokenOf(await newUser(sql));
    for (const [body, field] of [
      [{}, 'name'],
      [{ name: '   ' }, 'name'],
      [{ name: 'x', slug: '-bad' }, 'slug'],
      [{ name: 'x', slug: 'a' }, 'slug'],
      [{ name: 'x', timezone: 'Mars/Olympus_Mons' }, 'timezone'],
      [{ name: 'x', currency: 'dollars' }, 'currency'],
      [{ name: 'x', plan: 'enterprise' }, ''],
    ] as [unknown, string][]) {
      const res = await call('POST', '/organizations', { token, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
      expect(res.body.error.details.issues[0].path).toBe(field);
    }
  });

  it('needs a signed-in user', async () => {
    expect((await call('POST', '/organizations', { body: { name: 'Nope' } })).status).toBe(401);
    expect((await call('GET', '/organizations')).status).toBe(401);
  });
});

describe('GET /organizations', () => {
  it('lists the caller’s organizations with their role in each, and no others', async () => {
    const a = await createOrganization(sql, { name: 'Alpha' });
    const b = await createOrganization(sql, { name: 'Beta' });
    await sql`insert into organization_members (organization_id, user_id, role) values (${b.orgId}, ${a.userId}, 'viewer')`;
    await createOrganization(sql, { name: 'Gamma' });
    const res = await call('GET', '/organizations', { token: await tokenOf(a) });
    expect(res.status).toBe(200);
    expect(res.body.data.map((o: any) => [o.id, o.name, o.role])).toEqual([
      [a.orgId, 'Alpha', 'owner'],
      [b.orgId, 'Beta', 'viewer'],
    ]);
    const nobody = await call('GET', '/organizations', { token: await tokenOf(await newUser(sql)) });
    expect(nobody.body.data).toEqual([]);
  });
});

describe('/me/preferences', () => {
  it('starts empty, is replaced as a whole by PUT, and is private to each user', async () => {
    const org = await createOrganization(sql);
    const token = await tokenOf(org);
    const empty = await call('GET', '/me/preferences', { token });
    expect(empty.status).toBe(200);
    expect(empty.body).toEqual({ preferences: {}, updated_at: null });

    const prefs = { default_organization_id: org.orgId, locale: 'de-DE', theme: 'dark', page_size: 50, table_columns: { videos: ['title', 'views', 'likes'] } };
    const put = await call('PUT', '/me/preferences', { token, body: prefs });
    expect(put.status).toBe(200);
    expect(put.body.preferences).toEqual(prefs);
    expect((await call('GET', '/me/preferences', { token })).body.preferences).toEqual(prefs);

    const replaced = await call('PUT', '/me/preferences', { token, body: { locale: 'en' } });
    expect(replaced.body.preferences).toEqual({ locale: 'en' });
    const [row] = await sql`select preferences from user_preferences where user_id = ${org.userId}`;
    expect(row!.preferences).toEqual({ locale: 'en' });

    const someoneElse = await addMember(sql, org.orgId, 'member');
    expect((await call('GET', '/me/preferences', { token: await tokenOf(someoneElse) })).body.preferences).toEqual({});
  });

  it('rejects unknown keys and invalid values with the field at fault', async () => {
    const token = await tokenOf(await newUser(sql));
    for (const [body, field] of [
      [{ colour: 'red' }, ''],
      [{ locale: 'not a locale!' }, 'locale'],
      [{ timezone: 'Nowhere/Town' }, 'timezone'],
      [{ theme: 'neon' }, 'theme'],
      [{ page_size: 1000 }, 'page_size'],
      [{ table_columns: { videos: ['Title With Spaces'] } }, 'table_columns.videos.0'],
      [{ default_organization_id: 'abc' }, 'default_organization_id'],
    ] as [unknown, string][]) {
      const res = await call('PUT', '/me/preferences', { token, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.details.issues[0].path).toBe(field);
    }
  });

  it('answers 404 for a default organization the user does not belong to', async () => {
    const org = await createOrganization(sql);
    const theirs = await createOrganization(sql);
    const res = await call('PUT', '/me/preferences', { token: await tokenOf(org), body: { default_organization_id: theirs.orgId } });
    expect(res.status).toBe(404);
    expect(res.body.error).toEqual({ code: 'not_found', message: 'organization not found' });
    expect(await sql`select 1 from user_preferences where user_id = ${org.userId}`).toHaveLength(0);
  });
});
