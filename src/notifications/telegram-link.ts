import { NotConfiguredError } from '../domain/errors';
import { sha256Hex } from './hash';
import { telegramEnv } from './telegram-config';

export const TELEGRAM_LINK_TTL_MINUTES = 15;

function base64url(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * A deep link that starts the bot with a one-time token: 32 random bytes as 43 chars of
 * [A-Za-z0-9_-] (Telegram allows ≤ 64 of those in a start parameter). Only its hash is stored.
 */
export async function createLinkTokenLink(env: Env): Promise<{ url: string; token: string; tokenHash: string }> {
  const bot = telegramEnv(env).TELEGRAM_BOT_USERNAME;
  if (!bot) throw new NotConfiguredError('Telegram is not configured (TELEGRAM_BOT_USERNAME)');
  const token = base64url(crypto.getRandomValues(new Uint8Array(32)));
  return { url: `https://t.me/${bot}?start=${token}`, token, tokenHash: await sha256Hex(token) };
}
