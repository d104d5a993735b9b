import { z } from '@hono/zod-openapi';
import { timingSafeEqualText } from '../../notifications/hash';
import { telegramEnv } from '../../notifications/telegram-config';
import { TelegramUpdate } from '../../notifications/telegram-updates';
import type { TelegramUpdateMessage } from '../../queues/notification-messages';
import { ApiError } from '../errors';
import { defineRoute, json, jsonBody, router } from '../openapi/route';

/**
 * POST /telegram/webhook — Telegram's calls (setWebhook with secret_token). The secret header is
 * compared in constant time; anything else is 401 and changes nothing. The update is queued and
 * answered at once: Telegram waits for no work and the queue retries what fails.
 */
const webhookRoute = defineRoute('public', {
  method: 'post', path: '/webhook', tags: ['Webhooks'], summary: 'Telegram’s updates',
  description: 'Called by Telegram (setWebhook with secret_token): `X-Telegram-Bot-Api-Secret-Token` must match, else 401. The update is queued.',
  request: { body: jsonBody(TelegramUpdate) },
  responses: { 200: json(z.object({ ok: z.literal(true) }), 'Queued') },
}, { errors: ['unauthorized'] });

const guarded = router();
guarded.use('/webhook', async (c, next) => {
    const expected = telegramEnv(c.env).TELEGRAM_WEBHOOK_SECRET;
    const given = c.req.header('x-telegram-bot-api-secret-token');
    if (!expected || given === undefined || !(await timingSafeEqualText(given, expected))) {
      throw new ApiError('unauthorized', 'missing or wrong X-Telegram-Bot-Api-Secret-Token');
    }
  await next();
});
export const telegramWebhook = guarded.openapi(webhookRoute, async (c) => {
    const message: TelegramUpdateMessage = { type: 'telegram_update', update: c.req.valid('json') };
    await c.env.NOTIFICATIONS.send(message, { contentType: 'json' });
    return c.json({ ok: true as const }, 200);
  });
