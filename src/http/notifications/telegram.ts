import { Hono } from 'hono';
import { createLinkTokenLink, TELEGRAM_LINK_TTL_MINUTES } from '../../notifications/telegram-link';
import { createPendingLink, findLiveLink, unlinkUser } from '../../db/telegram';
import type { AppEnv } from '../context';

/**
 * The caller's Telegram link in the organization they act for (requireUser runs for /me/*):
 *   POST   /me/telegram/link   a one-time deep link https://t.me/<bot>?start=<token> (15 min)
 *   GET    /me/telegram        linked or not, and to which Telegram user
 *   DELETE /me/telegram        unlink (and drop a pending link)
 * telegram_links is service-only (it holds token hashes), so these queries run as the service and
 * name the caller's user id and organization themselves.
 */
export const meTelegram = new Hono<AppEnv>()
  .post('/link', async (c) => {
    const { url, tokenHash } = await createLinkTokenLink(c.env);
    const { expires_at } = await createPendingLink(c.get('sql'), c.get('org').id, c.get('user').id, tokenHash, TELEGRAM_LINK_TTL_MINUTES);
    return c.json({ url, expires_at }, 201);
  })
  .get('/', async (c) => c.json(await findLiveLink(c.get('sql'), c.get('org').id, c.get('user').id)))
  .delete('/', async (c) => {
    const ended = await unlinkUser(c.get('sql'), c.get('org').id, c.get('user').id);
    return c.json({ linked: false, unlinked: ended > 0 });
  });
