import { z } from '@hono/zod-openapi';
import {
  acceptInvitation, declineInvitation, findMyInvitationByTokenHash, findOpenInvitationByEmail, findOrganization, insertInvitation,
  invitationStatus, isMemberEmail, listMyPendingInvitations, listOpenInvitations, revokeInvitation, type InvitationRow,
} from '../../db/organizations';
import { lockOrganizationQuota } from '../../db/limits';
import { recordNotification } from '../../db/notifications';
import { invitationTokenSecret } from '../../notifications/config';
import { invitationTokenFor } from '../../notifications/invitation-token';
import { assertCanAddMembers } from '../../steps/limits';
import { ApiError, notFound } from '../errors';
import { assertCan } from '../permissions';
import { defineRoute, json, jsonBody, router } from '../openapi/route';
import { IdParam, List, Timestamp, Uuid } from '../openapi/schemas';
import { Invitation, InvitationStatus, OrganizationWithRole } from './responses';
import { MemberRole } from './schemas';
import type postgres from 'postgres';
import { INVITATION_TEMPLATE, InvitationEmailMessage, type InvitationEmailPayload } from '../../notifications/invitation-messages';
import { asCaller, invitationJson, organizationJson } from './shared';
import { InvitableRole, InvitationToken } from './schemas';
import { sha256Hex as hashInvitationToken } from '../../notifications/hash';

export const InviteBody = z.strictObject({
  email: z.email().max(320).transform((e) => e.trim().toLowerCase()),
  role: InvitableRole,
  expires_in_days: z.number().int().min(1).max(30).default(7),
});
export type InviteBody = z.input<typeof InviteBody>;
export const TokenBody = z.strictObject({ token: InvitationToken });

function noLongerValid(inv: InvitationRow): ApiError {
  const status = invitationStatus(inv);
  return new ApiError('conflict', `this invitation is ${status === 'expired' ? 'expired' : `already ${status}`}`, { reason: status });
}

// Tenant routes: /organization/invitations ------------------------------------------------------

const listOpen = defineRoute('tenant', {
  method: 'get', path: '/', tags: ['Invitations'], summary: 'Open invitations',
  description: 'Invitations not yet accepted, declined or revoked (pending and expired).',
  responses: { 200: json(List(Invitation), 'The open invitations') },
});

const invite = defineRoute('tenant', {
  method: 'post', path: '/', tags: ['Invitations'], summary: 'Invite by email',
  description: 'Owners and admins. The token is answered once, here, and emailed; it is never stored.',
  request: { body: jsonBody(InviteBody.openapi({ example: { email: 'ada@example.com', role: 'member', expires_in_days: 7 } })) },
  responses: {
    201: json(
      z.object({ invitation: Invitation, token: z.string(), email: z.object({ outbox_id: Uuid, enqueued: z.boolean() }) }),
      'The invitation, its token and the email queued for it',
    ),
  },
}, { errors: ['forbidden', 'conflict', 'limit_exceeded'] });

const revoke = defineRoute('tenant', {
  method: 'delete', path: '/{id}', tags: ['Invitations'], summary: 'Revoke an invitation',
  request: { params: IdParam },
  responses: { 200: json(z.object({ invitation: Invitation }), 'The revoked invitation') },
}, { errors: ['forbidden', 'not_found', 'conflict'] });

/** GET (open invitations), POST (invite by email), DELETE /:id (revoke). */
export const organizationInvitations = router()
  .openapi(listOpen, async (c) => {
    const org = c.get('org');
    const rows = await asCaller(c, (tx) => listOpenInvitations(tx, org.id));
    return c.json({ data: rows.map(invitationJson) }, 200);
  })

  .openapi(invite, async (c) => {
    const org = c.get('org');
    assertCan(org.role, 'members.invite');
    const body = c.req.valid('json');
    const user = c.get('user');
    // The token is derived from the new invitation's id, so it never has to be stored to be emailed.
    const invitationId = crypto.randomUUID();
    const token = await invitationTokenFor(invitationTokenSecret(c.env), invitationId);
    const tokenHash = await hashInvitationToken(token);

    const { invitation, outboxId } = await asCaller(c, async (tx) => {
      // one membership write at a time per organization: the seat count and the open-invitation
      // check below see every committed invitation
      await lockOrganizationQuota(tx, org.id);
      if (await isMemberEmail(tx, org.id, body.email)) {
        throw new ApiError('conflict', `${body.email} is already a member`, { reason: 'already_member' });
      }
      const open = await findOpenInvitationByEmail(tx, org.id, body.email);
      if (open && invitationStatus(open) === 'pending') {
        throw new ApiError('conflict', `${body.email} already has a pending invitation: revoke it to invite again`, { reason: 'invitation_pending', invitation_id: open.id });
      }
      if (open) await revokeInvitation(tx, org.id, open.id); // an expired one is superseded by the new one
      await assertCanAddMembers(tx, org.id, 1);
      const invitation = await insertInvitation(tx, {
        id: invitationId, organizationId: org.id, email: body.email, role: body.role, tokenHash, invitedBy: user.id, expiresInDays: body.expires_in_days,
      });
      const payload: InvitationEmailPayload = { invitation_id: invitation.id };
      // same transaction as the invitation: the email exists exactly when the invitation does
      const outboxId = await recordNotification(tx, {
        organizationId: org.id, channel: 'email', recipient: body.email, template: INVITATION_TEMPLATE, payload, idempotencyKey: `invitation:${invitation.id}`,
      });
      return { invitation, outboxId };
    });

    // After the commit, so the consumer finds the outbox row. A failed send leaves the row queued.
    const message = InvitationEmailMessage.parse({
      type: 'invitation_email',
      outbox_id: outboxId,
      invitation_id: invitation.id,
      organization_id: org.id,
      recipient: invitation.email,
      role: body.role,
      expires_at: invitation.expires_at.toISOString(),
    } satisfies InvitationEmailMessage);
    let enqueued = true;
    try {
      await c.env.NOTIFICATIONS.send(message, { contentType: 'json' });
    } catch (err) {
      enqueued = false;
      console.error(JSON.stringify({ event: 'invitation_email_enqueue_failed', outbox_id: outboxId, message: err instanceof Error ? err.message : String(err) }));
    }
    // The token is answered once, here; the database keeps only its SHA-256 (the email rebuilds it).
    return c.json({ invitation: invitationJson(invitation), token, email: { outbox_id: outboxId, enqueued } }, 201);
  })

  .openapi(revoke, async (c) => {
    const org = c.get('org');
    assertCan(org.role, 'invitations.revoke');
    const { id } = c.req.valid('param');
    const invitation = await asCaller(c, async (tx) => {
      const row = await revokeInvitation(tx, org.id, id);
      if (!row) throw notFound('invitation');
      if (row.accepted_at || row.declined_at) throw noLongerValid(row);
      return row;
    });
    return c.json({ invitation: invitationJson(invitation) }, 200);
  });

// User routes: /invitations ---------------------------------------------------------------------

/** The caller's invitation with this token: unknown and addressed-to-someone-else get the same 404. */
async function myInvitation(tx: postgres.TransactionSql, tokenHash: string) {
  const inv = await findMyInvitationByTokenHash(tx, tokenHash);
  if (!inv) throw notFound('invitation');
  return inv;
}

function dbInvitationError(err: unknown): never {
  const code = (err as { code?: string } | null)?.code;
  if (code === 'P0002') throw notFound('invitation');
  if (code === 'P0001') throw new ApiError('conflict', 'this invitation is no longer valid', { reason: 'invalid' });
  throw err;
}

const mine = defineRoute('user', {
  method: 'get', path: '/mine', tags: ['Invitations'], summary: 'Invitations addressed to you',
  description: 'Pending invitations to your email address.',
  responses: {
    200: json(
      List(z.object({ id: Uuid, organization: z.object({ id: Uuid, name: z.string() }), email: z.string(), role: MemberRole, expires_at: Timestamp, created_at: Timestamp })),
      'Your pending invitations',
    ),
  },
});

const TokenRequest = jsonBody(TokenBody.openapi({ example: { token: 'q3Jm0cVh1WkJ2bS1xYk9fR3l6dEhBc0pMVE1hSmRpN' } }));

const accept = defineRoute('user', {
  method: 'post', path: '/accept', tags: ['Invitations'], summary: 'Accept an invitation',
  description: 'With the token from the email. Accepting again answers the same membership.',
  request: { body: TokenRequest },
  responses: { 200: json(OrganizationWithRole, 'The organization you joined and your role') },
}, { errors: ['not_found', 'conflict', 'limit_exceeded'] });

const decline = defineRoute('user', {
  method: 'post', path: '/decline', tags: ['Invitations'], summary: 'Decline an invitation',
  request: { body: TokenRequest },
  responses: { 200: json(z.object({ invitation: z.object({ id: Uuid, organization_id: Uuid, role: MemberRole, status: InvitationStatus }) }), 'The declined invitation') },
}, { errors: ['not_found', 'conflict'] });

/** GET /invitations/mine, POST /invitations/accept {token}, POST /invitations/decline {token}. */
export const invitations = router()
  .openapi(mine, async (c) => {
    const rows = await asCaller(c, (tx) => listMyPendingInvitations(tx));
    return c.json({
      data: rows.map((r) => ({
        id: r.id, organization: { id: r.organization_id, name: r.organization_name }, email: r.email, role: r.role, expires_at: r.expires_at, created_at: r.created_at,
      })),
    }, 200);
  })

  .openapi(accept, async (c) => {
    const tokenHash = await hashInvitationToken(c.req.valid('json').token);
    const user = c.get('user');
    const result = await asCaller(c, async (tx) => {
      const inv = await myInvitation(tx, tokenHash);
      const status = invitationStatus(inv);
      // accepting again (a retried request) answers the same membership; any other reuse is refused
      if (status !== 'pending' && !(status === 'accepted' && inv.accepted_by === user.id)) throw noLongerValid(inv);
      const membership = await acceptInvitation(tx, tokenHash).catch(dbInvitationError);
      if (!membership) throw noLongerValid(inv); // used, and the membership it gave was ended since
      const organization = (await findOrganization(tx, membership.organization_id))!;
      return { organization, role: membership.role };
    });
    return c.json({ organization: organizationJson(result.organization), role: result.role }, 200);
  })

  .openapi(decline, async (c) => {
    const tokenHash = await hashInvitationToken(c.req.valid('json').token);
    const invitation = await asCaller(c, async (tx) => {
      const inv = await myInvitation(tx, tokenHash);
      if (invitationStatus(inv) !== 'pending') throw noLongerValid(inv);
      if (!(await declineInvitation(tx, tokenHash))) throw new ApiError('conflict', 'this invitation is no longer valid', { reason: 'invalid' });
      return (await findMyInvitationByTokenHash(tx, tokenHash))!;
    });
    return c.json({ invitation: { id: invitation.id, organization_id: invitation.organization_id, role: invitation.role, status: invitationStatus(invitation) } }, 200);
  });

