import { configSection, requireVars } from '../env';

/**
 * Google settings: the Google part of the one config schema (src/env.ts), required when a Google
 * route or step first needs them (the rest of the API keeps working without them). Vars point at
 * Google in production and at test/fakes/google.mjs in dev and tests; the client id/secret and the
 * token keys are secrets.
 */
const KEYS = [
  'GOOGLE_CLIENT_ID', 'GOOGLE_CLIENT_SECRET', 'GOOGLE_TOKEN_KEYS', 'GOOGLE_REDIRECT_URI',
  'GOOGLE_AUTHORIZE_URL', 'GOOGLE_TOKEN_URL', 'GOOGLE_REVOKE_URL', 'GOOGLE_SHEETS_API_BASE_URL',
] as const;

const HINTS: Record<string, string> = {
  GOOGLE_CLIENT_ID: 'set the GOOGLE_CLIENT_ID secret',
  GOOGLE_CLIENT_SECRET: 'set the GOOGLE_CLIENT_SECRET secret',
  GOOGLE_TOKEN_KEYS: 'set the GOOGLE_TOKEN_KEYS secret (keyId:base64 of 32 random bytes)',
  GOOGLE_REDIRECT_URI: 'set the GOOGLE_REDIRECT_URI var (the OAuth callback URL)',
};

export function googleConfig(env: Env) {
  return requireVars(configSection(env, KEYS, 'Google'), ['GOOGLE_CLIENT_ID', 'GOOGLE_CLIENT_SECRET', 'GOOGLE_TOKEN_KEYS', 'GOOGLE_REDIRECT_URI'], 'Google', (k) => HINTS[k]!);
}
export type GoogleConfig = ReturnType<typeof googleConfig>;
