import { env } from 'cloudflare:test';
import { fetchWorker } from '../helpers/worker';
import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import { adminSql, addMember, createOrganization, rolledBackAs, type Fixture } from '../helpers/db';
import { call, tokenFor } from '../helpers/api';
import { simpleWorkbook, tiktokUrl } from './files';
import { allErrors, importFile, upload, waitForImport, XLSX } from './helpers';

const sql = adminSql();
let org: Fixture;
let token: string;
let stranger: Fixture;
let strangerToken: string;
let job: any;
let fileBytes: Uint8Array;

beforeAll(async () => {
  org = await createOrganization(sql, { plan: 'pro' });
  token = await tokenFor(org.userId);
  stranger = await createOrganization(sql, { plan: 'pro' });
  strangerToken = await tokenFor(stranger.userId);
  fileBytes = await simpleWorkbook(['URL', 'Budget'], [[tiktokUrl(), 'abc'], [tiktokUrl(), 5]]);
  job = (await importFile(token, fileBytes)).job;
});

async function fetchRaw(path: string, t: string) {
  return fetchWorker(`${path}`, { headers: { authorization: `Bearer ${t}` } });
}

describe('GET /imports/excel/template', () => {
  it('is an xlsx with the header row, an example row and a drop-down on the Platform column, and imports as is', async () => {
    const res = await fetchRaw('/imports/excel/template', token);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(XLSX);
    expect(res.headers.get('content-disposition')).toContain('influtics-import-template.xlsx');
    const bytes = new Uint8Array(await res.arrayBuffer());
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(bytes.buffer as ArrayBuffer);
    const sheet = wb.getWorksheet('Videos')!;
    expect((sheet.getRow(1).values as unknown[]).slice(1)).toEqual(['Video URL', 'Platform', 'Campaign', 'Tags', 'Budget', 'Notes']);
    expect(sheet.getCell('A2').value).toMatch(/^https:\/\/www\.tiktok\.com\/@creator\/video\/\d+$/);
    expect(sheet.getCell('B2').dataValidation).toMatchObject({ type: 'list', formulae: ['"TikTok,Instagram,YouTube"'] });
    expect(sheet.getCell('B500').dataValidation).toMatchObject({ type: 'list' });
    const other = await createOrganization(sql);
    const { job: imported } = await importFile(await tokenFor(other.userId), bytes);
    expect(imported).toMatchObject({ status: 'completed', unknown_columns: [], progress: { total: 1, added: 1, invalid: 0 } });
  });
});

describe('POST /imports/excel: bad requests are 4xx', () => {
  it('a body over 10 MB is 413 and nothing is stored', async () => {
    const before = (await sql`select count(*)::int as n from import_jobs where organization_id = ${org.orgId}`)[0]!.n;
    const res = await upload(token, new Uint8Array(10 * 1024 * 1024 + 1));
    expect(res.status).toBe(413);
    expect(res.body.error).toMatchObject({ code: 'payload_too_large', details: { max_bytes: 10 * 1024 * 1024 } });
    const multipart = await upload(token, new Uint8Array(10 * 1024 * 1024 + 1), { multipart: true });
    expect(multipart.status).toBe(413);
    expect((await sql`select count(*)::int as n from import_jobs where organization_id = ${org.orgId}`)[0]!.n).toBe(before);
  });

  it('an empty body, a multipart without file, and invalid options are 400', async () => {
    expect((await upload(token, new Uint8Array(0))).body.error.code).toBe('validation_failed');
    const form = new FormData();
    form.set('other', 'x');
    const noFile = await fetchWorker('/imports/excel', { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
    expect(noFile.status).toBe(400);
    const bad = await upload(token, fileBytes, { query: { start_tracking: 'maybe', campaign_id: 'x' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.issues.map((i: any) => i.path).sort()).toEqual(['campaign_id', 'start_tracking']);
    const nul = await upload(token, fileBytes, { query: { sheet: 'a\u0000b' } });
    expect(nul.status).toBe(400);
  });

  it('another organization\'s campaign is 404', async () => {
    const [campaign] = await sql`insert into campaigns (organization_id, name) values (${stranger.orgId}, 'theirs') returning id`;
    const res = await upload(token, fileBytes, { query: { campaign_id: campaign!.id } });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
  });

  it('a viewer may not import (403), and no token is 401', async () => {
    const viewer = await addMember(sql, org.orgId, 'viewer');
    const res = await upload(await tokenFor(viewer.userId), fileBytes);
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('forbidden');
    const member = await addMember(sql, org.orgId, 'member');
    expect((await upload(await tokenFor(member.userId), fileBytes)).status).toBe(202);
    const anonymous = await fetchWorker('/imports/excel', { method: 'POST', body: fileBytes });
    expect(anonymous.status).toBe(401);
  });
});

describe('files and jobs stay in their organization', () => {
  it('the upload is stored in R2 under the organization and downloads for its members', async () => {
    const object = await env.FILES.head(`orgs/${org.orgId}/imports/${job.id}.xlsx`);
    expect(object?.size).toBe(fileBytes.length);
    const res = await fetchRaw(`/imports/${job.id}/file`, token);
    expect(res.status).toBe(200);
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(fileBytes);
  });

  it('another organization gets 404 for the job, its errors and its file, and does not list it', async () => {
    expect((await call('GET', `/imports/${job.id}`, { token })).status).toBe(200);
    expect((await allErrors(token, job.id)).map((e) => e.code)).toEqual(['invalid_budget']);
    for (const path of [`/imports/${job.id}`, `/imports/${job.id}/errors`, `/imports/${job.id}/file`]) {
      const res = await call('GET', path, { token: strangerToken });
      expect(res.status, path).toBe(404);
      expect(res.body.error.code).toBe('not_found');
    }
    // naming the other organization explicitly: not a member
    const asOther = await call('GET', `/imports/${job.id}`, { token: strangerToken, orgId: org.orgId });
    expect(asOther.status).toBe(403);
    const list = await call('GET', '/imports', { token: strangerToken });
    expect(list.body.data.map((j: any) => j.id)).not.toContain(job.id);
    expect((await call('GET', '/imports/not-a-uuid', { token })).status).toBe(400);
    expect((await call('GET', `/imports/${job.id}/errors?cursor=garbage`, { token })).status).toBe(400);
  });

  it('RLS: members read their own import errors only; staging rows are service-only; nobody writes errors directly', async () => {
    const mine = await rolledBackAs(sql, { sub: org.userId }, (tx) => tx`select count(*)::int as n from import_job_errors where job_id = ${job.id}`);
    expect(mine[0]!.n).toBe(1);
    const theirs = await rolledBackAs(sql, { sub: stranger.userId }, (tx) => tx`select count(*)::int as n from import_job_errors where job_id = ${job.id}`);
    expect(theirs[0]!.n).toBe(0);
    const anon = await rolledBackAs(sql, null, (tx) => tx`select count(*)::int as n from import_job_errors`.catch(() => [{ n: 0 }]));
    expect(anon[0]!.n).toBe(0);
    const staged = await rolledBackAs(sql, { sub: org.userId }, (tx) => tx`select count(*)::int as n from import_job_rows where job_id = ${job.id}`);
    expect(staged[0]!.n).toBe(0);
    expect((await sql`select count(*)::int as n from import_job_rows where job_id = ${job.id}`)[0]!.n).toBe(2);
    await expect(
      rolledBackAs(sql, { sub: org.userId }, (tx) => tx`insert into import_job_errors (job_id, organization_id, row_number, column_name, code, reason) values (${job.id}, ${org.orgId}, 99, 'x', 'x', 'x')`),
    ).rejects.toThrow(/row-level security|permission denied/);
    const updated = await rolledBackAs(sql, { sub: org.userId }, (tx) => tx`update import_job_errors set reason = 'changed' where job_id = ${job.id} returning 1`.catch(() => []));
    expect(updated).toHaveLength(0);
    const deleted = await rolledBackAs(sql, { sub: org.userId }, (tx) => tx`delete from import_job_errors where job_id = ${job.id} returning 1`.catch(() => []));
    expect(deleted).toHaveLength(0);
    const stagedWrite = await rolledBackAs(sql, { sub: org.userId }, (tx) => tx`update import_job_rows set outcome = 'invalid' where job_id = ${job.id} returning 1`.catch(() => []));
    expect(stagedWrite).toHaveLength(0);
  });

  it('another organization cannot read or change the job row through RLS', async () => {
    const read = await rolledBackAs(sql, { sub: stranger.userId }, (tx) => tx`select id from import_jobs where id = ${job.id}`);
    expect(read).toHaveLength(0);
    const changed = await rolledBackAs(sql, { sub: stranger.userId }, (tx) => tx`update import_jobs set added = 999 where id = ${job.id} returning id`);
    expect(changed).toHaveLength(0);
  });

  it('a job in progress shows its partial progress', async () => {
    const res = await upload(token, await simpleWorkbook(['URL'], Array.from({ length: 6 }, () => [tiktokUrl()])), { query: { chunk_size: '2' } });
    const seen = new Set<number>();
    let done: any;
    while (!done) {
      const r = await call('GET', `/imports/${res.body.job_id}`, { token });
      seen.add(r.body.job.progress.processed);
      if (r.body.job.status === 'completed') done = r.body.job;
    }
    expect(done.progress).toMatchObject({ processed: 6, percent: 100, added: 6 });
    expect([...seen].every((n) => [0, 2, 4, 6].includes(n))).toBe(true);
    await waitForImport(token, res.body.job_id);
  });
});
