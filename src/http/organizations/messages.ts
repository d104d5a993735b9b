import { z } from 'zod';

/**
 * NOTIFICATIONS queue message asking for an invitation email. The token is deliberately NOT in
 * the message (queue bodies end up in logs and the dead-letter table): the consumer reads the
 * outbox row `outbox_id`, whose payload (see InvitationEmailPayload) holds the accept token.
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

/** The recorded outgoing message: `notification_outbox.payload` of template `organization_invitation`. */
export const InvitationEmailPayload = z.object({
  invitation_id: z.uuid(),
  organization_id: z.uuid(),
  organization_name: z.string(),
  role: z.enum(['admin', 'member', 'viewer']),
  invited_by: z.object({ user_id: z.uuid(), email: z.string().nullable() }),
  token: z.string(),
  expires_at: z.string(),
});
export type InvitationEmailPayload = z.infer<typeof InvitationEmailPayload>;

export const INVITATION_TEMPLATE = 'organization_invitation';
