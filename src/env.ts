import { z } from 'zod';

/**
 * THE configuration schema of the Worker: every var and secret it reads, once. Every entry point
 * checks it before doing anything (`checkConfig`: fetch, queue, scheduled and each workflow's run),
 * so a malformed value or a missing required secret fails at the door with an error naming the
 * variable, never deep inside a handler.
 *
 * Features that can be left unconfigured (Google, Loops, Telegram, operator alerts, the Workflows
 * REST API) keep their secrets optional here; the feature's accessor (`configSection` + `requireVars`)
 * says which one is missing when the feature is used. Empty vars mean "unset" (wrangler.jsonc
 * lists optional vars as "").
 */

const unsetWhenEmpty = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === '' || v === null ? undefined : v), schema);

/** An optional secret: when set, a non-blank string. */
const secret = (name: string) =>
  unsetWhenEmpty(z.string({ error: `secret ${name} must be a string` }).trim().min(1, `secret ${name} is empty`).optional());

/** An http(s) URL without trailing slashes, with the production default when unset. */
const httpUrl = (name: string, fallback: string) => {
  const url = z
    .string({ error: `${name} must be an http(s) URL` })
    .trim()
    .refine((v) => URL.canParse(v) && /^https?:$/.test(new URL(v).protocol), `${name} must be an http(s) URL`)
    .transform((v) => v.replace(/\/+$/, ''));
  return unsetWhenEmpty(url.default(fallback));
};

const text = (fallback: string) => unsetWhenEmpty(z.string().trim().min(1).default(fallback));

const TransactionalIds = z.record(z.string().min(1).max(100), z.string().min(1).max(200));

const FIELDS = {
  // ---- auth (src/http/auth.ts): one of the two is required, see checkConfig
  SUPABASE_JWT_SECRET: secret('SUPABASE_JWT_SECRET'),
  SUPABASE_JWKS_URL: unsetWhenEmpty(z.url().optional()),
  SUPABASE_JWT_ISSUER: unsetWhenEmpty(z.string().optional()),

  // ---- platforms (src/platforms/config.ts)
  TIKTOK_API_BASE_URL: httpUrl('TIKTOK_API_BASE_URL', 'https://tiktok-scraper7.p.rapidapi.com'),
  TIKTOK_RAPIDAPI_HOST: text('tiktok-scraper7.p.rapidapi.com'),
  INSTAGRAM_API_BASE_URL: httpUrl('INSTAGRAM_API_BASE_URL', 'https://instagram-scraper-api2.p.rapidapi.com'),
  INSTAGRAM_RAPIDAPI_HOST: text('instagram-scraper-api2.p.rapidapi.com'),
  YOUTUBE_API_BASE_URL: httpUrl('YOUTUBE_API_BASE_URL', 'https://www.googleapis.com/youtube/v3'),
  RAPIDAPI_KEY: secret('RAPIDAPI_KEY'),
  YOUTUBE_API_KEY: secret('YOUTUBE_API_KEY'),
  /** a video fetched within this many minutes is not fetched again by another path (0 = off) */
  STATS_FRESHNESS_MINUTES: unsetWhenEmpty(
    z.coerce
      .number({ error: 'STATS_FRESHNESS_MINUTES must be a whole number of minutes from 0 to 1440' })
      .int('STATS_FRESHNESS_MINUTES must be a whole number of minutes from 0 to 1440')
      .min(0, 'STATS_FRESHNESS_MINUTES must be a whole number of minutes from 0 to 1440')
      .max(24 * 60, 'STATS_FRESHNESS_MINUTES must be a whole number of minutes from 0 to 1440')
      .default(30),
  ),

  // ---- ops (src/ops/config.ts)
  OPS_TOKEN: secret('OPS_TOKEN'),
  /** `{account_id}` is replaced by CLOUDFLARE_ACCOUNT_ID */
  CLOUDFLARE_API_BASE_URL: unsetWhenEmpty(z.string().trim().transform((v) => v.replace(/\/+$/, '')).optional()),
  CLOUDFLARE_ACCOUNT_ID: secret('CLOUDFLARE_ACCOUNT_ID'),
  CLOUDFLARE_API_TOKEN: secret('CLOUDFLARE_API_TOKEN'),

  // ---- notifications (src/notifications/config.ts)
  LOOPS_API_BASE_URL: unsetWhenEmpty(z.url().default('https://app.loops.so')),
  LOOPS_API_KEY: secret('LOOPS_API_KEY'),
  /** JSON {"<template>": "<Loops transactional id>"} */
  LOOPS_TRANSACTIONAL_IDS: unsetWhenEmpty(
    z
      .string()
      .default('{}')
      .transform((s, ctx) => {
        try {
          return TransactionalIds.parse(JSON.parse(s));
        } catch {
          ctx.addIssue({ code: 'custom', message: 'must be a JSON object {"<template>": "<transactional id>"}' });
          return z.NEVER;
        }
      }),
  ),
  /** the web app's origin: links in messages point there */
  APP_BASE_URL: unsetWhenEmpty(z.url().default('http://localhost:3000')),
  /** ≥ 32 characters where invitations are sent (invitationTokenSecret) */
  INVITATION_TOKEN_SECRET: secret('INVITATION_TOKEN_SECRET'),

  // ---- Telegram (src/notifications/telegram-config.ts)
  TELEGRAM_API_BASE_URL: unsetWhenEmpty(z.url().default('https://api.telegram.org')),
  TELEGRAM_BOT_USERNAME: unsetWhenEmpty(z.string().regex(/^[A-Za-z0-9_]{3,64}$/).optional()),
  TELEGRAM_BOT_TOKEN: secret('TELEGRAM_BOT_TOKEN'),
  TELEGRAM_WEBHOOK_SECRET: unsetWhenEmpty(z.string().regex(/^[A-Za-z0-9_-]{1,256}$/).optional()),

  // ---- operator alerts (src/notifications/cron.ts)
  OPS_ALERT_TELEGRAM_CHAT_ID: unsetWhenEmpty(z.string().regex(/^-?\d{1,20}$/).optional()),
  OPS_ALERT_EMAIL: unsetWhenEmpty(z.email().optional()),
  OPS_ALERT_DEAD_LETTERS_PER_HOUR: unsetWhenEmpty(z.coerce.number().int().min(0).default(20)),

  // ---- Google (src/google/config.ts): the secrets are required where Google is used
  GOOGLE_CLIENT_ID: secret('GOOGLE_CLIENT_ID'),
  GOOGLE_CLIENT_SECRET: secret('GOOGLE_CLIENT_SECRET'),
  /** `keyId:base64(32 bytes)[,older…]` — the first encrypts, all decrypt (rotation) */
  GOOGLE_TOKEN_KEYS: secret('GOOGLE_TOKEN_KEYS'),
  GOOGLE_REDIRECT_URI: unsetWhenEmpty(z.url().optional()),
  GOOGLE_AUTHORIZE_URL: unsetWhenEmpty(z.url().default('https://accounts.google.com/o/oauth2/v2/auth')),
  GOOGLE_TOKEN_URL: unsetWhenEmpty(z.url().default('https://oauth2.googleapis.com/token')),
  GOOGLE_REVOKE_URL: unsetWhenEmpty(z.url().default('https://oauth2.googleapis.com/revoke')),
  GOOGLE_SHEETS_API_BASE_URL: unsetWhenEmpty(z.url().default('https://sheets.googleapis.com')),
  /** a resync pauses this long for its new links' first stats before writing back (0 = no wait) */
  SHEETS_FIRST_STATS_WAIT_SECONDS: unsetWhenEmpty(
    z.coerce
      .number({ error: 'SHEETS_FIRST_STATS_WAIT_SECONDS must be a whole number of seconds from 0 to 300' })
      .int('SHEETS_FIRST_STATS_WAIT_SECONDS must be a whole number of seconds from 0 to 300')
      .min(0, 'SHEETS_FIRST_STATS_WAIT_SECONDS must be a whole number of seconds from 0 to 300')
      .max(300, 'SHEETS_FIRST_STATS_WAIT_SECONDS must be a whole number of seconds from 0 to 300')
      .default(15),
  ),

  // ---- browsers on other origins (src/http/cors.ts): comma-separated origins allowed to call the
  // API with credentials, e.g. "https://app.influtics.com,http://localhost:3000"; empty = none
  CORS_ORIGINS: unsetWhenEmpty(
    z
      .string()
      .default('')
      .transform((s) => s.split(',').map((o) => o.trim()).filter(Boolean))
      .pipe(z.array(z.string().refine((o) => URL.canParse(o) && /^https?:$/.test(new URL(o).protocol) && new URL(o).origin === o, 'CORS_ORIGINS: each entry is an origin like https://app.example.com (scheme, host, optional port; no path or trailing slash)'))),
  ),

  // ---- scheduled reports (src/reports/config.ts): share links in digests point there
  REPORTS_PUBLIC_BASE_URL: unsetWhenEmpty(z.url().default('http://127.0.0.1:8787')),
};

export const ConfigSchema = z.object(FIELDS);
export type AppConfig = z.output<typeof ConfigSchema>;
export type ConfigKey = keyof typeof FIELDS;

/** What the whole Worker needs, whatever it runs: a way to verify access tokens. */
const WorkerConfigSchema = ConfigSchema.refine((e) => Boolean(e.SUPABASE_JWT_SECRET) || Boolean(e.SUPABASE_JWKS_URL), {
  message: 'set SUPABASE_JWT_SECRET (HS256 tokens) or SUPABASE_JWKS_URL (asymmetric tokens)',
  path: ['SUPABASE_JWT_SECRET'],
});

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** `VAR: message`, or the message alone when it already names the variable. */
const describe = (issues: readonly z.core.$ZodIssue[]) =>
  issues
    .map((i) => {
      const path = i.path.map(String).join('.') || 'env';
      return i.message.startsWith(path) ? i.message : `${path}: ${i.message}`;
    })
    .join('; ');

const cache = new WeakMap<object, Map<string, unknown>>();

function cached<T>(env: object, key: string, parse: () => T): T {
  let perEnv = cache.get(env);
  if (!perEnv) cache.set(env, (perEnv = new Map()));
  if (perEnv.has(key)) return perEnv.get(key) as T;
  const value = parse();
  perEnv.set(key, value);
  return value;
}

/**
 * Checks the whole configuration (once per env object) and returns it typed. Every entry point
 * calls it first: the fetch middleware, `queue`, `scheduled` and each workflow's `run`.
 */
export function checkConfig(env: Env | object): AppConfig {
  return cached(env, '*', () => {
    const parsed = WorkerConfigSchema.safeParse(env);
    if (!parsed.success) throw new ConfigError(`invalid Worker configuration: ${describe(parsed.error.issues)}`);
    return parsed.data;
  });
}

/** The configuration as the HTTP layer reads it (checked at the door, so this is a cache hit). */
export const appConfig = (env: Env) => checkConfig(env);

/**
 * One feature's part of the schema, for accessors that may be handed a partial env (tests,
 * scripts): the same field definitions, checked for the named keys only.
 */
export function configSection<K extends ConfigKey>(env: object, keys: readonly K[], label: string): Pick<AppConfig, K> {
  return cached(env, `${label}:${keys.join(',')}`, () => {
    const mask = Object.fromEntries(keys.map((k) => [k, true])) as Partial<Record<ConfigKey, true>>;
    const parsed = ConfigSchema.pick(mask as Record<ConfigKey, true>).safeParse(env);
    if (!parsed.success) throw new ConfigError(`invalid ${label} configuration: ${describe(parsed.error.issues)}`);
    return parsed.data as unknown as Pick<AppConfig, K>;
  });
}

/** Throws one error naming every variable the feature needs and does not have. */
export function requireVars<C extends Partial<AppConfig>, K extends keyof C & string>(
  config: C,
  keys: readonly K[],
  label: string,
  hint: (key: K) => string = (k) => `secret ${k} is not set`,
): C & { [P in K]-?: NonNullable<C[P]> } {
  const missing = keys.filter((k) => config[k] === undefined || config[k] === null);
  if (missing.length > 0) throw new ConfigError(`invalid ${label} configuration: ${missing.map((k) => `${k}: ${hint(k)}`).join('; ')}`);
  return config as C & { [P in K]-?: NonNullable<C[P]> };
}
