import { z } from '@hono/zod-openapi';
import { createLinkTokenLink, TELEGRAM_LINK_TTL_MINUTES } from '../../notifications/telegram-link';
import { createPendingLink, findLiveLink, unlinkUser } from '../../db/telegram';
import { defineRoute, json, router } from '../openapi/route';
import { Timestamp } from '../openapi/schemas';

/**
 * The caller's Telegram link in the organization they act for (requireUser runs for /me/*):
 *   POST   /me/telegram/link   a one-time deep link https://t.me/<bot>?start=<token> (15 min)
 *   GET    /me/telegram        linked or not, and to which Telegram user
 *   DELETE /me/telegram        unlink (and drop a pending link)
 * telegram_links is service-only (it holds token hashes), so these queries run as the service and
 * name the caller's user id and organization themselves.
 */
const T = ['Notifications'];
const Link = z.object({ linked: z.boolean(), chat_id: z.string().nullable(), telegram_username: z.string().nullable(), linked_at: Timestamp.nullable() });
const linkRoute = defineRoute('tenant', {
  method: 'post', path: '/link', tags: T, summary: 'A one-time Telegram deep link',
  description: 'Open `url` in Telegram and press Start to link your chat (valid 15 minutes).',
  responses: { 201: json(z.object({ url: z.string(), expires_at: Timestamp }), 'The deep link') },
});
const getRoute = defineRoute('tenant', {
  method: 'get', path: '/', tags: T, summary: 'Your Telegram link', responses: { 200: json(Link, 'Linked or not, and to which Telegram user') },
});
const unlinkRoute = defineRoute('tenant', {
  method: 'delete', path: '/', tags: T, summary: 'Unlink Telegram', description: 'Ends the live link and drops a pending one.',
  responses: { 200: json(z.object({ linked: z.literal(false), unlinked: z.boolean() }), 'Unlinked') },
});

export const meTelegram = router()
  .openapi(linkRoute, async (c) => {
    const { url, tokenHash } = await createLinkTokenLink(c.env);
    const { expires_at } = await createPendingLink(c.get('sql'), c.get('org').id, c.get('user').id, tokenHash, TELEGRAM_LINK_TTL_MINUTES);
    return c.json({ url, expires_at }, 201);
  })
  .openapi(getRoute, async (c) => c.json(await findLiveLink(c.get('sql'), c.get('org').id, c.get('user').id), 200))
  .openapi(unlinkRoute, async (c) => {
    const ended = await unlinkUser(c.get('sql'), c.get('org').id, c.get('user').id);
    return c.json({ linked: false as const, unlinked: ended > 0 }, 200);
  });
