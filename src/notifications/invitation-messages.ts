import { z } from 'zod';

/**
 * NOTIFICATIONS queue message asking for an invitation email. No token in it (queue bodies end up
 * in logs and the dead-letter table), nor in the outbox row: the consumer rebuilds the accept
 * token from the invitation id (src/notifications/invitation-token.ts) when it sends.
 */
export const InvitationEmailMessage = z.object({
  type: z.literal('invitation_email'),
  outbox_id: z.uuid(),
  invitation_id: z.uuid(),
  organization_id: z.uuid(),
  recipient: z.email(),
  role: z.enum(['admin', 'member', 'viewer']),
  expires_at: z.string(),
});
export type InvitationEmailMessage = z.infer<typeof InvitationEmailMessage>;

/**
 * `notification_outbox.payload` of template `organization_invitation`: only what finds the
 * invitation. Organization name, inviter and expiry are read when the email is sent (a revoked
 * or accepted invitation is then not emailed at all).
 */
export const InvitationEmailPayload = z.object({
  invitation_id: z.uuid(),
});
export type InvitationEmailPayload = z.infer<typeof InvitationEmailPayload>;

export const INVITATION_TEMPLATE = 'organization_invitation';
