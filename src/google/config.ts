import { z } from 'zod';
import { ConfigError } from '../env';

/**
 * Google settings, checked when a Google route or step first needs them (the rest of the API
 * keeps working without them). Vars point at Google in production and at test/fakes/google.mjs
 * in dev and tests; the client id/secret and the token keys are secrets.
 */
const GoogleEnv = z.object({
  GOOGLE_CLIENT_ID: z.string().min(1, 'set the GOOGLE_CLIENT_ID secret'),
  GOOGLE_CLIENT_SECRET: z.string().min(1, 'set the GOOGLE_CLIENT_SECRET secret'),
  /** `keyId:base64(32 bytes)[,older…]` — the first encrypts, all decrypt (rotation). */
  GOOGLE_TOKEN_KEYS: z.string().min(1, 'set the GOOGLE_TOKEN_KEYS secret (keyId:base64 of 32 random bytes)'),
  GOOGLE_REDIRECT_URI: z.url(),
  GOOGLE_AUTHORIZE_URL: z.url().default('https://accounts.google.com/o/oauth2/v2/auth'),
  GOOGLE_TOKEN_URL: z.url().default('https://oauth2.googleapis.com/token'),
  GOOGLE_REVOKE_URL: z.url().default('https://oauth2.googleapis.com/revoke'),
  GOOGLE_SHEETS_API_BASE_URL: z.url().default('https://sheets.googleapis.com'),
});
export type GoogleConfig = z.infer<typeof GoogleEnv>;

const cache = new WeakMap<object, GoogleConfig>();

export function googleConfig(env: Env): GoogleConfig {
  const hit = cache.get(env);
  if (hit) return hit;
  const raw = env as unknown as Record<string, unknown>;
  // empty vars mean "use the default"
  const parsed = GoogleEnv.safeParse(Object.fromEntries(Object.keys(GoogleEnv.shape).map((k) => [k, raw[k] === '' ? undefined : raw[k]])));
  if (!parsed.success) throw new ConfigError(`invalid Google configuration: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  cache.set(env, parsed.data);
  return parsed.data;
}
