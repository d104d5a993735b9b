/**
 * Invitation tokens are not random and never stored: token = base64url(HMAC-SHA256(secret,
 * invitation id)). The database keeps only SHA-256(token) (invitations.token_hash, looked up on
 * accept); the NOTIFICATIONS consumer rebuilds the token from the invitation id when it sends the
 * email. So no table, outbox payload or queue message holds a usable token, and a copy of the
 * database without INVITATION_TOKEN_SECRET cannot accept anything. Rotating the secret invalidates
 * the links of invitations not yet emailed (the consumer sees the hash mismatch and fails the row).
 */
function base64url(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export async function invitationTokenFor(secret: string, invitationId: string): Promise<string> {
  if (secret.length < 32) throw new Error('INVITATION_TOKEN_SECRET must be at least 32 characters');
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(`invitation:${invitationId}`));
  return base64url(new Uint8Array(mac));
}
