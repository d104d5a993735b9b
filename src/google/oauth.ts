import { CodeChallengeMethod, decodeIdToken, generateCodeVerifier, OAuth2Client, OAuth2RequestError, type OAuth2Tokens } from 'arctic';
import { z } from 'zod';
import { googleConfig } from './config';
import { base64url, parseTokenKeys, type TokenKeys } from './token-crypto';

/**
 * Google OAuth 2.0 (authorization code + PKCE, offline access) through Arctic's generic
 * OAuth2Client: fetch-based, made for runtimes like Workers, and unlike its `Google` provider it
 * takes the endpoints as arguments, so dev and tests point it at the fake Google.
 */
export const SCOPES = {
  /** non-sensitive: files the user created with us or picked in the Google Picker */
  'drive.file': 'https://www.googleapis.com/auth/drive.file',
  /** sensitive (needs Google verification): every spreadsheet of the account */
  spreadsheets: 'https://www.googleapis.com/auth/spreadsheets',
} as const;
export type ScopeName = keyof typeof SCOPES;
/** openid + email: the id_token names the connected account */
const IDENTITY_SCOPES = ['openid', 'email'];

export const STATE_TTL_SECONDS = 600;

export const oauthClient = (env: Env) => {
  const c = googleConfig(env);
  return new OAuth2Client(c.GOOGLE_CLIENT_ID, c.GOOGLE_CLIENT_SECRET, c.GOOGLE_REDIRECT_URI);
};

export const tokenKeys = (env: Env): Promise<TokenKeys> => parseTokenKeys(googleConfig(env).GOOGLE_TOKEN_KEYS);

// ---------- state: signed, bound to user + organization + expiry; single use via the nonce row ----------
const StatePayload = z.object({ n: z.string().min(16).max(100), u: z.uuid(), o: z.uuid(), e: z.number().int(), k: z.string() });
export type StatePayload = z.infer<typeof StatePayload>;

export async function signState(keys: TokenKeys, p: Omit<StatePayload, 'k'>): Promise<string> {
  const body = base64url.encode(new TextEncoder().encode(JSON.stringify({ ...p, k: keys.current.id })));
  const sig = new Uint8Array(await crypto.subtle.sign('HMAC', keys.current.stateKey, new TextEncoder().encode(body)));
  return `${body}.${base64url.encode(sig)}`;
}

export type StateCheck = { ok: true; payload: StatePayload } | { ok: false; reason: 'malformed' | 'bad_signature' | 'expired' };

/** Signature and expiry; the caller then consumes the nonce (a replay finds it gone). */
export async function verifyState(keys: TokenKeys, state: string, nowSeconds = Math.floor(Date.now() / 1000)): Promise<StateCheck> {
  const [body, sig, extra] = state.split('.');
  if (!body || !sig || extra !== undefined || !/^[A-Za-z0-9_-]+$/.test(body) || !/^[A-Za-z0-9_-]+$/.test(sig)) return { ok: false, reason: 'malformed' };
  let payload: StatePayload;
  try {
    const parsed = StatePayload.safeParse(JSON.parse(new TextDecoder().decode(base64url.decode(body))));
    if (!parsed.success) return { ok: false, reason: 'malformed' };
    payload = parsed.data;
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  const key = keys.stateKeys.get(payload.k);
  if (!key || !(await crypto.subtle.verify('HMAC', key, base64url.decode(sig), new TextEncoder().encode(body)))) return { ok: false, reason: 'bad_signature' };
  if (payload.e <= nowSeconds) return { ok: false, reason: 'expired' };
  return { ok: true, payload };
}

export function authorizationUrl(env: Env, state: string, codeVerifier: string, scopes: ScopeName[]): URL {
  const url = oauthClient(env).createAuthorizationURLWithPKCE(
    googleConfig(env).GOOGLE_AUTHORIZE_URL,
    state,
    CodeChallengeMethod.S256,
    codeVerifier,
    [...IDENTITY_SCOPES, ...scopes.map((s) => SCOPES[s])],
  );
  url.searchParams.set('access_type', 'offline'); // a refresh token on the first exchange
  url.searchParams.set('include_granted_scopes', 'true'); // incremental authorization
  url.searchParams.set('prompt', 'consent'); // Google returns a refresh token again on reconnect
  return url;
}
export { generateCodeVerifier };

export interface GrantedTokens {
  accessToken: string;
  accessTokenExpiresAt: Date;
  refreshToken: string | null;
  scopes: string[];
  email: string | null;
}

function granted(tokens: OAuth2Tokens): GrantedTokens {
  let email: string | null = null;
  try {
    // The id_token came straight from Google's token endpoint over TLS: its claims need no signature check (OIDC Core 3.1.3.7).
    const claims = z.object({ email: z.string().max(320) }).safeParse(decodeIdToken(tokens.idToken()));
    if (claims.success) email = claims.data.email;
  } catch {
    /* no id_token: email unknown */
  }
  return {
    accessToken: tokens.accessToken(),
    accessTokenExpiresAt: tokens.accessTokenExpiresAt(),
    refreshToken: tokens.hasRefreshToken() ? tokens.refreshToken() : null,
    scopes: tokens.hasScopes() ? tokens.scopes() : [],
    email,
  };
}

export async function exchangeCode(env: Env, code: string, codeVerifier: string): Promise<GrantedTokens> {
  return granted(await oauthClient(env).validateAuthorizationCode(googleConfig(env).GOOGLE_TOKEN_URL, code, codeVerifier));
}

export async function refreshAccessToken(env: Env, refreshToken: string): Promise<GrantedTokens> {
  return granted(await oauthClient(env).refreshAccessToken(googleConfig(env).GOOGLE_TOKEN_URL, refreshToken, []));
}

export async function revokeToken(env: Env, token: string): Promise<void> {
  await oauthClient(env).revokeToken(googleConfig(env).GOOGLE_REVOKE_URL, token);
}

/** Google answered that the grant is gone (revoked, expired, password change…): only a new consent helps. */
export const isInvalidGrant = (err: unknown) => err instanceof OAuth2RequestError && err.code === 'invalid_grant';
export { OAuth2RequestError };
