import { createExecutionContext, createMessageBatch, env, getQueueResult } from 'cloudflare:test';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import worker from '../../src/index';
import { NOTIFICATION_MAX_DELIVERIES } from '../../src/queues/notifications-consumer';
import { relayDueNotifications } from '../../src/notifications/relay';
import { call, eventually } from '../helpers/api';
import { adminSql, createOrganization, type Fixture } from '../helpers/db';
import { fakeLoops } from '../helpers/fake-loops';
import { newUser, randomEmail, tokenOf } from '../organizations/support';
import { TEST_LOOPS_TRANSACTIONAL_IDS } from '../setup/secrets';
import wranglerConfig from '../../wrangler.jsonc?raw';
import type postgres from 'postgres';

const sql = adminSql();
let org: Fixture;
let ownerToken: string;

beforeAll(async () => {
  org = await createOrganization(sql, { plan: 'pro', name: 'Acme Mail' });
  ownerToken = await tokenOf(org);
});
beforeEach(async () => {
  await fakeLoops.reset();
});
afterEach(() => {
  vi.restoreAllMocks();
});

/** Invites without letting the real queue deliver, so each test drives the consumer itself. */
async function inviteQuietly(email: string, role: 'admin' | 'member' | 'viewer' = 'member') {
  const send = vi.spyOn(env.NOTIFICATIONS, 'send').mockResolvedValue(undefined as never);
  const res = await call('POST', '/organization/invitations', { token: ownerToken, orgId: org.orgId, body: { email, role } });
  expect(res.status).toBe(201);
  const message = send.mock.calls[0]![0];
  send.mockRestore();
  return { invitationId: res.body.invitation.id as string, token: res.body.token as string, outboxId: res.body.email.outbox_id as string, message };
}

/**
 * Delivers one message to the Worker's queue handler. vitest-plugin's QueueResult leaves out the
 * retry delay, so the delay each retry() asked for is read from a spy on the message.
 */
async function deliver(body: unknown, attempts = 1, id = crypto.randomUUID()) {
  const batch = createMessageBatch('influtics-notifications', [{ id, timestamp: new Date(), attempts, body }]);
  const retry = vi.spyOn(batch.messages[0]!, 'retry');
  const ctx = createExecutionContext();
  await worker.queue(batch, env, ctx);
  const result = await getQueueResult(batch, ctx);
  return { ...result, retryMessages: retry.mock.calls.map(([opts]) => ({ msgId: id, delaySeconds: opts?.delaySeconds })) };
}

const outboxRow = async (id: string) => (await sql`select status, attempts, error, claimed_until, sent_at from notification_outbox where id = ${id}`)[0]!;

describe('invitation email: event → outbox → queue → Loops', () => {
  it('an invitation reaches the fake Loops exactly once through the real queue, and its link accepts the invitation', async () => {
    const email = randomEmail('mailed');
    const res = await call('POST', '/organization/invitations', { token: ownerToken, orgId: org.orgId, body: { email, role: 'viewer' } });
    expect(res.status).toBe(201);
    const sent = await eventually(async () => {
      const s = await fakeLoops.sentTo(email);
      return s.length > 0 && s;
    });
    await eventually(async () => (await outboxRow(res.body.email.outbox_id)).status === 'sent');
    expect(sent).toHaveLength(1);
    const mail = sent[0]!;
    expect(mail.transactionalId).toBe(TEST_LOOPS_TRANSACTIONAL_IDS.organization_invitation);
    expect(mail.idempotencyKey).toBe(`outbox-${res.body.email.outbox_id}`);
    expect(mail.dataVariables).toMatchObject({ organizationName: 'Acme Mail', role: 'viewer', invitedBy: org.email, expiresAt: res.body.invitation.expires_at });
    const link = new URL(String(mail.dataVariables.acceptUrl));
    expect(link.origin + link.pathname).toBe('https://app.influtics.test/invitations/accept');
    // the token in the email is the one the API answered, and it works
    expect(link.searchParams.get('token')).toBe(res.body.token);
    const invitee = await newUser(sql, email);
    const accepted = await call('POST', '/invitations/accept', { token: await tokenOf(invitee), body: { token: link.searchParams.get('token') } });
    expect(accepted.status).toBe(200);
    expect(accepted.body.role).toBe('viewer');
    // nothing more went out (no retry, no second delivery)
    expect(await fakeLoops.sentTo(email)).toHaveLength(1);
  });

  it('no table holds a usable token: not the outbox, not the invitation, not the dead-letter table', async () => {
    const email = randomEmail('notoken');
    const { token, invitationId, outboxId } = await inviteQuietly(email);
    const [dump] = await sql`select
      (select row_to_json(o)::text from notification_outbox o where id = ${outboxId}) as outbox,
      (select row_to_json(i)::text from invitations i where id = ${invitationId}) as invitation,
      (select coalesce(string_agg(body::text, ''), '') from dead_letters) as dead`;
    for (const text of [dump!.outbox, dump!.invitation, dump!.dead]) expect(text).not.toContain(token);
  });

  it('a redelivered message, a duplicate message and a replayed dead letter send nothing twice', async () => {
    const email = randomEmail('once');
    const { outboxId, message } = await inviteQuietly(email);
    const first = await deliver(message);
    expect(first.explicitAcks).toHaveLength(1);
    expect((await outboxRow(outboxId)).status).toBe('sent');
    // the same message again (at-least-once delivery), a second message for the row, and a replay
    // of a dead-letter envelope's original body
    expect((await deliver(message, 2)).explicitAcks).toHaveLength(1);
    expect((await deliver({ type: 'notification', outbox_id: outboxId, organization_id: org.orgId })).explicitAcks).toHaveLength(1);
    expect((await deliver(structuredClone(message), 1, 'replayed-dead-letter')).explicitAcks).toHaveLength(1);
    expect(await fakeLoops.sentTo(email)).toHaveLength(1);
    expect((await fakeLoops.requests()).filter((r) => r.body?.email === email)).toHaveLength(1);
  });

  it('a row another delivery holds is left alone and looked at again when the claim lapses', async () => {
    const email = randomEmail('claimed');
    const { outboxId, message } = await inviteQuietly(email);
    await sql`update notification_outbox set status = 'sending', claimed_until = now() + interval '30 seconds' where id = ${outboxId}`;
    const held = await deliver(message);
    expect(held.retryMessages).toHaveLength(1);
    expect(held.retryMessages[0]!.delaySeconds).toBeGreaterThanOrEqual(29);
    expect(await fakeLoops.sentTo(email)).toHaveLength(0);
  });

  it('a claim that lapsed after the email went out (consumer crashed before marking it) is settled by Loops’ 409, not a second email', async () => {
    const email = randomEmail('crash');
    const { outboxId, message } = await inviteQuietly(email);
    await deliver(message);
    expect(await fakeLoops.sentTo(email)).toHaveLength(1);
    // as if the consumer died between Loops' 200 and the update: the row is still claimed, the claim lapsed
    await sql`update notification_outbox set status = 'sending', sent_at = null, claimed_until = now() - interval '1 second' where id = ${outboxId}`;
    const again = await deliver(message, 2);
    expect(again.explicitAcks).toHaveLength(1);
    expect((await outboxRow(outboxId)).status).toBe('sent');
    expect(await fakeLoops.sentTo(email)).toHaveLength(1);
    expect((await fakeLoops.requests()).filter((r) => r.body?.email === email).map((r) => r.status)).toEqual([200, 409]);
  });

  it('429 is retried after the provider’s Retry-After, 5xx with backoff; the retry then sends once', async () => {
    const email = randomEmail('busy');
    const { outboxId, message } = await inviteQuietly(email);
    await fakeLoops.fault({ kind: 'rate_limit', retryAfter: 7, email });
    const limited = await deliver(message);
    expect(limited.retryMessages).toEqual([expect.objectContaining({ delaySeconds: 7 })]);
    expect(await outboxRow(outboxId)).toMatchObject({ status: 'queued', attempts: 1, claimed_until: null });
    expect((await outboxRow(outboxId)).error).toContain('HTTP 429');

    await fakeLoops.fault({ kind: 'server_error', email });
    const failing = await deliver(message, 2);
    expect(failing.retryMessages).toEqual([expect.objectContaining({ delaySeconds: 15 })]); // 5 s × 3
    expect((await outboxRow(outboxId)).status).toBe('queued');

    const ok = await deliver(message, 3);
    expect(ok.explicitAcks).toHaveLength(1);
    expect(await outboxRow(outboxId)).toMatchObject({ status: 'sent', attempts: 3, error: null });
    expect(await fakeLoops.sentTo(email)).toHaveLength(1);
  });

  it('a permanent 4xx marks the row failed with the provider’s error and dead-letters the message', async () => {
    const email = randomEmail('bad');
    const { outboxId, message } = await inviteQuietly(email);
    await fakeLoops.fault({ kind: 'bad_request', email });
    const result = await deliver(message, 1, `perm-${outboxId}`);
    expect(result.explicitAcks).toHaveLength(1);
    expect(result.retryMessages).toHaveLength(0);
    const row = await outboxRow(outboxId);
    expect(row.status).toBe('failed');
    expect(row.error).toContain('HTTP 400');
    expect(row.error).toContain('Missing required data variable');
    const [dl] = await eventually(async () => {
      const r = await sql`select source_queue, error_code, reason, organization_id from dead_letters where body->>'outbox_id' = ${outboxId}`;
      return r.length > 0 && r;
    });
    expect(dl).toMatchObject({ source_queue: 'influtics-notifications', error_code: 'loops_400', organization_id: org.orgId });
    expect(await fakeLoops.sentTo(email)).toHaveLength(0);
  });

  it('the last delivery’s transient failure is final: failed + dead letter, not a silent drop', async () => {
    const email = randomEmail('exhausted');
    const { outboxId, message } = await inviteQuietly(email);
    await fakeLoops.fault({ kind: 'server_error', email });
    const result = await deliver(message, NOTIFICATION_MAX_DELIVERIES);
    expect(result.explicitAcks).toHaveLength(1);
    expect(await outboxRow(outboxId)).toMatchObject({ status: 'failed' });
    await eventually(async () => (await sql`select 1 from dead_letters where body->>'outbox_id' = ${outboxId} and error_code = 'retries_exhausted'`).length === 1);
  });

  it('NOTIFICATION_MAX_DELIVERIES matches the queue’s max_retries in wrangler.jsonc', () => {
    const consumer = /"queue":\s*"influtics-notifications",[^}]*"max_retries":\s*(\d+)/.exec(wranglerConfig);
    expect(Number(consumer![1]) + 1).toBe(NOTIFICATION_MAX_DELIVERIES);
  });

  it('a revoked invitation is not emailed: its row is cancelled', async () => {
    const email = randomEmail('revoked');
    const { invitationId, outboxId, message } = await inviteQuietly(email);
    expect((await call('DELETE', `/organization/invitations/${invitationId}`, { token: ownerToken, orgId: org.orgId })).status).toBe(200);
    expect((await deliver(message)).explicitAcks).toHaveLength(1);
    expect((await outboxRow(outboxId)).status).toBe('cancelled');
    expect(await fakeLoops.sentTo(email)).toHaveLength(0);
  });

  it('an invitation row whose token cannot be rebuilt fails instead of mailing a dead link', async () => {
    const email = randomEmail('legacy');
    const { invitationId, outboxId, message } = await inviteQuietly(email);
    await sql`update invitations set token_hash = ${'0'.repeat(64)} where id = ${invitationId}`;
    await deliver(message);
    expect(await outboxRow(outboxId)).toMatchObject({ status: 'failed' });
    expect((await outboxRow(outboxId)).error).toContain('cannot be rebuilt');
    expect(await fakeLoops.sentTo(email)).toHaveLength(0);
  });

  it('an invalid message is dead-lettered, not retried forever', async () => {
    const result = await deliver({ type: 'notification', outbox_id: 'not-a-uuid' }, 1, `invalid-${crypto.randomUUID()}`);
    expect(result.explicitAcks).toHaveLength(1);
    await eventually(async () => (await sql`select 1 from dead_letters where source_queue = 'influtics-notifications' and error_code = 'invalid_message' and body->>'outbox_id' = 'not-a-uuid'`).length > 0);
  });
});

describe('the outbox relay', () => {
  it('enqueues a row whose queue message was lost, once; the real queue then sends it once', async () => {
    const email = randomEmail('lost');
    vi.spyOn(console, 'error').mockImplementation(() => {});
    vi.spyOn(env.NOTIFICATIONS, 'send').mockRejectedValueOnce(new Error('queue unavailable'));
    const res = await call('POST', '/organization/invitations', { token: ownerToken, orgId: org.orgId, body: { email, role: 'member' } });
    expect(res.body.email.enqueued).toBe(false);
    const outboxId = res.body.email.outbox_id as string;
    // not yet: the writer may still be sending (grace period)
    const sendBatch = vi.spyOn(env.NOTIFICATIONS, 'sendBatch');
    await relayDueNotifications(env);
    const relayedIds = () => sendBatch.mock.calls.flatMap((c) => [...c[0]]).map((m) => (m.body as { outbox_id: string }).outbox_id);
    expect(relayedIds()).not.toContain(outboxId);
    await sql`update notification_outbox set enqueued_at = now() - interval '11 minutes' where id = ${outboxId}`;
    await relayDueNotifications(env);
    await relayDueNotifications(env); // a second relay run picks nothing twice
    expect(relayedIds().filter((id) => id === outboxId)).toHaveLength(1);
    await eventually(async () => (await outboxRow(outboxId)).status === 'sent');
    expect(await fakeLoops.sentTo(email)).toHaveLength(1);
  });
});

describe('who can reach the outbox', () => {
  it('is service-only: no member (owner included) can read, add, change or delete rows directly', async () => {
    const email = randomEmail('rls');
    const { outboxId } = await inviteQuietly(email);
    const claims = { sub: org.userId, email: org.email, role: 'authenticated' };
    const asOwner = async <T,>(fn: (tx: postgres.TransactionSql) => Promise<T>) => {
      let out: T;
      await sql.begin(async (tx) => {
        await tx`select set_config('request.jwt.claims', ${JSON.stringify(claims)}, true), set_config('role', 'authenticated', true)`;
        out = await fn(tx);
        throw new Error('rollback');
      }).catch((e) => { if (e.message !== 'rollback') throw e; });
      return out!;
    };
    expect(await asOwner((tx) => tx`select id from notification_outbox where id = ${outboxId}`)).toHaveLength(0);
    expect((await asOwner((tx) => tx`update notification_outbox set status = 'sent' where id = ${outboxId}`)).count).toBe(0);
    expect((await asOwner((tx) => tx`delete from notification_outbox where id = ${outboxId}`)).count).toBe(0);
    await expect(asOwner((tx) => tx`insert into notification_outbox (organization_id, channel, recipient, template, idempotency_key)
      values (${org.orgId}, 'email', 'x@test.local', 'organization_invitation', ${crypto.randomUUID()})`)).rejects.toThrow(/row-level security/);
    expect((await outboxRow(outboxId)).status).toBe('queued');
  });

  it('private.record_notification refuses a member who is not an owner or admin, and anyone outside the organization', async () => {
    const other = await createOrganization(sql);
    const member = await (await import('../helpers/db')).addMember(sql, org.orgId, 'member');
    for (const who of [member, other]) {
      const attempt = sql.begin(async (tx) => {
        await tx`select set_config('request.jwt.claims', ${JSON.stringify({ sub: who.userId, role: 'authenticated' })}, true), set_config('role', 'authenticated', true)`;
        await tx`select private.record_notification(${org.orgId}::uuid, 'email', 'x@test.local', 'organization_invitation', '{}'::jsonb, ${crypto.randomUUID()})`;
      });
      await expect(attempt).rejects.toThrow(/not allowed to notify/);
    }
  });
});

describe('GET /ops/api/notifications/failed', () => {
  it('lists permanently failed rows with the provider’s error to operators only', async () => {
    const email = randomEmail('ops');
    const { outboxId, message } = await inviteQuietly(email);
    await fakeLoops.fault({ kind: 'not_found', email });
    await deliver(message, 1, `ops-${outboxId}`);
    const res = await call('GET', `/ops/api/notifications/failed?organization_id=${org.orgId}&limit=200`, { headers: { authorization: 'Bearer test-ops-token' } });
    expect(res.status).toBe(200);
    const row = res.body.data.find((r: { id: string }) => r.id === outboxId);
    expect(row).toMatchObject({ organization_id: org.orgId, organization_name: 'Acme Mail', channel: 'email', template: 'organization_invitation', recipient: email, attempts: 1 });
    expect(row.error).toContain('Transactional email not found');
    expect(row).not.toHaveProperty('payload');

    expect((await call('GET', '/ops/api/notifications/failed')).status).toBe(401);
    expect((await call('GET', '/ops/api/notifications/failed', { token: ownerToken })).status).toBe(403);
    expect((await call('GET', '/ops/api/notifications/failed?limit=0', { headers: { authorization: 'Bearer test-ops-token' } })).status).toBe(400);
    expect((await call('GET', '/ops/api/notifications/failed?cursor=%00', { headers: { authorization: 'Bearer test-ops-token' } })).status).toBe(400);
  });
});
