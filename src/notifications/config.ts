import { z } from 'zod';

/**
 * Notification delivery's configuration, checked where it is used (a Worker without Loops or
 * Telegram configured still serves everything else; a row that needs the missing piece fails with
 * a message naming it).
 *
 *   LOOPS_API_BASE_URL        var, https://app.loops.so (the fake Loops server in dev and tests)
 *   LOOPS_API_KEY             secret
 *   LOOPS_TRANSACTIONAL_IDS   var, JSON {"<template>": "<Loops transactional id>"}: one per type
 *   APP_BASE_URL              var, the web app's origin: links in messages point there
 *   INVITATION_TOKEN_SECRET   secret (≥ 32 chars): invitation tokens are derived from it
 */
const TransactionalIds = z.record(z.string().min(1).max(100), z.string().min(1).max(200));

const NotificationConfigSchema = z.object({
  LOOPS_API_BASE_URL: z.url().default('https://app.loops.so'),
  LOOPS_API_KEY: z.string().optional(),
  LOOPS_TRANSACTIONAL_IDS: z
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
  APP_BASE_URL: z.url().default('http://localhost:3000'),
  INVITATION_TOKEN_SECRET: z.string().optional(),
});
export type NotificationConfig = z.infer<typeof NotificationConfigSchema>;

export class NotificationConfigError extends Error {
  override name = 'NotificationConfigError';
}

const cache = new WeakMap<object, NotificationConfig>();

export function notificationConfig(env: Env): NotificationConfig {
  const hit = cache.get(env);
  if (hit) return hit;
  const raw = Object.fromEntries(Object.entries(env as unknown as Record<string, unknown>).filter(([, v]) => v !== ''));
  const parsed = NotificationConfigSchema.safeParse(raw);
  if (!parsed.success) {
    throw new NotificationConfigError(`invalid notification configuration: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  cache.set(env, parsed.data);
  return parsed.data;
}

export function invitationTokenSecret(env: Env): string {
  const secret = notificationConfig(env).INVITATION_TOKEN_SECRET;
  if (!secret || secret.length < 32) throw new NotificationConfigError('set the INVITATION_TOKEN_SECRET secret (at least 32 characters)');
  return secret;
}
