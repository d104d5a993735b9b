import type { Db, Sql } from './client';
import { recordNotification } from './notifications';

/**
 * Telegram links (service only). A pending link is a row with a token hash and no chat; /start
 * <token> binds it (and clears the hash: single use); /stop, DELETE /me/telegram or a blocked bot
 * set disabled_at. Every query names the user and organization it is for.
 */
export interface TelegramLinkView {
  linked: boolean;
  chat_id: string | null;
  telegram_username: string | null;
  linked_at: Date | null;
}

/** Replaces the user's pending link in this organization with a new one (15 min). */
export async function createPendingLink(db: Sql, organizationId: string, userId: string, tokenHash: string, ttlMinutes: number): Promise<{ expires_at: Date }> {
  return (await db.begin(async (tx) => {
    await tx`delete from public.telegram_links where organization_id = ${organizationId} and user_id = ${userId} and linked_at is null`;
    const [row] = await tx<{ expires_at: Date }[]>`
      insert into public.telegram_links (organization_id, user_id, link_token_hash, link_token_expires_at)
      values (${organizationId}, ${userId}, ${tokenHash}, now() + make_interval(mins => ${ttlMinutes}))
      returning link_token_expires_at as expires_at`;
    return row!;
  })) as { expires_at: Date };
}

export async function findLiveLink(db: Db, organizationId: string, userId: string): Promise<TelegramLinkView> {
  const [row] = await db<{ chat_id: string; telegram_username: string | null; linked_at: Date }[]>`
    select chat_id::text as chat_id, telegram_username, linked_at from public.telegram_links
    where organization_id = ${organizationId} and user_id = ${userId} and linked_at is not null and disabled_at is null`;
  return row ? { linked: true, ...row } : { linked: false, chat_id: null, telegram_username: null, linked_at: null };
}

/** DELETE /me/telegram: ends the live link and any pending one; how many ended. */
export async function unlinkUser(db: Db, organizationId: string, userId: string): Promise<number> {
  const [row] = await db<{ n: number }[]>`
    with pending as (
      delete from public.telegram_links where organization_id = ${organizationId} and user_id = ${userId} and linked_at is null returning 1
    ), live as (
      update public.telegram_links set disabled_at = now(), disabled_reason = 'unlinked in the app'
      where organization_id = ${organizationId} and user_id = ${userId} and linked_at is not null and disabled_at is null returning 1
    )
    select (select count(*) from live)::int as n`;
  return row!.n;
}

export interface BoundLink {
  id: string;
  organization_id: string;
  organization_name: string;
  user_id: string;
}

/**
 * /start <token>: binds the pending link whose hash matches and has not expired, clearing the hash
 * so the token works once. Any earlier live link of the same user and organization ends (one chat
 * per user and organization). Undefined for an unknown, used or expired token.
 */
export async function bindLink(tx: Db, tokenHash: string, chatId: string, username: string | null): Promise<BoundLink | undefined> {
  const [pending] = await tx<{ id: string; organization_id: string; user_id: string }[]>`
    select id, organization_id, user_id from public.telegram_links
    where link_token_hash = ${tokenHash} and linked_at is null and link_token_expires_at > now()
    for update`;
  if (!pending) return undefined;
  await tx`update public.telegram_links set disabled_at = now(), disabled_reason = 'replaced by a new link'
    where organization_id = ${pending.organization_id} and user_id = ${pending.user_id} and linked_at is not null and disabled_at is null`;
  const [row] = await tx<BoundLink[]>`
    update public.telegram_links l set chat_id = ${chatId}::bigint, telegram_username = ${username}, linked_at = now(),
      link_token_hash = null, link_token_expires_at = null
    from public.organizations o
    where l.id = ${pending.id} and o.id = l.organization_id
    returning l.id, l.organization_id, o.name as organization_name, l.user_id`;
  return row;
}

/** /stop: every live link of this chat ends; the organizations they were for. */
export async function unlinkChat(tx: Db, chatId: string): Promise<{ organization_id: string }[]> {
  return tx<{ organization_id: string }[]>`
    update public.telegram_links set disabled_at = now(), disabled_reason = 'stopped in Telegram'
    where chat_id = ${chatId}::bigint and linked_at is not null and disabled_at is null
    returning organization_id`;
}

/** A bot reply to a chat, deduplicated by the update it answers (a redelivered update replies once). */
export async function recordTelegramReply(tx: Db, m: { organizationId: string | null; userId: string | null; chatId: string; updateId: number; text: string; template: string }) {
  return recordNotification(tx, {
    organizationId: m.organizationId, userId: m.userId, channel: 'telegram', recipient: m.chatId, template: m.template,
    payload: { text: m.text }, idempotencyKey: `telegram-update:${m.updateId}`,
  });
}
