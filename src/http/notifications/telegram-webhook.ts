import { Hono } from 'hono';
import { timingSafeEqualText } from '../../notifications/hash';
import { telegramEnv } from '../../notifications/telegram-config';
import { TelegramUpdate } from '../../notifications/telegram-updates';
import type { TelegramUpdateMessage } from '../../queues/notification-messages';
import { ApiError } from '../errors';
import { validate } from '../validate';
import type { AppEnv } from '../context';

/**
 * POST /telegram/webhook — Telegram's calls (setWebhook with secret_token). The secret header is
 * compared in constant time; anything else is 401 and changes nothing. The update is queued and
 * answered at once: Telegram waits for no work and the queue retries what fails.
 */
export const telegramWebhook = new Hono<AppEnv>()
  .use('/webhook', async (c, next) => {
    const expected = telegramEnv(c.env).TELEGRAM_WEBHOOK_SECRET;
    const given = c.req.header('x-telegram-bot-api-secret-token');
    if (!expected || given === undefined || !(await timingSafeEqualText(given, expected))) {
      throw new ApiError('unauthorized', 'missing or wrong X-Telegram-Bot-Api-Secret-Token');
    }
    await next();
  })
  .post('/webhook', validate('json', TelegramUpdate), async (c) => {
    const message: TelegramUpdateMessage = { type: 'telegram_update', update: c.req.valid('json') };
    await c.env.NOTIFICATIONS.send(message, { contentType: 'json' });
    return c.json({ ok: true });
  });
