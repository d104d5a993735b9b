import type postgres from 'postgres';
import { call, tokenFor } from '../helpers/api';
import type { Fixture } from '../helpers/db';

/** A signed-up user (auth.users row) who belongs to no organization yet. */
export async function newUser(sql: postgres.Sql, email?: string): Promise<{ userId: string; email: string }> {
  const userId = crypto.randomUUID();
  const address = email ?? `person-${userId.slice(0, 8)}@test.local`;
  await sql`insert into auth.users (id, email) values (${userId}, ${address})`;
  return { userId, email: address };
}

/** An access token carrying the user's real email (invitations are matched on it). */
export const tokenOf = (u: { userId: string; email: string }) => tokenFor(u.userId, { email: u.email });

export const randomEmail = (prefix = 'invitee') => `${prefix}-${crypto.randomUUID().slice(0, 8)}@test.local`;

/** Invites through the API as `by` and answers the created invitation and its one-time token. */
export async function invite(by: Fixture, email: string, role: 'admin' | 'member' | 'viewer' = 'member') {
  const res = await call('POST', '/organization/invitations', { token: await tokenOf(by), orgId: by.orgId, body: { email, role } });
  if (res.status !== 201) throw new Error(`invite failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { id: res.body.invitation.id as string, token: res.body.token as string, body: res.body };
}

export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}
