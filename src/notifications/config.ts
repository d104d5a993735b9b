import { ConfigError, configSection } from '../env';

/**
 * Notification delivery's configuration (its part of src/env.ts), read where it is used (a Worker without Loops or
 * Telegram configured still serves everything else; a row that needs the missing piece fails with
 * a message naming it).
 *
 *   LOOPS_API_BASE_URL        var, https://app.loops.so (the fake Loops server in dev and tests)
 *   LOOPS_API_KEY             secret
 *   LOOPS_TRANSACTIONAL_IDS   var, JSON {"<template>": "<Loops transactional id>"}: one per type
 *   APP_BASE_URL              var, the web app's origin: links in messages point there
 *   INVITATION_TOKEN_SECRET   secret (≥ 32 chars): invitation tokens are derived from it
 */
const KEYS = ['LOOPS_API_BASE_URL', 'LOOPS_API_KEY', 'LOOPS_TRANSACTIONAL_IDS', 'APP_BASE_URL', 'INVITATION_TOKEN_SECRET'] as const;

/** The notification part of the one config schema (src/env.ts). */
export const notificationConfig = (env: Env) => configSection(env, KEYS, 'notification');
export type NotificationConfig = ReturnType<typeof notificationConfig>;

export function invitationTokenSecret(env: Env): string {
  const secret = notificationConfig(env).INVITATION_TOKEN_SECRET;
  if (!secret || secret.length < 32) throw new ConfigError('set the INVITATION_TOKEN_SECRET secret (at least 32 characters)');
  return secret;
}
