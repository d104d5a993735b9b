import { env } from 'cloudflare:test';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { InvitationEmailMessage, InvitationEmailPayload } from '../../src/notifications/invitation-messages';
import { call } from '../helpers/api';
import { addMember, adminSql, createOrganization, type Fixture } from '../helpers/db';
import { invite, newUser, randomEmail, sha256Hex, tokenOf } from './support';

const sql = adminSql();
let org: Fixture;
let ownerToken: string;

beforeAll(async () => {
  org = await createOrganization(sql, { plan: 'pro', name: 'Acme Invitations' });
  ownerToken = await tokenOf(org);
});
afterEach(() => {
  vi.restoreAllMocks();
});

const memberRow = (orgId: string, userId: string) => sql`select role from organization_members where organization_id = ${orgId} and user_id = ${userId}`;

describe('POST /organization/invitations', () => {
  it('stores only the token’s hash, answers the token once, records the email in the outbox and queues it', async () => {
    const send = vi.spyOn(env.NOTIFICATIONS, 'send');
    const email = randomEmail();
    const res = await call('POST', '/organization/invitations', { token: ownerToken, orgId: org.orgId, body: { email: email.toUpperCase(), role: 'admin' } });
    expect(res.status).toBe(201);
    const { invitation, token } = res.body;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(invitation).toMatchObject({ email, role: 'admin', status: 'pending', invited_by: org.userId, accepted_at: null });
    expect(JSON.stringify(invitation)).not.toContain(token);

    const [row] = await sql`select token_hash, expires_at - created_at as ttl from invitations where id = ${invitation.id}`;
    expect(row!.token_hash).toBe(await sha256Hex(token));
    expect(row!.ttl).toBe('7 days');

    const [outbox] = await sql`select id, organization_id, channel, recipient, template, payload, status from notification_outbox where idempotency_key = ${`invitation:${invitation.id}`}`;
    // the NOTIFICATIONS consumer may already be at it (test/notifications covers the delivery)
    expect(outbox).toMatchObject({ organization_id: org.orgId, channel: 'email', recipient: email, template: 'organization_invitation' });
    expect(['queued', 'sending', 'sent']).toContain(outbox!.status);
    expect(res.body.email).toEqual({ outbox_id: outbox!.id, enqueued: true });
    // the outbox keeps only what finds the invitation: no token (it is rebuilt when the email is sent)
    expect(InvitationEmailPayload.parse(outbox!.payload)).toEqual({ invitation_id: invitation.id });
    expect(JSON.stringify(outbox)).not.toContain(token);

    expect(send).toHaveBeenCalledTimes(1);
    const message = InvitationEmailMessage.parse(send.mock.calls[0]![0]);
    expect(message).toEqual({
      type: 'invitation_email', outbox_id: outbox!.id, invitation_id: invitation.id, organization_id: org.orgId, recipient: email, role: 'admin', expires_at: invitation.expires_at,
    });
    // the queue message never carries the token (queue bodies reach logs and the dead-letter table)
    expect(JSON.stringify(send.mock.calls[0]![0])).not.toContain(token);
  });

  it('answers 201 and leaves the outbox row queued when the queue refuses the message', async () => {
    vi.spyOn(env.NOTIFICATIONS, 'send').mockRejectedValueOnce(new Error('queue unavailable'));
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const res = await call('POST', '/organization/invitations', { token: ownerToken, orgId: org.orgId, body: { email: randomEmail(), role: 'member' } });
    expect(res.status).toBe(201);
    expect(res.body.email.enqueued).toBe(false);
    const [outbox] = await sql`select status from notification_outbox where id = ${res.body.email.outbox_id}`;
    expect(outbox!.status).toBe('queued');
  });

  it('accepts expires_in_days and refuses owner invitations, bad emails and unknown fields', async () => {
    const ok = await call('POST', '/organization/invitations', { token: ownerToken, orgId: org.orgId, body: { email: randomEmail(), role: 'viewer', expires_in_days: 1 } });
    expect(ok.status).toBe(201);
    const [row] = await sql`select expires_at - created_at as ttl from invitations where id = ${ok.body.invitation.id}`;
    expect(row!.ttl).toBe('1 day');
    for (const body of [
      { email: randomEmail(), role: 'owner' },
      { email: 'not-an-email', role: 'member' },
      { email: randomEmail(), role: 'member', expires_in_days: 31 },
      { email: randomEmail(), role: 'member', organization_id: crypto.randomUUID() },
      { role: 'member' },
    ]) {
      const res = await call('POST', '/organization/invitations', { token: ownerToken, orgId: org.orgId, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
    }
  });

  it('answers 409 for an address that is already a member or already has a pending invitation', async () => {
    const member = await addMember(sql, org.orgId, 'member');
    const already = await call('POST', '/organization/invitations', { token: ownerToken, orgId: org.orgId, body: { email: member.email.toUpperCase(), role: 'member' } });
    expect(already.status).toBe(409);
    expect(already.body.error).toMatchObject({ code: 'conflict', details: { reason: 'already_member' } });

    const email = randomEmail();
    const first = await invite(org, email);
    const again = await call('POST', '/organization/invitations', { token: ownerToken, orgId: org.orgId, body: { email, role: 'viewer' } });
    expect(again.status).toBe(409);
    expect(again.body.error.details).toEqual({ reason: 'invitation_pending', invitation_id: first.id });
    expect(await sql`select 1 from invitations where organization_id = ${org.orgId} and email = ${email}`).toHaveLength(1);
  });

  it('re-inviting an address whose invitation expired replaces it: the old token stops working', async () => {
    const person = await newUser(sql);
    const old = await invite(org, person.email);
    await sql`update invitations set expires_at = now() - interval '1 minute' where id = ${old.id}`;
    const fresh = await invite(org, person.email, 'viewer');
    const [oldRow] = await sql`select revoked_at from invitations where id = ${old.id}`;
    expect(oldRow!.revoked_at).not.toBeNull();
    const token = await tokenOf(person);
    expect((await call('POST', '/invitations/accept', { token, body: { token: old.token } })).status).toBe(409);
    const accepted = await call('POST', '/invitations/accept', { token, body: { token: fresh.token } });
    expect(accepted.status).toBe(200);
    expect(accepted.body.role).toBe('viewer');
  });
});

describe('GET /organization/invitations', () => {
  it('lists open invitations with their status (pending or expired), never a token or hash', async () => {
    const o = await createOrganization(sql);
    const pending = await invite(o, randomEmail());
    const expired = await invite(o, randomEmail());
    await sql`update invitations set expires_at = now() - interval '1 second' where id = ${expired.id}`;
    const revoked = await invite(o, randomEmail());
    await call('DELETE', `/organization/invitations/${revoked.id}`, { token: await tokenOf(o), orgId: o.orgId });
    const viewer = await addMember(sql, o.orgId, 'viewer');
    const res = await call('GET', '/organization/invitations', { token: await tokenOf(viewer), orgId: o.orgId });
    expect(res.status).toBe(200);
    expect(res.body.data.map((i: any) => [i.id, i.status]).sort()).toEqual([[pending.id, 'pending'], [expired.id, 'expired']].sort());
    expect(JSON.stringify(res.body)).not.toMatch(/token|hash/);
  });
});

describe('accepting', () => {
  it('makes the invitee a member with the invited role, once', async () => {
    const person = await newUser(sql);
    const inv = await invite(org, person.email, 'admin');
    const token = await tokenOf(person);

    const mine = await call('GET', '/invitations/mine', { token });
    expect(mine.status).toBe(200);
    expect(mine.body.data).toEqual([expect.objectContaining({ id: inv.id, organization: { id: org.orgId, name: 'Acme Invitations' }, role: 'admin' })]);

    const res = await call('POST', '/invitations/accept', { token, body: { token: inv.token } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ organization: { id: org.orgId, name: 'Acme Invitations' }, role: 'admin' });
    expect(await memberRow(org.orgId, person.userId)).toEqual([{ role: 'admin' }]);
    const [row] = await sql`select accepted_at, accepted_by from invitations where id = ${inv.id}`;
    expect(row!.accepted_by).toBe(person.userId);
    expect(row!.accepted_at).not.toBeNull();

    // the new member acts for the organization at once
    const orgs = await call('GET', '/organizations', { token });
    expect(orgs.body.data.map((o: any) => [o.id, o.role])).toEqual([[org.orgId, 'admin']]);
    expect((await call('GET', '/invitations/mine', { token })).body.data).toEqual([]);
  });

  it('a retried accept answers the same membership; after leaving, the used token is refused', async () => {
    const person = await newUser(sql);
    const inv = await invite(org, person.email, 'member');
    const token = await tokenOf(person);
    expect((await call('POST', '/invitations/accept', { token, body: { token: inv.token } })).status).toBe(200);
    const retry = await call('POST', '/invitations/accept', { token, body: { token: inv.token } });
    expect(retry.status).toBe(200);
    expect(retry.body.role).toBe('member');
    expect(await sql`select 1 from organization_members where organization_id = ${org.orgId} and user_id = ${person.userId}`).toHaveLength(1);

    expect((await call('POST', '/organization/leave', { token, orgId: org.orgId })).status).toBe(200);
    const reuse = await call('POST', '/invitations/accept', { token, body: { token: inv.token } });
    expect(reuse.status).toBe(409);
    expect(reuse.body.error).toMatchObject({ code: 'conflict', details: { reason: 'accepted' } });
    expect(await memberRow(org.orgId, person.userId)).toEqual([]);
  });

  it('the wrong user gets 404 — a stranger, and a member of the inviting organization who can read the invitation', async () => {
    const person = await newUser(sql);
    const inv = await invite(org, person.email);
    const stranger = await newUser(sql);
    const fellow = await addMember(sql, org.orgId, 'admin');
    for (const who of [stranger, fellow]) {
      const res = await call('POST', '/invitations/accept', { token: await tokenOf(who), body: { token: inv.token } });
      expect(res.status).toBe(404);
      expect(res.body.error).toEqual({ code: 'not_found', message: 'invitation not found' });
      expect((await call('POST', '/invitations/decline', { token: await tokenOf(who), body: { token: inv.token } })).status).toBe(404);
    }
    expect(await memberRow(org.orgId, stranger.userId)).toEqual([]);
    expect((await memberRow(org.orgId, fellow.userId))[0]!.role).toBe('admin');
    const [row] = await sql`select accepted_at, declined_at from invitations where id = ${inv.id}`;
    expect(row).toEqual({ accepted_at: null, declined_at: null });
    // and the invitee still can
    expect((await call('POST', '/invitations/accept', { token: await tokenOf(person), body: { token: inv.token } })).status).toBe(200);
  });

  it('an expired invitation is refused with 409 and adds nobody', async () => {
    const person = await newUser(sql);
    const inv = await invite(org, person.email);
    await sql`update invitations set expires_at = now() - interval '1 second' where id = ${inv.id}`;
    const token = await tokenOf(person);
    const res = await call('POST', '/invitations/accept', { token, body: { token: inv.token } });
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: 'conflict', message: 'this invitation is expired', details: { reason: 'expired' } });
    expect(await memberRow(org.orgId, person.userId)).toEqual([]);
    expect((await call('GET', '/invitations/mine', { token })).body.data).toEqual([]);
    expect((await call('POST', '/invitations/decline', { token, body: { token: inv.token } })).status).toBe(409);
  });

  it('unknown tokens are 404 and malformed ones 400', async () => {
    const token = await tokenOf(await newUser(sql));
    const unknown = await call('POST', '/invitations/accept', { token, body: { token: 'A'.repeat(43) } });
    expect(unknown.status).toBe(404);
    for (const body of [{ token: 'short' }, {}, { token: 'A'.repeat(43), extra: 1 }]) {
      const res = await call('POST', '/invitations/accept', { token, body });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
    }
  });

  it('accepting needs a signed-in user', async () => {
    const res = await call('POST', '/invitations/accept', { body: { token: 'A'.repeat(43) } });
    expect(res.status).toBe(401);
  });
});

describe('declining and revoking', () => {
  it('a declined invitation cannot be accepted afterwards', async () => {
    const person = await newUser(sql);
    const inv = await invite(org, person.email);
    const token = await tokenOf(person);
    const res = await call('POST', '/invitations/decline', { token, body: { token: inv.token } });
    expect(res.status).toBe(200);
    expect(res.body.invitation).toEqual({ id: inv.id, organization_id: org.orgId, role: 'member', status: 'declined' });
    const accept = await call('POST', '/invitations/accept', { token, body: { token: inv.token } });
    expect(accept.status).toBe(409);
    expect(accept.body.error.details.reason).toBe('declined');
    expect(await memberRow(org.orgId, person.userId)).toEqual([]);
    expect((await call('POST', '/invitations/decline', { token, body: { token: inv.token } })).status).toBe(409);
  });

  it('a revoked invitation cannot be accepted; revoking is idempotent; an accepted one cannot be revoked', async () => {
    const person = await newUser(sql);
    const inv = await invite(org, person.email);
    const revoked = await call('DELETE', `/organization/invitations/${inv.id}`, { token: ownerToken, orgId: org.orgId });
    expect(revoked.status).toBe(200);
    expect(revoked.body.invitation).toMatchObject({ id: inv.id, status: 'revoked' });
    expect((await call('DELETE', `/organization/invitations/${inv.id}`, { token: ownerToken, orgId: org.orgId })).status).toBe(200);
    const accept = await call('POST', '/invitations/accept', { token: await tokenOf(person), body: { token: inv.token } });
    expect(accept.status).toBe(409);
    expect(accept.body.error.details.reason).toBe('revoked');
    expect(await memberRow(org.orgId, person.userId)).toEqual([]);

    const other = await newUser(sql);
    const used = await invite(org, other.email);
    await call('POST', '/invitations/accept', { token: await tokenOf(other), body: { token: used.token } });
    const late = await call('DELETE', `/organization/invitations/${used.id}`, { token: ownerToken, orgId: org.orgId });
    expect(late.status).toBe(409);
    expect(late.body.error.details.reason).toBe('accepted');
    expect((await call('DELETE', `/organization/invitations/${crypto.randomUUID()}`, { token: ownerToken, orgId: org.orgId })).status).toBe(404);
  });
});
