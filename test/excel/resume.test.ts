import { env, introspectWorkflow } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { createSql } from '../../src/db/client';
import { importChunk } from '../../src/steps/excel-import';
import { EXCEL_IMPORT_STEPS } from '../../src/workflows/excel-import';
import { adminSql, createOrganization, type Fixture } from '../helpers/db';
import { tokenFor } from '../helpers/api';
import { simpleWorkbook, tiktokUrl } from './files';
import { allErrors, upload, waitForImport } from './helpers';

const sql = adminSql();
let org: Fixture;
let token: string;

beforeAll(async () => {
  org = await createOrganization(sql, { plan: 'pro' });
  token = await tokenFor(org.userId);
});

describe('ExcelImport: crashes and retries write nothing twice', () => {
  it('a chunk step that fails is retried and the import completes with exact counts', async () => {
    const urls = Array.from({ length: 5 }, tiktokUrl);
    const file = await simpleWorkbook(['URL', 'Tags'], [[urls[0], 'a'], [urls[1], 'a'], [urls[2], 'b'], [urls[0], 'c'], [urls[3], null], [urls[4], null], ['nope', null]]);
    await using introspector = await introspectWorkflow(env.EXCEL_IMPORT);
    await introspector.modifyAll(async (m) => {
      await m.mockStepError({ name: EXCEL_IMPORT_STEPS.chunk(2) }, new Error('connection reset by peer'), 1);
    });
    const res = await upload(token, file, { query: { chunk_size: '2', start_tracking: 'true' } });
    expect(res.status).toBe(202);
    const [instance] = await introspector.get();
    await instance!.waitForStepResult({ name: EXCEL_IMPORT_STEPS.chunk(4) });
    const job = await waitForImport(token, res.body.job_id);
    expect(job.progress).toEqual({ total: 7, processed: 7, percent: 100, added: 5, already_present: 1, invalid: 1, over_quota: 0 });
    const videos = await sql`select v.id, v.video_url, (select count(*)::int from video_tags vt where vt.video_id = v.id) as tags
                             from videos v where v.organization_id = ${org.orgId} order by v.video_url`;
    expect(videos.map((v) => v.video_url).sort()).toEqual([...urls].sort());
    // row 5 repeats row 2's link: one video, its tag only from the first occurrence
    expect(videos.find((v) => v.video_url === urls[0])!.tags).toBe(1);
    const [staged] = await sql`select count(*)::int as n, count(*) filter (where outcome is null)::int as pending from import_job_rows where job_id = ${job.id}`;
    expect(staged).toEqual({ n: 7, pending: 0 });
    expect((await allErrors(token, job.id)).map((e) => [e.row, e.code])).toEqual([[5, 'duplicate_in_file'], [8, 'unsupported_url']]);
  });

  it('a chunk step run again after it committed (its result was lost) changes nothing', async () => {
    const jobId = crypto.randomUUID();
    await sql`insert into import_jobs (id, organization_id, source, status, total_rows) values (${jobId}, ${org.orgId}, 'excel', 'running', 3)`;
    const urls = [tiktokUrl(), tiktokUrl()];
    await sql`insert into import_job_rows (job_id, organization_id, row_number, seq, url, tags)
              values (${jobId}, ${org.orgId}, 2, 1, ${urls[0]}, 'x'), (${jobId}, ${org.orgId}, 3, 2, ${urls[1]}, null), (${jobId}, ${org.orgId}, 4, 3, 'bad', null)`;
    const job = { id: jobId, organizationId: org.orgId, campaignId: null, startTracking: true, createdBy: org.userId, headers: { url: 'URL' } };
    const first = await importChunk(createSql(env), env, job, 1, 10);
    expect(first).toEqual({ rows: 3, added: 2, already_present: 0, invalid: 1, over_quota: 0, tracking_started: 2 });
    const snapshot = async () => ({
      job: (await sql`select processed_rows, added, already_present, invalid, over_quota from import_jobs where id = ${jobId}`)[0],
      videos: (await sql`select count(*)::int as n from videos where organization_id = ${org.orgId} and video_url = any(${urls})`)[0]!.n,
      tags: (await sql`select count(*)::int as n from video_tags vt join videos v on v.id = vt.video_id where v.video_url = any(${urls})`)[0]!.n,
      errors: (await sql`select count(*)::int as n from import_job_errors where job_id = ${jobId}`)[0]!.n,
    });
    const after = await snapshot();
    expect(after).toEqual({ job: { processed_rows: 3, added: 2, already_present: 0, invalid: 1, over_quota: 0 }, videos: 2, tags: 1, errors: 1 });
    const second = await importChunk(createSql(env), env, job, 1, 10);
    expect(second).toEqual({ rows: 0, added: 0, already_present: 0, invalid: 0, over_quota: 0, tracking_started: 0 });
    expect(await snapshot()).toEqual(after);
  });
});
