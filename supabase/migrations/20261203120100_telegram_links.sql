-- Telegram links become service-only and gain what linking and delivery need.
--
-- A row is created by POST /me/telegram/link with the SHA-256 of a one-time /start token (15 min);
-- the bot's /start <token> sets chat_id and linked_at and clears the hash (single use); /stop,
-- DELETE /me/telegram or a "bot was blocked" answer set disabled_at. Members reach their link only
-- through the API (/me/telegram), never the table: it holds token hashes and other users' chats.

alter table public.telegram_links
  add column disabled_at timestamptz,
  add column disabled_reason text,
  add column telegram_username text,
  add column updated_at timestamptz not null default now();

create trigger set_updated_at before update on public.telegram_links
  for each row execute function private.set_updated_at();

-- One live link per user and organization; a chat is linked to a user once per organization.
create unique index telegram_links_one_live_per_user_idx on public.telegram_links (organization_id, user_id)
  where disabled_at is null and linked_at is not null;
create index telegram_links_chat_idx on public.telegram_links (chat_id) where chat_id is not null;

-- RLS: service only ------------------------------------------------------------------------------
drop policy "Members can read their organization's Telegram links" on public.telegram_links;
drop policy "Members can add Telegram links to their organization" on public.telegram_links;
drop policy "Members can update their organization's Telegram links" on public.telegram_links;
drop policy "Members can delete their organization's Telegram links" on public.telegram_links;
