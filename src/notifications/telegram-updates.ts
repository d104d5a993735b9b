import { z } from 'zod';
import type { Sql } from '../db/client';
import { bindLink, recordTelegramReply, unlinkChat } from '../db/telegram';
import { sha256Hex } from './hash';

/**
 * What the bot does with an update from Telegram (queued by POST /telegram/webhook, handled by
 * the NOTIFICATIONS consumer): `/start <token>` links the chat, `/stop` unlinks it. Replies are
 * outbox rows keyed by the update id, so a redelivered update changes nothing and replies once.
 * Anything else (other texts, groups, edits) is ignored.
 */
export const TelegramUpdate = z.looseObject({
  update_id: z.number().int().nonnegative(),
  message: z
    .looseObject({
      chat: z.looseObject({ id: z.number().int(), type: z.string().max(32) }),
      from: z.looseObject({ username: z.string().max(64).optional() }).optional(),
      text: z.string().max(4096).optional(),
    })
    .optional(),
});
export type TelegramUpdate = z.infer<typeof TelegramUpdate>;

/** Deep-link payloads: ≤ 64 chars of [A-Za-z0-9_-] (Telegram's rule for start parameters). */
export const LINK_TOKEN = /^[A-Za-z0-9_-]{1,64}$/;

export const REPLY_TEMPLATES = { linked: 'telegram_linked', refused: 'telegram_link_refused', stopped: 'telegram_unlinked' } as const;

export async function handleTelegramUpdate(sql: Sql, update: TelegramUpdate): Promise<{ id: string; organization_id: string | null }[]> {
  const msg = update.message;
  if (!msg || msg.chat.type !== 'private' || !msg.text) return [];
  const [command, arg] = msg.text.trim().split(/\s+/, 2);
  const name = command?.replace(/@\w+$/, '');
  const chatId = String(msg.chat.id);
  // stored for the user's settings page only; anything not shaped like a Telegram username is dropped
  const username = msg.from?.username && /^[A-Za-z0-9_]{1,64}$/.test(msg.from.username) ? msg.from.username : null;

  if (name === '/start') {
    return (await sql.begin(async (tx) => {
      const bound = arg && LINK_TOKEN.test(arg) ? await bindLink(tx, await sha256Hex(arg), chatId, username) : undefined;
      const reply: { organizationId: string | null; userId: string | null; template: string; text: string } = bound
        ? { organizationId: bound.organization_id, userId: bound.user_id, template: REPLY_TEMPLATES.linked,
            text: `Linked: Influtics alerts for ${bound.organization_name} will arrive in this chat. Send /stop to unlink.` }
        : { organizationId: null, userId: null, template: REPLY_TEMPLATES.refused,
            text: 'This link is invalid, expired or already used. Create a new one in Influtics (Settings → Telegram).' };
      const id = await recordTelegramReply(tx, { ...reply, chatId, updateId: update.update_id });
      return [{ id, organization_id: reply.organizationId }];
    })) as { id: string; organization_id: string | null }[];
  }
  if (name === '/stop') {
    return (await sql.begin(async (tx) => {
      const ended = await unlinkChat(tx, chatId);
      const text = ended.length > 0 ? 'Unlinked: this chat will receive no more Influtics alerts.' : 'This chat is not linked to Influtics.';
      const id = await recordTelegramReply(tx, { organizationId: ended[0]?.organization_id ?? null, userId: null, chatId, updateId: update.update_id, text, template: REPLY_TEMPLATES.stopped });
      return [{ id, organization_id: ended[0]?.organization_id ?? null }];
    })) as { id: string; organization_id: string | null }[];
  }
  return [];
}
