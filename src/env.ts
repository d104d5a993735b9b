import { z } from 'zod';

/**
 * The Worker's configuration, checked once at the door: a missing secret fails the request with a
 * clear message naming it instead of failing deep inside a handler.
 */
const EnvSchema = z
  .object({
    APP_ENV: z.string().default('production'),
    SUPABASE_JWT_SECRET: z.string().optional(),
    SUPABASE_JWKS_URL: z.string().optional(),
    SUPABASE_JWT_ISSUER: z.string().optional(),
    OPS_TOKEN: z.string().optional(),
  })
  .refine((e) => Boolean(e.SUPABASE_JWT_SECRET) || Boolean(e.SUPABASE_JWKS_URL), {
    message: 'set SUPABASE_JWT_SECRET (HS256 tokens) or SUPABASE_JWKS_URL (asymmetric tokens)',
  });

export type AppConfig = z.infer<typeof EnvSchema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const cache = new WeakMap<object, AppConfig>();

export function appConfig(env: Env): AppConfig {
  const hit = cache.get(env);
  if (hit) return hit;
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(`invalid Worker configuration: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'env'}: ${i.message}`).join('; ')}`);
  }
  cache.set(env, parsed.data);
  return parsed.data;
}
