import { SELF } from 'cloudflare:test';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ERROR_STATUS } from '../../src/http/errors';
import { tokenFor } from '../helpers/api';
import { checkAgainstContract } from '../helpers/contract';
import { addMember, adminSql, createOrganization, type Fixture } from '../helpers/db';
import { createCampaignFixture } from '../campaigns/fixtures';
import { TEST_SECRETS } from '../setup/secrets';
import { hostileBody, hostileJson, hostileParam, hostileQuery, hostileString, type IdPool } from './arbitraries';
import { learnShape, type Shape } from './learn';
import { endpoints, harvestVocabulary, NON_JSON_ROUTES, type Endpoint } from './route-table';

/**
 * Property: whatever body, query, path parameters and credentials a caller sends to any route of
 * the app, the answer is never a 5xx, and every error is the JSON envelope
 * `{error:{code,message,details?}}` with the status its code stands for.
 *
 * The routes come from the app's route table (route-table.ts), the field names and enum values from
 * the exported zod schemas, so routes and fields added later are attacked without editing this file.
 * Each route gets a fresh organization (a campaign with videos, snapshots and bloggers, an admin, a
 * viewer, a pending invitation) whose ids the generators use, so requests get past the 404s; it is
 * attacked with the credential that opens its door (found by probing), and a share of runs use
 * broken, foreign or insufficient credentials instead. Seeded: a failure names its seed and path.
 */

const SEED = 20261203;
const RUNS_PER_ROUTE = 24;

const sql = adminSql();
const vocab = harvestVocabulary();
const routes = endpoints();

function b64url(value: unknown) {
  return btoa(JSON.stringify(value)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
}

interface Target {
  owner: Fixture;
  viewer: Fixture;
  pool: IdPool;
}

async function freshTarget(): Promise<Target> {
  const f = await createCampaignFixture(sql);
  const org = f.owner.orgId;
  const admin = await addMember(sql, org, 'admin');
  const viewer = await addMember(sql, org, 'viewer');
  await sql`insert into tracked_accounts (organization_id, blogger_id, initial_videos_count, daily_videos_count) values (${org}, ${f.b.b1}, 10, 5)`;
  const [inv] = await sql<{ id: string }[]>`
    insert into invitations (organization_id, email, role, token_hash) values (${org}, ${`invitee-${org.slice(0, 8)}@test.local`}, 'member', ${crypto.randomUUID()}) returning id`;
  const ids = [f.campaignId, ...Object.values(f.v), ...Object.values(f.b), admin.userId, viewer.userId, f.owner.userId, inv!.id, org];
  return { owner: f.owner, viewer, pool: { ids, kinds: [f.campaignId, f.v.v1, f.b.b1, admin.userId, inv!.id, org] } };
}

type Headers = Record<string, string>;
let stranger: Fixture;
let deletedUserToken: string;
const forged: Record<string, string> = {};

/**
 * Input the database refused (src/http/errors.ts logs `database_refused_input` and answers 4xx): the
 * answer is right, but validation should have refused it first, so the suite counts it as a failure.
 * A deleted user's token is the one case only the database can see (401 user_not_found).
 */
const refusedByDatabase: { method: string; path: string; answered: string; sqlstate: string; message: string }[] = [];
const warn = console.warn;
beforeAll(() => {
  vi.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => {
    const first = String(args[0]);
    if (first.includes('"database_refused_input"')) {
      const entry = JSON.parse(first);
      if (entry.answered !== 'unauthorized') refusedByDatabase.push(entry);
    }
    warn(...args);
  });
});
afterAll(() => vi.restoreAllMocks());

const matchesRoute = (ep: Endpoint, method: string, path: string) =>
  method === ep.method && new RegExp(`^${ep.path.replace(/:[A-Za-z_][A-Za-z0-9_]*/g, '[^/]+')}$`).test(path);

beforeAll(async () => {
  stranger = await createOrganization(sql);
  deletedUserToken = await tokenFor(crypto.randomUUID());
  const sub = crypto.randomUUID();
  forged.algNone = `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ sub, aud: 'authenticated', role: 'authenticated', exp: 4102444800 })}.`;
  forged.expired = await tokenFor(sub, { expiresIn: '-1m' });
  forged.otherSecret = await tokenFor(sub, { secret: 'another-secret-another-secret-another!!' });
  forged.anonAudience = await tokenFor(sub, { audience: 'anon' });
});

/** Credentials that must not open anything they are not meant to: a share of every route's runs. */
async function hostileCredentials(t: Target): Promise<Headers[]> {
  return [
    {},
    { authorization: 'Bearer' },
    { authorization: 'Bearer not.a.jwt' },
    { authorization: 'Basic dXNlcjpwYXNz' },
    { authorization: `Bearer ${forged.algNone}` },
    { authorization: `Bearer ${forged.expired}` },
    { authorization: `Bearer ${forged.otherSecret}` },
    { authorization: `Bearer ${forged.anonAudience}` },
    { authorization: `Bearer ${deletedUserToken}` },
    { authorization: `Bearer ${deletedUserToken}`, 'x-organization-id': t.owner.orgId },
    { authorization: `Bearer ${await tokenFor(stranger.userId)}`, 'x-organization-id': t.owner.orgId },
    { authorization: `Bearer ${await tokenFor(t.viewer.userId)}`, 'x-organization-id': t.owner.orgId },
    { authorization: `Bearer ${await tokenFor(t.owner.userId)}`, 'x-organization-id': 'not-a-uuid' },
    { authorization: `Bearer ${await tokenFor(t.owner.userId)}`, 'x-organization-id': crypto.randomUUID() },
    { authorization: `Bearer ${TEST_SECRETS.OPS_TOKEN}` },
  ];
}

interface Sent {
  method: string;
  url: string;
  headers: Headers;
  body?: string;
}

async function send(req: Sent) {
  const res = await SELF.fetch(`http://influtics.test${req.url}`, { method: req.method, headers: req.headers, body: req.body });
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', text: await res.text() };
}

/**
 * What is wrong with a response, or null: no 5xx, JSON unless allowed, errors in the envelope, and
 * the status and body its route declares in the OpenAPI document.
 */
function problemWith(ep: Endpoint, res: Awaited<ReturnType<typeof send>>, url: string): string | null {
  if (res.status >= 500) return `answered ${res.status}: ${res.text.slice(0, 300)}`;
  try {
    checkAgainstContract(ep.method, url, res);
  } catch (err) {
    return (err as Error).message;
  }
  const isError = res.status >= 400;
  if (!isError && NON_JSON_ROUTES.has(`${ep.method} ${ep.path}`)) return null;
  if (!res.contentType.includes('application/json')) return `answered ${res.status} with content-type '${res.contentType}'`;
  let body: any;
  try {
    body = JSON.parse(res.text);
  } catch {
    return `answered ${res.status} with a body that is not JSON: ${res.text.slice(0, 200)}`;
  }
  if (!isError) return body !== null && typeof body === 'object' ? null : `answered ${res.status} with a JSON scalar`;
  const err = body?.error;
  if (!err || typeof err.code !== 'string' || typeof err.message !== 'string' || err.message.length === 0) return `error ${res.status} outside the envelope: ${res.text.slice(0, 200)}`;
  const expected = (ERROR_STATUS as Record<string, number>)[err.code];
  if (expected === undefined) return `unknown error code '${err.code}'`;
  if (expected !== res.status) return `error code '${err.code}' answered with ${res.status} (it means ${expected})`;
  return null;
}

const fillPath = (ep: Endpoint, values: string[]) => ep.params.reduce((p, name, i) => p.replace(`:${name}`, values[i]!), ep.path);

type Part = { where: 'body' | 'query'; key: string; accepted: unknown[] };

/**
 * A request valid except for (at most) one hostile part: one learned field gets a hostile value,
 * every other learned field is absent (1 in 4) or one of the values it accepted. This is what
 * reaches the checks behind the first one; the fully random generators cover the rest.
 */
function shapedRequest(shape: Shape, pool: IdPool): fc.Arbitrary<{ body: Record<string, unknown>; query: string }> {
  const parts: Part[] = [
    ...[...shape.body].map(([key, accepted]) => ({ where: 'body' as const, key, accepted })),
    ...[...shape.query].map(([key, accepted]) => ({ where: 'query' as const, key, accepted })),
  ];
  const hostileJsonValue = hostileJson(vocab, pool);
  const hostileText = hostileString(vocab, pool);
  const hostileFor = (p: Part) => (p.where === 'body' ? hostileJsonValue : hostileText);
  const validFor = (p: Part) => (p.accepted.length ? fc.constantFrom(...p.accepted) : hostileFor(p));
  return fc
    .nat({ max: parts.length })
    .chain((k) => fc.tuple(...parts.map((p, i) => (i === k ? hostileFor(p).map((v) => ({ v })) : fc.option(validFor(p).map((v) => ({ v })), { freq: 4, nil: undefined })))))
    .map((values) => {
      const body: Record<string, unknown> = {};
      const query = new URLSearchParams();
      values.forEach((value, i) => {
        if (value === undefined) return;
        const p = parts[i]!;
        if (p.where === 'body') body[p.key] = value.v;
        else query.append(p.key, String(value.v));
      });
      const q = query.toString();
      return { body, query: q ? `?${q}` : '' };
    });
}

/** The credential that gets this route past its door: an organization owner or the ops token (null: neither). */
async function doorCredential(ep: Endpoint, t: Target): Promise<Headers | null> {
  const owner = { authorization: `Bearer ${await tokenFor(t.owner.userId)}`, 'x-organization-id': t.owner.orgId };
  const ops = { authorization: `Bearer ${TEST_SECRETS.OPS_TOKEN}` };
  const url = fillPath(ep, ep.params.map(() => crypto.randomUUID()));
  for (const headers of [owner, ops]) {
    const res = await send({ method: ep.method, url, headers });
    if (res.status !== 401 && res.status !== 403) return headers;
  }
  return null;
}

describe('fuzzing every route in the route table', () => {
  it('finds the routes and the schemas\' vocabulary in the app itself', () => {
    expect(routes.length).toBeGreaterThan(40);
    expect(routes).toContainEqual({ method: 'GET', path: '/campaigns/:id/timeseries', params: ['id'] });
    expect(vocab.keys).toEqual(expect.arrayContaining(['from', 'to', 'interval', 'search', 'tags', 'name', 'url', 'username']));
    expect(vocab.enumValues).toEqual(expect.arrayContaining(['week', 'TikTok', 'viewer', 'increments']));
  });

  // Routes are attacked concurrently (vitest's maxConcurrency): each has its own organization.
  it.concurrent.for(routes.map((r) => [`${r.method} ${r.path}`, r] as const))('%s: never 5xx, every error in the envelope', async ([, ep], { expect }) => {
    const target = await freshTarget();
    // A route neither an owner nor an operator opens (e.g. a webhook with its own secret) is still
    // attacked, at its door: it too must answer 4xx in the envelope, never 5xx.
    const door = (await doorCredential(ep, target)) ?? {};
    const bad = await hostileCredentials(target);
    const hasBody = ep.method !== 'GET' && ep.method !== 'HEAD';
    const probeUrl = fillPath(ep, ep.params.map((_, i) => target.pool.ids[i] ?? crypto.randomUUID()));
    const shape = await learnShape(
      ({ body, query }) => {
        const q = query?.length ? '?' + new URLSearchParams(query).toString() : '';
        const headers: Headers = { ...door, ...(body === undefined ? {} : { 'content-type': 'application/json' }) };
        return send({ method: ep.method, url: probeUrl + q, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      },
      vocab,
      target.pool.kinds,
      { hasBody },
    );
    const credential = fc.oneof(
      { arbitrary: fc.constant(door), weight: 10 },
      { arbitrary: fc.constant({ authorization: `Bearer ${deletedUserToken}` }), weight: 1 },
      { arbitrary: fc.constantFrom(...bad), weight: 2 },
    );
    const params = fc.tuple(...ep.params.map(() => hostileParam(vocab, target.pool)));
    const shaped = fc.record({ params, parts: shapedRequest(shape, target.pool), headers: credential }).map(({ params, parts, headers }) => ({
      params,
      query: parts.query,
      body: hasBody ? { raw: JSON.stringify(parts.body), contentType: undefined as string | undefined } : undefined,
      headers,
    }));
    const random = fc.record({
      params,
      query: hostileQuery(vocab, target.pool),
      body: hasBody ? hostileBody(vocab, target.pool) : fc.constant(undefined),
      headers: credential,
    });
    const request = fc.oneof({ arbitrary: shaped, weight: 3 }, { arbitrary: random, weight: 1 });
    const failures: string[] = [];
    const details = await fc.check(
      fc.asyncProperty(request, async (r) => {
        const headers: Headers = { ...r.headers };
        if (r.body) headers['content-type'] = r.body.contentType ?? 'application/json';
        const sent: Sent = { method: ep.method, url: fillPath(ep, r.params as string[]) + r.query, headers, body: r.body?.raw };
        const problem = problemWith(ep, await send(sent), sent.url);
        if (problem) failures.push(`${problem}\n    request: ${JSON.stringify({ ...sent, headers: { ...headers, authorization: headers.authorization?.slice(0, 20) } })}`);
        return problem === null;
      }),
      { seed: SEED, numRuns: RUNS_PER_ROUTE, endOnFailure: true },
    );
    expect(failures, `seed ${SEED}`).toEqual([]);
    expect(refusedByDatabase.filter((e) => matchesRoute(ep, e.method, e.path)), 'input only the database refused (validation let it through)').toEqual([]);
    expect(details.failed).toBe(false);
  });
});
