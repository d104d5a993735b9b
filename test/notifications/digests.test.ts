import { createExecutionContext, createMessageBatch, env, getQueueResult } from 'cloudflare:test';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import worker from '../../src/index';
import { recordNotificationEvents } from '../../src/db/alerts';
import { relayDueNotifications } from '../../src/notifications/relay';
import { enqueueOutboxRows } from '../../src/queues/notification-messages';
import { eventually } from '../helpers/api';
import { addMember, adminSql, createOrganization, type Fixture } from '../helpers/db';
import { fakeLoops } from '../helpers/fake-loops';
import { fakeTelegram } from '../helpers/fake-telegram';
import { TEST_LOOPS_TRANSACTIONAL_IDS } from '../setup/secrets';

// A member who chose `delivery: digest` gets ONE message per channel at their digest hour listing
// what happened; a member who chose `immediate` gets each notification as it happens.

const sql = adminSql();
let org: Fixture;
let nextChat = 870_000_000 + Math.floor(Math.random() * 1_000_000);

async function member(delivery: 'digest' | 'immediate', channels: Record<string, string[]> = {}) {
  const m = await addMember(sql, org.orgId, 'member');
  const chat = ++nextChat;
  await sql`insert into telegram_links (organization_id, user_id, chat_id, linked_at) values (${org.orgId}, ${m.userId}, ${chat}, now())`;
  await sql`insert into notification_preferences (organization_id, user_id, delivery, digest_hour, channels)
            values (${org.orgId}, ${m.userId}, ${delivery}, 9, ${sql.json(channels)})`;
  return { ...m, chat };
}

/** Events for these members only, written and (for the due rows) enqueued as the writers do. */
async function happen(userIds: string[], texts: string[], type: 'new_video' | 'import_finished' = 'new_video') {
  const tag = crypto.randomUUID().slice(0, 8);
  const rows = await recordNotificationEvents(sql, texts.map((text, i) => ({ organizationId: org.orgId, type, dedupeKey: `digest-test:${tag}:${i}`, text, userIds })));
  await enqueueOutboxRows(env.NOTIFICATIONS, rows.filter((r) => r.due).map((r) => ({ id: r.outbox_id, organization_id: r.organization_id })));
  return rows;
}

/** The digest hour has come: what the clock would do, for these members' deferred rows. */
const digestHourCame = (userId: string) => sql`update notification_outbox set deliver_after = now() - interval '1 second' where user_id = ${userId} and status = 'queued'`;

const rowsOf = (userId: string) =>
  sql`select id, channel, template, status, digest, digest_id, deliver_after > now() as deferred, payload from notification_outbox where user_id = ${userId} order by created_at, id`;

/** Waits until `sent()` lists something, then answers the list. */
const once = <T>(sent: () => Promise<T[]>) => eventually(async () => {
  const s = await sent();
  return s.length > 0 && s;
});

/** One message through the Worker's queue handler (what a redelivery or a replayed dead letter does). */
async function deliver(outboxId: string) {
  const batch = createMessageBatch('influtics-notifications', [{ id: crypto.randomUUID(), timestamp: new Date(), attempts: 1, body: { type: 'notification', outbox_id: outboxId, organization_id: org.orgId } }]);
  const ctx = createExecutionContext();
  await worker.queue(batch, env, ctx);
  return getQueueResult(batch, ctx);
}

beforeAll(async () => {
  org = await createOrganization(sql, { name: 'Acme Digest' });
});
beforeEach(async () => {
  await fakeTelegram.reset();
  await fakeLoops.reset();
});

describe('digests', () => {
  it('combines a digest member’s notifications into one Telegram message at the digest hour; an immediate member gets each at once', async () => {
    const digester = await member('digest');
    const eager = await member('immediate');
    const texts = ['🆕 @alice posted 2 new videos', '🆕 @bob posted a new video', '🆕 @carol posted 3 new videos'];
    for (const t of texts) await happen([digester.userId, eager.userId], [t]);

    await eventually(async () => (await fakeTelegram.sentTo(eager.chat)).length === 3);
    const waiting = await rowsOf(digester.userId);
    expect(waiting.map((r) => [r.status, r.digest, r.deferred])).toEqual(texts.map(() => ['queued', true, true]));
    // before the digest hour the relay leaves them
    await relayDueNotifications(env);
    expect((await rowsOf(digester.userId)).every((r) => r.status === 'queued')).toBe(true);

    await digestHourCame(digester.userId);
    await relayDueNotifications(env);
    const sent = await once(() => fakeTelegram.sentTo(digester.chat));
    expect(sent).toHaveLength(1);
    expect(sent[0]!.text).toContain('📬 Your Influtics digest: 3 notifications');
    for (const t of texts) expect(sent[0]!.text).toContain(t);
    // in the order they happened
    expect(sent[0]!.text.indexOf('@alice')).toBeLessThan(sent[0]!.text.indexOf('@carol'));

    const after = await rowsOf(digester.userId);
    const digest = after.find((r) => r.template === 'digest')!;
    await eventually(async () => (await sql`select status from notification_outbox where id = ${digest.id}`)[0]!.status === 'sent');
    expect(after.filter((r) => r.template !== 'digest').map((r) => [r.status, r.digest_id])).toEqual(texts.map(() => ['combined', digest.id]));
    expect(digest.payload.count).toBe(3);

    // the next relay combines nothing again, and nobody gets anything more
    await relayDueNotifications(env);
    expect((await rowsOf(digester.userId)).filter((r) => r.template === 'digest')).toHaveLength(1);
    expect(await fakeTelegram.sentTo(digester.chat)).toHaveLength(1);
    expect(await fakeTelegram.sentTo(eager.chat)).toHaveLength(3);
  });

  it('a part never goes out alone (a stray or replayed queue message for it sends nothing), and a redelivered digest sends nothing twice', async () => {
    const digester = await member('digest');
    const [part] = await happen([digester.userId], ['📥 Import finished: 12 videos added'], 'import_finished');
    // before the digest hour, and after it but before the relay combined it
    expect((await deliver(part!.outbox_id)).explicitAcks).toHaveLength(1);
    await digestHourCame(digester.userId);
    expect((await deliver(part!.outbox_id)).explicitAcks).toHaveLength(1);
    expect(await fakeTelegram.sentTo(digester.chat)).toHaveLength(0);
    expect((await rowsOf(digester.userId))[0]!.status).toBe('queued');

    await relayDueNotifications(env);
    await eventually(async () => (await fakeTelegram.sentTo(digester.chat)).length === 1);
    const digest = (await rowsOf(digester.userId)).find((r) => r.template === 'digest')!;
    await eventually(async () => (await sql`select status from notification_outbox where id = ${digest.id}`)[0]!.status === 'sent');
    expect(digest.payload.text).toContain('Your Influtics digest: 1 notification\n');
    await deliver(digest.id);
    await deliver(part!.outbox_id);
    expect(await fakeTelegram.sentTo(digester.chat)).toHaveLength(1);
  });

  it('a long digest stays within Telegram’s 4,096 characters and says how many more there were', async () => {
    const digester = await member('digest');
    const texts = Array.from({ length: 150 }, (_, i) => `🆕 @creator_${i} posted a new video: https://www.tiktok.com/@creator_${i}/video/${7_400_000_000_000_000_000n + BigInt(i)}`);
    await happen([digester.userId], texts);
    await digestHourCame(digester.userId);
    await relayDueNotifications(env);
    const [message] = await once(() => fakeTelegram.sentTo(digester.chat));
    expect(message!.text.length).toBeLessThanOrEqual(4096);
    expect(message!.text).toContain('Your Influtics digest: 150 notifications');
    const listed = texts.filter((t) => message!.text.includes(t)).length;
    expect(listed).toBeGreaterThan(10);
    expect(message!.text).toMatch(new RegExp(`… and ${150 - listed} more$`));
    expect((await rowsOf(digester.userId)).filter((r) => r.status === 'combined')).toHaveLength(150);
  });

  it('email digests reach Loops once with the digest template, the count and the text', async () => {
    const digester = await member('digest', { new_video: ['email'] });
    await happen([digester.userId], ['🆕 @dora posted a new video', '🆕 @emil posted a new video']);
    expect((await rowsOf(digester.userId)).map((r) => r.channel)).toEqual(['email', 'email']);
    await digestHourCame(digester.userId);
    await relayDueNotifications(env);
    const mails = await once(() => fakeLoops.sentTo(digester.email));
    expect(mails).toHaveLength(1);
    expect(mails[0]!.transactionalId).toBe(TEST_LOOPS_TRANSACTIONAL_IDS.digest);
    expect(mails[0]!.dataVariables.count).toBe(2);
    expect(String(mails[0]!.dataVariables.text)).toContain('@dora');
    expect(String(mails[0]!.dataVariables.text)).toContain('@emil');
  });

  it('each member and organization gets their own digest', async () => {
    const a = await member('digest');
    const b = await member('digest');
    const other = await createOrganization(sql, { name: 'Other Digest' });
    await sql`insert into notification_preferences (organization_id, user_id, delivery) values (${other.orgId}, ${other.userId}, 'digest')`;
    const otherChat = ++nextChat;
    await sql`insert into telegram_links (organization_id, user_id, chat_id, linked_at) values (${other.orgId}, ${other.userId}, ${otherChat}, now())`;
    await happen([a.userId, b.userId], ['🆕 @fay posted a new video']);
    await recordNotificationEvents(sql, [{ organizationId: other.orgId, type: 'new_video', dedupeKey: `digest-test:${crypto.randomUUID()}`, text: '🆕 @secret posted a new video' }]);
    for (const u of [a.userId, b.userId, other.userId]) await digestHourCame(u);
    await relayDueNotifications(env);
    await eventually(async () => (await fakeTelegram.sentTo(a.chat)).length === 1 && (await fakeTelegram.sentTo(b.chat)).length === 1 && (await fakeTelegram.sentTo(otherChat)).length === 1);
    expect((await fakeTelegram.sentTo(a.chat))[0]!.text).not.toContain('@secret');
    expect((await fakeTelegram.sentTo(otherChat))[0]!.text).toContain('@secret');
    expect((await fakeTelegram.sentTo(otherChat))[0]!.text).not.toContain('@fay');
  });
});
