import { configSection } from '../env';
import type { Db } from '../db/client';
import type { TelegramConfig } from './telegram';

/**
 *   TELEGRAM_API_BASE_URL     var, https://api.telegram.org (the fake Bot API in dev and tests)
 *   TELEGRAM_BOT_USERNAME     var, the bot's @username without @ (deep links t.me/<bot>?start=…)
 *   TELEGRAM_BOT_TOKEN        secret
 *   TELEGRAM_WEBHOOK_SECRET   secret, Telegram echoes it in X-Telegram-Bot-Api-Secret-Token
 */
const KEYS = ['TELEGRAM_API_BASE_URL', 'TELEGRAM_BOT_USERNAME', 'TELEGRAM_BOT_TOKEN', 'TELEGRAM_WEBHOOK_SECRET'] as const;

/** The Telegram part of the one config schema (src/env.ts). */
export const telegramEnv = (env: Env) => configSection(env, KEYS, 'Telegram');
export type TelegramEnv = ReturnType<typeof telegramEnv>;

/** Where and as whom to send, or null when no bot is configured. */
export function telegramConfig(env: Env): TelegramConfig | null {
  const t = telegramEnv(env);
  return t.TELEGRAM_BOT_TOKEN ? { baseUrl: t.TELEGRAM_API_BASE_URL, botToken: t.TELEGRAM_BOT_TOKEN } : null;
}

/** The user blocked the bot: every live link to that chat stops receiving. */
export async function disableTelegramChat(db: Db, chatId: string): Promise<void> {
  if (!/^-?\d{1,20}$/.test(chatId)) return; // operator chats configured by name are not links
  await db`update public.telegram_links set disabled_at = now(), disabled_reason = 'blocked'
    where chat_id = ${chatId}::bigint and disabled_at is null`;
}
