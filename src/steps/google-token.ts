import { NonRetryableError } from 'cloudflare:workflows';
import type { Db } from '../db/client';
import { loadCredentials, markNeedsReauth, saveCredentials } from '../db/google-sheets';
import { isInvalidGrant, refreshAccessToken, tokenKeys } from '../google/oauth';
import { decryptToken, encryptToken } from '../google/token-crypto';
import { onIntegrationNeedsReauth } from './google-needs-reauth';

/** Refresh a minute before Google's expiry so a token never dies mid-call. */
const EXPIRY_MARGIN_MS = 60_000;

// Decrypted access tokens of this isolate, so the steps of one run decrypt once. Never logged,
// never returned from a step (step results are visible to operators).
const memo = new Map<string, { token: string; expiresAt: number }>();

export class NeedsReauthError extends NonRetryableError {
  constructor(reason: string) {
    super(`needs_reauth: ${reason}`);
  }
}

/**
 * A live access token of the integration: the cached one while it lives, else a refresh through
 * Google (re-encrypted with the current key). `invalid_grant` marks the integration and its
 * sources needs_reauth and ends the run without retries (a revoked grant does not come back by
 * waiting; retrying would only hammer Google).
 */
export async function accessTokenFor(env: Env, db: Db, integrationId: string, opts: { forceRefresh?: boolean } = {}): Promise<{ token: string; expiresAt: Date; refreshed: boolean }> {
  const now = Date.now();
  const hit = memo.get(integrationId);
  if (!opts.forceRefresh && hit && hit.expiresAt - EXPIRY_MARGIN_MS > now) return { token: hit.token, expiresAt: new Date(hit.expiresAt), refreshed: false };

  const creds = await loadCredentials(db, integrationId);
  if (!creds) throw new NeedsReauthError('no stored Google credentials: connect the Google account again');
  if (creds.integration_status !== 'active') {
    // normally notified when it was marked; this covers a mark whose notification was lost (deduplicated)
    await onIntegrationNeedsReauth(env, db, { integrationId, organizationId: creds.organization_id, googleEmail: null, reason: 'still needs_reauth' });
    throw new NeedsReauthError('the Google account must be connected again');
  }
  const keys = await tokenKeys(env);
  if (!opts.forceRefresh && creds.access_token_ciphertext && creds.access_token_expires_at && creds.access_token_expires_at.getTime() - EXPIRY_MARGIN_MS > now) {
    const token = await decryptToken(keys, creds.access_token_ciphertext, creds.organization_id, integrationId);
    memo.set(integrationId, { token, expiresAt: creds.access_token_expires_at.getTime() });
    return { token, expiresAt: creds.access_token_expires_at, refreshed: false };
  }

  const refreshToken = await decryptToken(keys, creds.refresh_token_ciphertext, creds.organization_id, integrationId);
  let granted;
  try {
    granted = await refreshAccessToken(env, refreshToken);
  } catch (err) {
    if (isInvalidGrant(err)) {
      const reason = `Google refused the stored grant (invalid_grant: ${(err as Error & { description?: string | null }).description ?? 'revoked or expired'}); connect the account again`;
      const integration = await markNeedsReauth(db, integrationId, reason);
      if (integration) await onIntegrationNeedsReauth(env, db, { integrationId, organizationId: integration.organization_id, googleEmail: integration.google_email, reason });
      memo.delete(integrationId);
      throw new NeedsReauthError(reason);
    }
    throw err; // network / 5xx from the token endpoint: the step retries
  }
  const access = await encryptToken(keys, granted.accessToken, creds.organization_id, integrationId);
  // a refresh re-encrypts the refresh token too when the key rotated (or Google rotated the token)
  const rotate = granted.refreshToken ?? (creds.key_id !== keys.current.id ? refreshToken : null);
  const refresh = rotate ? await encryptToken(keys, rotate, creds.organization_id, integrationId) : null;
  await saveCredentials(db, { integrationId, organizationId: creds.organization_id, refreshCiphertext: refresh?.ciphertext ?? null, accessCiphertext: access.ciphertext, accessExpiresAt: granted.accessTokenExpiresAt, keyId: keys.current.id });
  memo.set(integrationId, { token: granted.accessToken, expiresAt: granted.accessTokenExpiresAt.getTime() });
  return { token: granted.accessToken, expiresAt: granted.accessTokenExpiresAt, refreshed: true };
}

/** Forget this isolate's decrypted tokens (tests; a disconnected integration). */
export const forgetAccessToken = (integrationId: string) => memo.delete(integrationId);
