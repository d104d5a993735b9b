import { controlClient } from './fake-control';

/** The control API of test/fakes/telegram-server.mjs. */
const control = controlClient('Telegram', 'telegramApiUrl');

export const fakeTelegram = {
  reset: () => control('POST', 'reset'),
  fault: (f: { kind: 'rate_limit' | 'blocked' | 'server_error' | 'chat_not_found'; times?: number; retryAfter?: number; chat_id?: string | number }) => control('POST', 'faults', f),
  block: (chatId: string | number) => control('POST', 'blocked', { chat_id: chatId }),
  /**
   * The update Telegram sends when a user taps Start on a deep link (or types `text`). Tests run
   * inside workerd, which the fake cannot call, so the test POSTs it to the webhook itself.
   */
  pressStart: async (chatId: number, payload?: string, text?: string) => (await control('POST', 'press-start', { chat_id: chatId, payload, text })).update,
  sentTo: async (chatId: number | string) => ((await control('GET', 'sent')) as { chat_id: string; text: string }[]).filter((m) => m.chat_id === String(chatId)),
};
