/// <reference types="vite/client" />
import { describe, expect, it } from 'vitest';
import { can, ORG_ROLES, PERMISSIONS, type Action, type OrgRole } from '../../src/domain/roles';
import { call } from '../helpers/api';
import { addMember, adminSql, createOrganization, type Fixture } from '../helpers/db';
import { randomEmail, tokenOf } from './support';

const sql = adminSql();

/**
 * The roles × actions matrix as the product decided it. Changing src/http/permissions.ts without
 * changing this table fails the suite: every change of who may do what is a reviewed decision.
 */
const EXPECTED: Record<Action, Record<OrgRole, boolean>> = {
  'videos.write': { owner: true, admin: true, member: true, viewer: false },
  'videos.track': { owner: true, admin: true, member: true, viewer: false },
  'bloggers.write': { owner: true, admin: true, member: true, viewer: false },
  'campaigns.write': { owner: true, admin: true, member: true, viewer: false },
  'tags.write': { owner: true, admin: true, member: true, viewer: false },
  'imports.write': { owner: true, admin: true, member: true, viewer: false },
  'notifications.write': { owner: true, admin: true, member: false, viewer: false },
  'reports.write': { owner: true, admin: true, member: false, viewer: false },
  'organization.update': { owner: true, admin: true, member: false, viewer: false },
  'organization.leave': { owner: true, admin: true, member: true, viewer: true },
  'members.invite': { owner: true, admin: true, member: false, viewer: false },
  'invitations.revoke': { owner: true, admin: true, member: false, viewer: false },
  'members.remove': { owner: true, admin: true, member: false, viewer: false },
  'members.change_role': { owner: true, admin: true, member: false, viewer: false },
  'members.manage_owners': { owner: true, admin: false, member: false, viewer: false },
};

interface Cell {
  org: Fixture; // the organization's first owner
  actor: Fixture; // a member with the role under test (a second owner for 'owner')
}

/**
 * One request per action that the API already exposes, built fresh for each cell. `allowed` is the
 * answer of a role that may act; `wrote` proves an allowed request wrote and a refused one did not.
 */
interface Probe {
  arrange?: (cell: Cell) => Promise<Record<string, string>>;
  request: (cell: Cell, ctx: Record<string, string>) => [string, string, unknown?];
  allowed: number;
  /** whether the request's write is in the database (absent when an allowed probe writes nothing) */
  wrote?: (cell: Cell, ctx: Record<string, string>) => Promise<boolean>;
  /** the action named in a refusal when a coarser permission is checked first */
  refusedAs?: Partial<Record<OrgRole, Action>>;
}

const tiktokId = () => `73${Math.floor(Math.random() * 1e15).toString().padStart(15, '0')}`;

const PROBES: Partial<Record<Action, Probe>> = {
  // starting a Google connection is the first import write (the consent URL and its signed state)
  'imports.write': {
    request: () => ['GET', '/integrations/google/authorize'],
    allowed: 200,
  },
  'notifications.write': {
    request: () => ['POST', '/alerts/rules', { type: 'video_unavailable' }],
    allowed: 201,
    wrote: async (cell) => (await sql`select 1 from alert_rules where organization_id = ${cell.org.orgId} and type = 'video_unavailable'`).length >= 1,
  },
  'videos.write': {
    arrange: async () => ({ id: tiktokId() }),
    request: (_, ctx) => ['POST', '/dashboard/videos', { url: `https://www.tiktok.com/@p/video/${ctx.id}` }],
    allowed: 201,
    wrote: async (cell, ctx) => (await sql`select 1 from videos where organization_id = ${cell.org.orgId} and external_video_id = ${ctx.id!}`).length === 1,
  },
  // an unknown video: a role that may track gets past the permission and finds nothing
  'videos.track': {
    request: () => ['POST', '/dashboard/videos/start-tracking', { video_id: crypto.randomUUID() }],
    allowed: 404,
  },
  'bloggers.write': {
    request: () => ['POST', '/blogger/add-from-tracking', { blogger_id: crypto.randomUUID() }],
    allowed: 404,
  },
  'campaigns.write': {
    arrange: async () => ({ name: `Matrix ${crypto.randomUUID().slice(0, 8)}` }),
    request: (_, ctx) => ['POST', '/campaigns', { name: ctx.name }],
    allowed: 201,
    wrote: async (cell, ctx) => (await sql`select 1 from campaigns where organization_id = ${cell.org.orgId} and name = ${ctx.name!}`).length === 1,
  },
  'tags.write': {
    arrange: async (cell) => {
      const [v] = await sql`insert into videos (organization_id, platform, external_video_id, video_url) values (${cell.org.orgId}, 'TikTok', ${tiktokId()}, 'https://www.tiktok.com/@p/video/1') returning id`;
      return { id: v!.id };
    },
    request: (_, ctx) => ['PUT', `/dashboard/videos/${ctx.id}/tags`, { tags: ['matrix'] }],
    allowed: 200,
    wrote: async (_, ctx) => (await sql`select 1 from video_tags where video_id = ${ctx.id!}`).length === 1,
  },
  'reports.write': {
    arrange: async () => ({ name: `matrix ${crypto.randomUUID()}` }),
    request: (_, ctx) => ['POST', '/reports/schedules', { name: ctx.name, scope: { type: 'organization' }, frequency: 'daily', local_time: '09:00', recipients: [{ type: 'email', email: 'client@example.com' }], channels: ['email'] }],
    allowed: 201,
    wrote: async (cell, ctx) => (await sql`select 1 from report_schedules where organization_id = ${cell.org.orgId} and name = ${ctx.name!}`).length === 1,
  },
  'organization.update': {
    request: () => ['PATCH', '/organization', { name: 'Renamed by the matrix test' }],
    allowed: 200,
    wrote: async (cell) => (await sql`select name from organizations where id = ${cell.org.orgId}`)[0]!.name === 'Renamed by the matrix test',
  },
  'organization.leave': {
    request: () => ['POST', '/organization/leave'],
    allowed: 200,
    wrote: async (cell) => (await sql`select 1 from organization_members where organization_id = ${cell.org.orgId} and user_id = ${cell.actor.userId}`).length === 0,
  },
  'members.invite': {
    request: () => ['POST', '/organization/invitations', { email: randomEmail(), role: 'member' }],
    allowed: 201,
    wrote: async (cell) => {
      const invitations = await sql`select 1 from invitations where organization_id = ${cell.org.orgId}`;
      const outbox = await sql`select 1 from notification_outbox where organization_id = ${cell.org.orgId}`;
      expect(outbox.length).toBe(invitations.length);
      return invitations.length === 1;
    },
  },
  'invitations.revoke': {
    arrange: async (cell) => {
      const [row] = await sql`insert into invitations (organization_id, email, role, token_hash) values (${cell.org.orgId}, ${randomEmail()}, 'member', ${crypto.randomUUID()}) returning id`;
      return { id: row!.id };
    },
    request: (_, ctx) => ['DELETE', `/organization/invitations/${ctx.id}`],
    allowed: 200,
    wrote: async (_, ctx) => (await sql`select revoked_at from invitations where id = ${ctx.id!}`)[0]!.revoked_at !== null,
  },
  'members.remove': {
    arrange: async (cell) => ({ id: (await addMember(sql, cell.org.orgId, 'viewer')).userId }),
    request: (_, ctx) => ['DELETE', `/organization/members/${ctx.id}`],
    allowed: 200,
    wrote: async (cell, ctx) => (await sql`select 1 from organization_members where organization_id = ${cell.org.orgId} and user_id = ${ctx.id!}`).length === 0,
  },
  'members.change_role': {
    arrange: async (cell) => ({ id: (await addMember(sql, cell.org.orgId, 'viewer')).userId }),
    request: (_, ctx) => ['PATCH', `/organization/members/${ctx.id}`, { role: 'member' }],
    allowed: 200,
    wrote: async (cell, ctx) => (await sql`select role from organization_members where organization_id = ${cell.org.orgId} and user_id = ${ctx.id!}`)[0]!.role === 'member',
  },
  // demoting the first owner (the actor is a second owner when the role under test is owner)
  'members.manage_owners': {
    request: (cell) => ['PATCH', `/organization/members/${cell.org.userId}`, { role: 'admin' }],
    allowed: 200,
    wrote: async (cell) => (await sql`select role from organization_members where organization_id = ${cell.org.orgId} and user_id = ${cell.org.userId}`)[0]!.role === 'admin',
    refusedAs: { member: 'members.change_role', viewer: 'members.change_role' },
  },
};

/**
 * Actions no route checks yet, whose cells are checked on the table only (none today). The source
 * scan below keeps this list honest: an action a route checks must have a probe, and an action
 * listed here must not be checked by any route yet.
 */
const NO_ROUTE_YET: Action[] = [];

/** Every route module's source, to find which actions the routes check. */
const ROUTE_SOURCES = import.meta.glob('../../src/http/**/*.ts', { query: '?raw', import: 'default', eager: true }) as Record<string, string>;
const checkedByRoutes = () => {
  const found = new Set<string>();
  for (const src of Object.values(ROUTE_SOURCES)) for (const m of src.matchAll(/assertCan\([^,()]+(?:\([^()]*\))?[^,()]*,\s*'([a-z_.]+)'\)/g)) found.add(m[1]!);
  return found;
};

describe('the permission matrix', () => {
  it('names exactly the actions this suite knows, each either probed over HTTP or listed as having no route yet', () => {
    expect(Object.keys(PERMISSIONS).sort()).toEqual(Object.keys(EXPECTED).sort());
    for (const action of Object.keys(PERMISSIONS) as Action[]) {
      expect(Boolean(PROBES[action]) !== NO_ROUTE_YET.includes(action), action).toBe(true);
    }
  });

  it('every action is checked by some route (and probed here) or listed as written in parallel, never both', () => {
    const checked = checkedByRoutes();
    expect(checked.size).toBeGreaterThan(5); // the scan found the routes
    for (const action of Object.keys(PERMISSIONS) as Action[]) {
      if (NO_ROUTE_YET.includes(action)) expect(checked.has(action), `${action} is checked by a route: give it a probe`).toBe(false);
      else expect(checked.has(action), `${action} is in the matrix but no route checks it: remove it or check it`).toBe(true);
    }
    for (const action of checked) expect(Object.keys(PERMISSIONS), action).toContain(action);
  });

  const cells = (Object.keys(EXPECTED) as Action[]).flatMap((action) => ORG_ROLES.map((role) => [action, role] as const));
  it.each(cells)('%s × %s in the table', (action, role) => {
    expect(can(role, action)).toBe(EXPECTED[action][role]);
  });
});

const httpCells = (Object.keys(PROBES) as Action[]).flatMap((action) => ORG_ROLES.map((role) => [action, role] as const));

describe.each(httpCells)('%s × %s over HTTP', (action, role) => {
  it(EXPECTED[action][role] ? 'is allowed' : 'is refused with 403 and writes nothing', async () => {
    const probe = PROBES[action]!;
    const org = await createOrganization(sql, { role: 'owner', plan: 'pro' });
    const actor = await addMember(sql, org.orgId, role);
    const cell = { org, actor };
    const ctx = (await probe.arrange?.(cell)) ?? {};
    const [method, path, body] = probe.request(cell, ctx);
    const res = await call(method, path, { token: await tokenOf(actor), orgId: org.orgId, body });
    if (EXPECTED[action][role]) {
      expect(res.status, JSON.stringify(res.body)).toBe(probe.allowed);
      if (probe.wrote) expect(await probe.wrote(cell, ctx)).toBe(true);
    } else {
      expect(res.status).toBe(403);
      expect(res.body.error).toMatchObject({ code: 'forbidden', details: { action: probe.refusedAs?.[role] ?? action, role } });
      if (probe.wrote) expect(await probe.wrote(cell, ctx)).toBe(false);
    }
  });
});
