import { beforeAll, describe, expect, it } from 'vitest';
import { call, tokenFor } from '../helpers/api';
import { adminSql, createOrganization, type Fixture } from '../helpers/db';

/**
 * No lost writes under concurrency: hundreds of requests at once that create the same new tags.
 * Each must link every tag it asked for, answer it, and leave one tag row per name (src/db/tags.ts).
 */

const sql = adminSql();
let owner: Fixture;
let token: string;

beforeAll(async () => {
  owner = await createOrganization(sql);
  token = await tokenFor(owner.userId);
});

// 200 at once: each request holds its own Postgres connection here (no Hyperdrive pool in tests; max_connections 300).
const PARALLEL = 200;

describe('linking new tags from many requests at once', () => {
  it(`POST /dashboard/videos × ${PARALLEL} sharing three new tag names: every video has every tag, each name exists once`, async () => {
    const run = crypto.randomUUID().slice(0, 8);
    const shared = [`launch-${run}`, `summer-${run}`, `ugc-${run}`];
    const base = 7_350_000_000_000_000_000n + BigInt(Date.now() % 1_000_000) * 1000n;
    const responses = await Promise.all(
      Array.from({ length: PARALLEL }, (_, i) =>
        call('POST', '/dashboard/videos', {
          token,
          orgId: owner.orgId,
          // each request lists the names in its own order, plus one tag of its own
          body: { url: `https://www.tiktok.com/@c/video/${base + BigInt(i)}`, tags: [...(i % 2 ? shared : [...shared].reverse()), `own-${run}-${i}`] },
        }),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(PARALLEL).fill(201));
    for (const [i, r] of responses.entries()) expect([...r.body.video.tags].sort(), `request ${i}`).toEqual([...shared, `own-${run}-${i}`].sort());

    const ids = responses.map((r) => r.body.video.id as string);
    const [links] = await sql<{ videos: number; links: number }[]>`
      select count(distinct vt.video_id)::int as videos, count(*)::int as links
      from video_tags vt join tags t on t.id = vt.tag_id
      where vt.organization_id = ${owner.orgId} and t.name in ${sql(shared)} and vt.video_id in ${sql(ids)}`;
    expect(links).toEqual({ videos: PARALLEL, links: PARALLEL * shared.length });
    const names = await sql<{ name: string; n: number }[]>`
      select name, count(*)::int as n from tags where organization_id = ${owner.orgId} and name in ${sql(shared)} group by name order by name`;
    expect(names).toEqual(shared.map((name) => ({ name, n: 1 })));
  });

  it('POST /campaigns × 100 sharing two new tag names: every campaign has both', async () => {
    const run = crypto.randomUUID().slice(0, 8);
    const shared = [`q3-${run}`, `brand-${run}`];
    const responses = await Promise.all(
      Array.from({ length: 100 }, (_, i) => call('POST', '/campaigns', { token, orgId: owner.orgId, body: { name: `campaign ${run} ${i}`, tags: shared } })),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(100).fill(201));
    for (const r of responses) expect([...r.body.campaign.tags].sort()).toEqual([...shared].sort());
  });
});
