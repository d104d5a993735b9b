import { createExecutionContext, createMessageBatch, env } from 'cloudflare:test';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import worker from '../../src/index';
import { recordNotification } from '../../src/db/notifications';
import { call, eventually } from '../helpers/api';
import { addMember, adminSql, createOrganization, rolledBackAs, type Fixture } from '../helpers/db';
import { fakeTelegram } from '../helpers/fake-telegram';
import { tokenOf } from '../organizations/support';
import { TEST_SECRETS } from '../setup/secrets';

const sql = adminSql();
let org: Fixture;
let other: Fixture;

beforeAll(async () => {
  org = await createOrganization(sql, { name: 'Acme Telegram' });
  other = await createOrganization(sql, { name: 'Other Org' });
});
beforeEach(async () => {
  await fakeTelegram.reset();
});
afterEach(() => {
  vi.restoreAllMocks();
});

let nextChat = 700_000_000 + Math.floor(Math.random() * 1_000_000);
const newChat = () => ++nextChat;

const webhook = (update: unknown, secret: string | null = TEST_SECRETS.TELEGRAM_WEBHOOK_SECRET) =>
  call('POST', '/telegram/webhook', { body: update, headers: secret === null ? {} : { 'x-telegram-bot-api-secret-token': secret } });

async function newLink(who: Fixture) {
  const res = await call('POST', '/me/telegram/link', { token: await tokenOf(who), orgId: who.orgId });
  expect(res.status).toBe(201);
  const url = new URL(res.body.url);
  return { res, token: url.searchParams.get('start')!, url };
}

const linkOf = async (who: Fixture) => (await call('GET', '/me/telegram', { token: await tokenOf(who), orgId: who.orgId })).body;

async function deliverRaw(body: unknown, attempts = 1) {
  const batch = createMessageBatch('influtics-notifications', [{ id: crypto.randomUUID(), timestamp: new Date(), attempts, body }]);
  const retry = vi.spyOn(batch.messages[0]!, 'retry');
  const ack = vi.spyOn(batch.messages[0]!, 'ack');
  await worker.queue(batch, env, createExecutionContext());
  return { retried: retry.mock.calls.map(([o]) => o?.delaySeconds), acked: ack.mock.calls.length };
}

describe('linking a chat: POST /me/telegram/link → Start in Telegram → webhook → queue', () => {
  it('gives a one-time deep link and binds the chat that presses Start, confirming once in that chat', async () => {
    const chat = newChat();
    const { res, token, url } = await newLink(org);
    expect(url.origin + url.pathname).toBe('https://t.me/influtics_test_bot');
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(new Date(res.body.expires_at).getTime() - Date.now()).toBeGreaterThan(14 * 60_000);
    expect(new Date(res.body.expires_at).getTime() - Date.now()).toBeLessThanOrEqual(15 * 60_000);
    // only the hash is stored
    const stored = await sql`select row_to_json(t)::text as r from telegram_links t where organization_id = ${org.orgId} and user_id = ${org.userId}`;
    expect(stored.map((s) => s.r).join('')).not.toContain(token);

    const update = await fakeTelegram.pressStart(chat, token);
    const answered = await webhook(update);
    expect(answered.status).toBe(200);
    const confirmations = await eventually(async () => {
      const m = await fakeTelegram.sentTo(chat);
      return m.length > 0 && m;
    });
    expect(confirmations).toHaveLength(1);
    expect(confirmations[0]!.text).toContain('Acme Telegram');
    expect(await linkOf(org)).toMatchObject({ linked: true, chat_id: String(chat), telegram_username: `user${chat}` });

    // Telegram redelivers the same update: no second link change, no second confirmation
    expect((await webhook(update)).status).toBe(200);
    const again = await deliverRaw({ type: 'telegram_update', update });
    expect(again.acked).toBe(1);
    await new Promise((r) => setTimeout(r, 300));
    expect(await fakeTelegram.sentTo(chat)).toHaveLength(1);
  });

  it('a used token is refused (another chat pressing the same link gets a refusal, the first link stays)', async () => {
    const first = newChat();
    const second = newChat();
    const member = await addMember(sql, org.orgId, 'member');
    const { token } = await newLink(member);
    await webhook(await fakeTelegram.pressStart(first, token));
    await eventually(async () => (await linkOf(member)).linked === true);
    await webhook(await fakeTelegram.pressStart(second, token));
    const refusal = await eventually(async () => {
      const m = await fakeTelegram.sentTo(second);
      return m.length > 0 && m;
    });
    expect(refusal[0]!.text).toMatch(/invalid, expired or already used/);
    expect(await linkOf(member)).toMatchObject({ linked: true, chat_id: String(first) });
  });

  it('an expired token is refused and links nothing', async () => {
    const chat = newChat();
    const member = await addMember(sql, org.orgId, 'viewer');
    const { token } = await newLink(member);
    await sql`update telegram_links set link_token_expires_at = now() - interval '1 second' where organization_id = ${org.orgId} and user_id = ${member.userId}`;
    await webhook(await fakeTelegram.pressStart(chat, token));
    const refusal = await eventually(async () => {
      const m = await fakeTelegram.sentTo(chat);
      return m.length > 0 && m;
    });
    expect(refusal[0]!.text).toMatch(/invalid, expired or already used/);
    expect((await linkOf(member)).linked).toBe(false);
  });

  it('a webhook call with a wrong or missing secret is 401 and changes nothing', async () => {
    const chat = newChat();
    const member = await addMember(sql, org.orgId, 'member');
    const { token } = await newLink(member);
    const send = vi.spyOn(env.NOTIFICATIONS, 'send');
    const update = await fakeTelegram.pressStart(chat, token);
    for (const secret of [null, 'wrong-secret', `${TEST_SECRETS.TELEGRAM_WEBHOOK_SECRET}x`, '']) {
      const res = await webhook(update, secret);
      expect(res.status, String(secret)).toBe(401);
      expect(res.body.error.code).toBe('unauthorized');
    }
    expect(send).not.toHaveBeenCalled();
    // the token is still unused: the real Start works afterwards
    send.mockRestore();
    await webhook(update);
    await eventually(async () => (await linkOf(member)).linked === true);
  });

  it('a malformed update with the right secret is a 400 envelope, not a 5xx', async () => {
    for (const body of [{ update_id: 'x' }, { update_id: 1, message: { chat: { id: 'nope', type: 'private' } } }]) {
      const res = await webhook(body);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
    }
  });

  it('/stop in Telegram unlinks the chat; DELETE /me/telegram unlinks from the app', async () => {
    const chatA = newChat();
    const a = await addMember(sql, org.orgId, 'member');
    await webhook(await fakeTelegram.pressStart(chatA, (await newLink(a)).token));
    await eventually(async () => (await linkOf(a)).linked === true);
    await webhook(await fakeTelegram.pressStart(chatA, undefined, '/stop'));
    await eventually(async () => (await linkOf(a)).linked === false);
    await eventually(async () => (await fakeTelegram.sentTo(chatA)).some((m) => m.text.startsWith('Unlinked')));

    const chatB = newChat();
    const b = await addMember(sql, org.orgId, 'member');
    await webhook(await fakeTelegram.pressStart(chatB, (await newLink(b)).token));
    await eventually(async () => (await linkOf(b)).linked === true);
    const del = await call('DELETE', '/me/telegram', { token: await tokenOf(b), orgId: org.orgId });
    expect(del.status).toBe(200);
    expect(del.body).toEqual({ linked: false, unlinked: true });
    expect((await linkOf(b)).linked).toBe(false);
  });
});

describe('another organization and other users', () => {
  it('a link belongs to one user in one organization: the same user elsewhere, or a colleague, sees and unlinks nothing of it', async () => {
    const chat = newChat();
    const both = await addMember(sql, org.orgId, 'member');
    await sql`insert into organization_members (organization_id, user_id, role) values (${other.orgId}, ${both.userId}, 'owner')`;
    await webhook(await fakeTelegram.pressStart(chat, (await newLink(both)).token));
    await eventually(async () => (await linkOf(both)).linked === true);

    const token = await tokenOf(both);
    expect((await call('GET', '/me/telegram', { token, orgId: other.orgId })).body.linked).toBe(false);
    expect((await call('DELETE', '/me/telegram', { token, orgId: other.orgId })).body.unlinked).toBe(false);
    const colleague = await addMember(sql, org.orgId, 'admin');
    expect((await linkOf(colleague)).linked).toBe(false);
    expect((await call('DELETE', '/me/telegram', { token: await tokenOf(colleague), orgId: org.orgId })).body.unlinked).toBe(false);
    expect(await linkOf(both)).toMatchObject({ linked: true, chat_id: String(chat) });
    // acting for an organization one does not belong to is refused before anything happens
    const outsider = await createOrganization(sql);
    expect((await call('POST', '/me/telegram/link', { token: await tokenOf(outsider), orgId: org.orgId })).status).toBe(403);
    expect((await call('GET', '/me/telegram', { token: await tokenOf(outsider), orgId: org.orgId })).status).toBe(403);
    expect((await call('POST', '/me/telegram/link')).status).toBe(401);
  });

  it('telegram_links is service-only: members read and write none of it directly', async () => {
    const rows = await rolledBackAs(sql, { sub: org.userId, email: org.email }, async (tx) => ({
      read: (await tx`select id from telegram_links where organization_id = ${org.orgId}`).length,
      changed: (await tx`update telegram_links set chat_id = 1 where organization_id = ${org.orgId}`).count,
      deleted: (await tx`delete from telegram_links where organization_id = ${org.orgId}`).count,
    }));
    expect(rows).toEqual({ read: 0, changed: 0, deleted: 0 });
    await expect(rolledBackAs(sql, { sub: org.userId }, (tx) => tx`insert into telegram_links (organization_id, user_id) values (${org.orgId}, ${org.userId})`)).rejects.toThrow(/row-level security/);
    expect((await sql`select count(*)::int as n from telegram_links where organization_id = ${org.orgId}`)[0]!.n).toBeGreaterThan(0);
  });
});

describe('Telegram delivery', () => {
  async function telegramRow(chat: number, text: string) {
    const id = await recordNotification(sql, { organizationId: org.orgId, channel: 'telegram', recipient: String(chat), template: 'test_alert', payload: { text }, idempotencyKey: `test:${crypto.randomUUID()}` });
    return { id, message: { type: 'notification', outbox_id: id, organization_id: org.orgId } };
  }
  const status = async (id: string) => (await sql`select status, error from notification_outbox where id = ${id}`)[0]!;

  it('429 waits the retry_after Telegram asks for; the retry sends once', async () => {
    const chat = newChat();
    const { id, message } = await telegramRow(chat, 'views crossed 10,000');
    await fakeTelegram.fault({ kind: 'rate_limit', retryAfter: 9, chat_id: chat });
    expect((await deliverRaw(message)).retried).toEqual([9]);
    expect((await status(id)).status).toBe('queued');
    expect((await deliverRaw(message, 2)).acked).toBe(1);
    expect((await status(id)).status).toBe('sent');
    expect(await fakeTelegram.sentTo(chat)).toEqual([expect.objectContaining({ text: 'views crossed 10,000' })]);
  });

  it('at most one message per second per chat: a second row waits for the first', async () => {
    const chat = newChat();
    const a = await telegramRow(chat, 'first');
    const b = await telegramRow(chat, 'second');
    expect((await deliverRaw(a.message)).acked).toBe(1);
    const waited = await deliverRaw(b.message);
    expect(waited.retried).toEqual([1]);
    expect((await status(b.id)).status).toBe('queued');
    expect(await fakeTelegram.sentTo(chat)).toHaveLength(1);
    await sql`update notification_outbox set sent_at = now() - interval '2 seconds' where id = ${a.id}`;
    expect((await deliverRaw(b.message, 2)).acked).toBe(1);
    expect((await fakeTelegram.sentTo(chat)).map((m) => m.text)).toEqual(['first', 'second']);
  });

  it('403 "bot was blocked" fails the row, disables the link and is not retried', async () => {
    const chat = newChat();
    const member = await addMember(sql, org.orgId, 'member');
    await webhook(await fakeTelegram.pressStart(chat, (await newLink(member)).token));
    await eventually(async () => (await linkOf(member)).linked === true);
    await fakeTelegram.block(chat);
    const { id, message } = await telegramRow(chat, 'anyone there?');
    const result = await deliverRaw(message);
    expect(result.retried).toEqual([]);
    expect(result.acked).toBe(1);
    expect(await status(id)).toMatchObject({ status: 'failed' });
    expect((await status(id)).error).toContain('bot was blocked by the user');
    expect((await linkOf(member)).linked).toBe(false);
    const [link] = await sql`select disabled_reason from telegram_links where user_id = ${member.userId} and chat_id = ${chat}`;
    expect(link!.disabled_reason).toBe('blocked');
  });
});
