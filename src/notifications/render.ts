import { findInvitationForEmail, type OutboxRow } from '../db/notifications';
import type { Db } from '../db/client';
import { sha256Hex as hashInvitationToken } from './hash';
import { InvitationEmailPayload, INVITATION_TEMPLATE } from './invitation-messages';
import { invitationTokenSecret, notificationConfig } from './config';
import { invitationTokenFor } from './invitation-token';

/**
 * Turns an outbox row into the provider request, reading what it needs at send time. Rows whose
 * reason has gone (a revoked invitation) are cancelled rather than sent.
 */
export type Rendered =
  | { kind: 'email'; transactionalId: string; email: string; dataVariables: Record<string, string | number> }
  | { kind: 'telegram'; chatId: string; text: string }
  | { kind: 'cancel'; reason: string }
  | { kind: 'permanent'; code: string; error: string };

export async function renderOutboxRow(env: Env, db: Db, row: OutboxRow): Promise<Rendered> {
  if (row.channel === 'email') return renderEmail(env, db, row);
  if (typeof row.payload.text !== 'string') return { kind: 'permanent', code: 'invalid_payload', error: `${row.template}: Telegram rows carry their text` };
  return { kind: 'telegram', chatId: row.recipient, text: row.payload.text };
}

function transactionalId(env: Env, template: string): string | undefined {
  return notificationConfig(env).LOOPS_TRANSACTIONAL_IDS[template];
}

async function renderEmail(env: Env, db: Db, row: OutboxRow): Promise<Rendered> {
  const id = transactionalId(env, row.template);
  if (!id) return { kind: 'permanent', code: 'template_not_configured', error: `no Loops transactional id for '${row.template}' in LOOPS_TRANSACTIONAL_IDS` };
  if (row.template === INVITATION_TEMPLATE) return renderInvitation(env, db, row, id);
  // Other email types carry their data variables (flat strings and numbers) in the payload.
  const vars: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(row.payload)) if (typeof v === 'string' || typeof v === 'number') vars[k] = v;
  return { kind: 'email', transactionalId: id, email: row.recipient, dataVariables: vars };
}

async function renderInvitation(env: Env, db: Db, row: OutboxRow, transactionalId: string): Promise<Rendered> {
  const payload = InvitationEmailPayload.safeParse(row.payload);
  if (!payload.success) return { kind: 'permanent', code: 'invalid_payload', error: 'invitation row without invitation_id' };
  const inv = row.organization_id ? await findInvitationForEmail(db, row.organization_id, payload.data.invitation_id) : undefined;
  if (!inv) return { kind: 'cancel', reason: 'the invitation no longer exists' };
  if (!inv.open) return { kind: 'cancel', reason: 'the invitation was accepted, declined, revoked or has expired' };
  const token = await invitationTokenFor(invitationTokenSecret(env), inv.id);
  // Rows written before tokens were derived (or after a secret rotation) cannot be rebuilt.
  if ((await hashInvitationToken(token)) !== inv.token_hash) {
    return { kind: 'permanent', code: 'token_unrecoverable', error: 'the accept token cannot be rebuilt for this invitation (made before derived tokens or with another secret): invite again' };
  }
  const accept = new URL('/invitations/accept', notificationConfig(env).APP_BASE_URL);
  accept.searchParams.set('token', token);
  return {
    kind: 'email',
    transactionalId,
    email: inv.email,
    dataVariables: {
      organizationName: inv.organization_name,
      role: inv.role,
      invitedBy: inv.invited_by_email ?? '',
      acceptUrl: accept.toString(),
      expiresAt: inv.expires_at.toISOString(),
    },
  };
}
