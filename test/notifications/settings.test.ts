import { beforeAll, describe, expect, it } from 'vitest';
import { call } from '../helpers/api';
import { addMember, adminSql, createOrganization, rolledBackAs, type Fixture } from '../helpers/db';
import { tokenOf } from '../organizations/support';

const sql = adminSql();
let org: Fixture;
let other: Fixture;

beforeAll(async () => {
  org = await createOrganization(sql, { name: 'Acme Settings' });
  other = await createOrganization(sql);
  await sql`update organizations set timezone = 'Europe/Berlin' where id = ${org.orgId}`;
});

describe('GET/PUT /me/notifications', () => {
  it('answers the defaults, stores a member’s choice, and keeps it per organization', async () => {
    const token = await tokenOf(org);
    const initial = await call('GET', '/me/notifications', { token, orgId: org.orgId });
    expect(initial.status).toBe(200);
    expect(initial.body).toMatchObject({ quiet_hours: null, delivery: 'immediate', time_zone: 'Europe/Berlin' });
    expect(initial.body.channels.views_threshold).toEqual(['telegram']);

    const put = await call('PUT', '/me/notifications', { token, orgId: org.orgId, body: { channels: { views_threshold: ['email', 'telegram'], viral: [] }, quiet_hours: { start: '22:00', end: '07:30' }, delivery: 'immediate' } });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ quiet_hours: { start: '22:00', end: '07:30' }, time_zone: 'Europe/Berlin' });
    expect(put.body.channels).toMatchObject({ views_threshold: ['email', 'telegram'], viral: [], video_unavailable: ['telegram'] });
    expect((await call('GET', '/me/notifications', { token, orgId: org.orgId })).body.quiet_hours).toEqual({ start: '22:00', end: '07:30' });

    // the same user in another organization has their own (default) settings
    await sql`insert into organization_members (organization_id, user_id, role) values (${other.orgId}, ${org.userId}, 'member')`;
    expect((await call('GET', '/me/notifications', { token, orgId: other.orgId })).body.quiet_hours).toBeNull();
    // and a colleague does not see or change this member's row
    const colleague = await addMember(sql, org.orgId, 'admin');
    expect((await call('GET', '/me/notifications', { token: await tokenOf(colleague), orgId: org.orgId })).body.quiet_hours).toBeNull();
  });

  it('refuses bad input with 400 envelopes', async () => {
    const token = await tokenOf(org);
    for (const body of [
      { quiet_hours: { start: '24:00', end: '07:00' } },
      { quiet_hours: { start: '07:00', end: '07:00' } },
      { quiet_hours: { start: '07:00\u0000', end: '08:00' } },
      { channels: { views_threshold: ['sms'] } },
      { channels: { nope: ['email'] } },
      { channels: { viral: ['email', 'email'] } },
      { delivery: 'weekly' },
      { digest_hour: 24 },
      { extra: true },
    ]) {
      const res = await call('PUT', '/me/notifications', { token, orgId: org.orgId, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
    }
  });

  it('needs a signed-in member of the organization', async () => {
    expect((await call('GET', '/me/notifications')).status).toBe(401);
    const stranger = await createOrganization(sql);
    expect((await call('GET', '/me/notifications', { token: await tokenOf(stranger), orgId: org.orgId })).status).toBe(403);
    expect((await call('PUT', '/me/notifications', { token: await tokenOf(stranger), orgId: org.orgId, body: {} })).status).toBe(403);
  });

  it('RLS: a member reads and writes only their own preferences row', async () => {
    const a = await addMember(sql, org.orgId, 'member');
    await sql`insert into notification_preferences (organization_id, user_id, delivery) values (${org.orgId}, ${a.userId}, 'digest')`;
    const b = await addMember(sql, org.orgId, 'owner');
    const seen = await rolledBackAs(sql, { sub: b.userId }, async (tx) => ({
      read: (await tx`select 1 from notification_preferences where user_id = ${a.userId}`).length,
      changed: (await tx`update notification_preferences set delivery = 'immediate' where user_id = ${a.userId}`).count,
      deleted: (await tx`delete from notification_preferences where user_id = ${a.userId}`).count,
    }));
    expect(seen).toEqual({ read: 0, changed: 0, deleted: 0 });
    await expect(rolledBackAs(sql, { sub: b.userId }, (tx) => tx`insert into notification_preferences (organization_id, user_id) values (${org.orgId}, ${crypto.randomUUID()})`)).rejects.toThrow(/row-level security/);
    expect(await rolledBackAs(sql, { sub: a.userId }, async (tx) => (await tx`select delivery from notification_preferences where user_id = ${a.userId}`)[0]?.delivery)).toBe('digest');
  });
});

describe('/alerts/rules', () => {
  it('owners and admins create, change and delete rules; members and viewers read them only', async () => {
    const admin = await addMember(sql, org.orgId, 'admin');
    const adminToken = await tokenOf(admin);
    const created = await call('POST', '/alerts/rules', { token: adminToken, orgId: org.orgId, body: { type: 'views_threshold', params: { views: 10000 } } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ type: 'views_threshold', params: { views: 10000 }, enabled: true, created_by: admin.userId });
    const viral = await call('POST', '/alerts/rules', { token: adminToken, orgId: org.orgId, body: { type: 'viral' } });
    expect(viral.body.params).toEqual({ k: 3, cooldown_hours: 24, min_views_24h: 1000 });

    for (const role of ['member', 'viewer'] as const) {
      const who = await addMember(sql, org.orgId, role);
      const t = await tokenOf(who);
      expect((await call('GET', '/alerts/rules', { token: t, orgId: org.orgId })).body.data.map((r: { id: string }) => r.id)).toContain(created.body.id);
      const post = await call('POST', '/alerts/rules', { token: t, orgId: org.orgId, body: { type: 'video_unavailable' } });
      expect(post.status).toBe(403);
      expect((await call('PATCH', `/alerts/rules/${created.body.id}`, { token: t, orgId: org.orgId, body: { enabled: false } })).status).toBe(403);
      expect((await call('DELETE', `/alerts/rules/${created.body.id}`, { token: t, orgId: org.orgId })).status).toBe(403);
    }

    const patched = await call('PATCH', `/alerts/rules/${created.body.id}`, { token: adminToken, orgId: org.orgId, body: { params: { views: 50000 }, enabled: false } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ params: { views: 50000 }, enabled: false });
    const wrongParams = await call('PATCH', `/alerts/rules/${created.body.id}`, { token: adminToken, orgId: org.orgId, body: { params: { percent: 80 } } });
    expect(wrongParams.status).toBe(400);
    expect((await call('DELETE', `/alerts/rules/${created.body.id}`, { token: adminToken, orgId: org.orgId })).status).toBe(200);
    expect((await call('DELETE', `/alerts/rules/${created.body.id}`, { token: adminToken, orgId: org.orgId })).status).toBe(404);
  });

  it('another organization’s rule is 404 on every route, and unchanged', async () => {
    const rule = await call('POST', '/alerts/rules', { token: await tokenOf(org), orgId: org.orgId, body: { type: 'limit_usage', params: { percent: 80 } } });
    const outsider = await createOrganization(sql);
    const t = await tokenOf(outsider);
    expect((await call('GET', '/alerts/rules', { token: t, orgId: outsider.orgId })).body.data).toEqual([]);
    expect((await call('PATCH', `/alerts/rules/${rule.body.id}`, { token: t, orgId: outsider.orgId, body: { enabled: false } })).status).toBe(404);
    expect((await call('DELETE', `/alerts/rules/${rule.body.id}`, { token: t, orgId: outsider.orgId })).status).toBe(404);
    expect((await call('GET', '/alerts/rules', { token: t, orgId: org.orgId })).status).toBe(403);
    const [row] = await sql`select enabled from alert_rules where id = ${rule.body.id}`;
    expect(row!.enabled).toBe(true);
  });

  it('refuses bad rules with 400 envelopes', async () => {
    const token = await tokenOf(org);
    for (const body of [
      { type: 'views_threshold', params: {} },
      { type: 'views_threshold', params: { views: -1 } },
      { type: 'limit_usage', params: { percent: 50 } },
      { type: 'viral', params: { k: 0.5 } },
      { type: 'nope' },
      { type: 'video_unavailable', params: { '\u0000': 1 } },
    ]) {
      const res = await call('POST', '/alerts/rules', { token, orgId: org.orgId, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    expect((await call('PATCH', '/alerts/rules/not-a-uuid', { token, orgId: org.orgId, body: { enabled: true } })).status).toBe(400);
  });

  it('RLS: a member cannot write rules directly; an admin can; strangers see none', async () => {
    const member = await addMember(sql, org.orgId, 'member');
    await expect(rolledBackAs(sql, { sub: member.userId }, (tx) => tx`insert into alert_rules (organization_id, type) values (${org.orgId}, 'video_unavailable')`)).rejects.toThrow(/row-level security/);
    const admin = await addMember(sql, org.orgId, 'admin');
    expect((await rolledBackAs(sql, { sub: admin.userId }, (tx) => tx`insert into alert_rules (organization_id, type) values (${org.orgId}, 'video_unavailable') returning id`)).length).toBe(1);
    const stranger = await createOrganization(sql);
    expect(await rolledBackAs(sql, { sub: stranger.userId }, async (tx) => (await tx`select 1 from alert_rules where organization_id = ${org.orgId}`).length)).toBe(0);
    expect(await rolledBackAs(sql, { sub: member.userId }, async (tx) => (await tx`update alert_rules set enabled = false where organization_id = ${org.orgId}`).count)).toBe(0);
  });
});
