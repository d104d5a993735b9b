/**
 * Invitation tokens (32 bytes, base64url) are derived from the invitation id with a secret
 * (src/notifications/invitation-token.ts); only their SHA-256 (hex) is stored.
 */

export async function hashInvitationToken(token: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}
