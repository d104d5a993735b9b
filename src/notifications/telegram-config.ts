import { z } from 'zod';
import type { Db } from '../db/client';
import type { TelegramConfig } from './telegram';

/**
 *   TELEGRAM_API_BASE_URL     var, https://api.telegram.org (the fake Bot API in dev and tests)
 *   TELEGRAM_BOT_USERNAME     var, the bot's @username without @ (deep links t.me/<bot>?start=…)
 *   TELEGRAM_BOT_TOKEN        secret
 *   TELEGRAM_WEBHOOK_SECRET   secret, Telegram echoes it in X-Telegram-Bot-Api-Secret-Token
 */
const TelegramEnv = z.object({
  TELEGRAM_API_BASE_URL: z.url().default('https://api.telegram.org'),
  TELEGRAM_BOT_USERNAME: z.string().regex(/^[A-Za-z0-9_]{3,64}$/).optional(),
  TELEGRAM_BOT_TOKEN: z.string().min(1).optional(),
  TELEGRAM_WEBHOOK_SECRET: z.string().regex(/^[A-Za-z0-9_-]{1,256}$/).optional(),
});
export type TelegramEnv = z.infer<typeof TelegramEnv>;

export function telegramEnv(env: Env): TelegramEnv {
  const raw = Object.fromEntries(Object.entries(env as unknown as Record<string, unknown>).filter(([k, v]) => k.startsWith('TELEGRAM_') && v !== ''));
  const parsed = TelegramEnv.safeParse(raw);
  if (!parsed.success) throw new Error(`invalid Telegram configuration: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

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
