import { beforeAll, describe, expect, it } from 'vitest';
import { call, tokenFor } from '../helpers/api';
import { adminSql, addMember, createOrganization, rolledBackAs } from '../helpers/db';
import { connectGoogle, createSource, fakeGoogle, newSpreadsheetId } from './support';

const sql = adminSql();
const LINK = (n: number) => `https://www.tiktok.com/@creator/video/73000000000000${String(n).padStart(5, '0')}`;

beforeAll(async () => {
  await fakeGoogle.reset();
});

describe('GET /integrations/google/:id/spreadsheets/:spreadsheetId/sheets', () => {
  it('lists the worksheets with their ids and sizes through spreadsheets.get with a field mask', async () => {
    const f = await createOrganization(sql);
    const { integrationId, token } = await connectGoogle(f);
    const spreadsheetId = newSpreadsheetId();
    await fakeGoogle.putSpreadsheet({ spreadsheetId, title: 'Q1 links', sheets: [{ title: 'Links', sheetId: 0, rows: [['Video URL']] }, { title: 'Archive 2025', sheetId: 42, rows: [] }] });
    const res = await call('GET', `/integrations/google/${integrationId}/spreadsheets/${spreadsheetId}/sheets`, { token, orgId: f.orgId });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      spreadsheet_id: spreadsheetId,
      title: 'Q1 links',
      sheets: [
        { sheet_id: 0, title: 'Links', index: 0, row_count: 1000, column_count: 26 },
        { sheet_id: 42, title: 'Archive 2025', index: 1, row_count: 1000, column_count: 26 },
      ],
    });
    const get = (await fakeGoogle.calls()).filter((c) => c.path === `/v4/spreadsheets/${spreadsheetId}`);
    expect(get).toHaveLength(1);
    expect(get[0]!.query.fields).toMatch(/^spreadsheetId,properties\.title,sheets\(properties\(/);
  });

  it('a spreadsheet Google will not show is 404, not 5xx', async () => {
    const f = await createOrganization(sql);
    const { integrationId, token } = await connectGoogle(f);
    const res = await call('GET', `/integrations/google/${integrationId}/spreadsheets/${newSpreadsheetId()}/sheets`, { token, orgId: f.orgId });
    expect(res.status).toBe(404);
    expect(res.body.error.message).toMatch(/Google Picker/);
  });
});

describe('POST /sheets/sources', () => {
  it('validates the mapping against the real header row and names the missing column', async () => {
    const f = await createOrganization(sql);
    const { integrationId, token } = await connectGoogle(f);
    const spreadsheetId = newSpreadsheetId();
    await fakeGoogle.putSpreadsheet({ spreadsheetId, sheets: [{ title: 'Links', rows: [['Link', 'Campaign'], [LINK(1), 'Spring']] }] });
    const res = await call('POST', '/sheets/sources', { token, orgId: f.orgId, body: { integration_id: integrationId, spreadsheet_id: spreadsheetId, sheet_id: 0, mapping: { url: 'Video URL', campaign: 'Campaign', budget: 'Budget' } } });
    expect(res.status).toBe(422);
    expect(res.body.error.message).toBe("row 1 of 'Links' has no column 'Video URL' (url), 'Budget' (budget)");
    expect(res.body.error.details.missing).toEqual([{ field: 'url', column: 'Video URL' }, { field: 'budget', column: 'Budget' }]);

    const wrongSheet = await call('POST', '/sheets/sources', { token, orgId: f.orgId, body: { integration_id: integrationId, spreadsheet_id: spreadsheetId, sheet_id: 9, mapping: { url: 'Link' } } });
    expect(wrongSheet.status).toBe(422);
    expect(wrongSheet.body.error.details.worksheets).toEqual([{ sheet_id: 0, title: 'Links' }]);

    const byLetter = await call('POST', '/sheets/sources', { token, orgId: f.orgId, body: { integration_id: integrationId, spreadsheet_id: spreadsheetId, sheet_id: 0, mapping: { url: 'A', campaign: 'campaign' } } });
    expect(byLetter.status).toBe(201);
    expect(byLetter.body).toMatchObject({ links_found: 1, source: { sheet_title: 'Links', mapping: { url: 'A', campaign: 'campaign' }, status: 'active', is_active: true } });
    expect(byLetter.body.source.export.stats).toContain('views');

    const again = await call('POST', '/sheets/sources', { token, orgId: f.orgId, body: { integration_id: integrationId, spreadsheet_id: spreadsheetId, sheet_id: 0, mapping: { url: 'A' } } });
    expect(again.status).toBe(409);
  });

  it('refuses bad bodies with 400: NUL characters, unknown stats, a tab export without a tab', async () => {
    const f = await createOrganization(sql);
    const { integrationId, token } = await connectGoogle(f);
    const base = { integration_id: integrationId, spreadsheet_id: newSpreadsheetId(), sheet_id: 0 };
    for (const body of [
      { ...base, mapping: { url: 'Video\u0000URL' } },
      { ...base, mapping: { url: 'A' }, export: { stats: ['views', 'followers'] } },
      { ...base, mapping: { url: 'A' }, export: { target: 'tab' } },
      { ...base, mapping: { url: 'A', extra: 'B' } },
      { ...base, spreadsheet_id: '../etc', mapping: { url: 'A' } },
    ]) {
      const res = await call('POST', '/sheets/sources', { token, orgId: f.orgId, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
    }
  });

  it('max_sheets_sources applies (402 limit_exceeded), and so does a full tracked-videos quota', async () => {
    const f = await createOrganization(sql);
    const { integrationId, token } = await connectGoogle(f);
    await sql`insert into organization_custom_limits (organization_id, max_sheets_sources) values (${f.orgId}, 1)`;
    await createSource(f, token, integrationId, [['Video URL'], [LINK(2)]]);
    const spreadsheetId = newSpreadsheetId();
    await fakeGoogle.putSpreadsheet({ spreadsheetId, sheets: [{ title: 'More', rows: [['Video URL'], [LINK(3)]] }] });
    const res = await call('POST', '/sheets/sources', { token, orgId: f.orgId, body: { integration_id: integrationId, spreadsheet_id: spreadsheetId, sheet_id: 0, mapping: { url: 'Video URL' } } });
    expect(res.status).toBe(402);
    expect(res.body.error).toMatchObject({ code: 'limit_exceeded', details: { limit: 'max_sheets_sources', max: 1, usage: 1, requested: 1 } });

    const g = await createOrganization(sql);
    const second = await connectGoogle(g);
    await sql`insert into organization_custom_limits (organization_id, max_tracked_videos) values (${g.orgId}, 0)`;
    await fakeGoogle.putSpreadsheet({ spreadsheetId, sheets: [{ title: 'More', rows: [['Video URL'], [LINK(3)]] }] });
    const full = await call('POST', '/sheets/sources', { token: second.token, orgId: g.orgId, body: { integration_id: second.integrationId, spreadsheet_id: spreadsheetId, sheet_id: 0, mapping: { url: 'Video URL' } } });
    expect(full.status).toBe(402);
    expect(full.body.error.details.limit).toBe('max_tracked_videos');
  });
});

describe('GET/PATCH/DELETE /sheets/sources/:id', () => {
  it('reads, edits (revalidating the mapping) and deletes a source', async () => {
    const f = await createOrganization(sql);
    const { integrationId, token } = await connectGoogle(f);
    const { sourceId } = await createSource(f, token, integrationId, [['Video URL', 'Campaign'], [LINK(4), 'X']]);
    const got = await call('GET', `/sheets/sources/${sourceId}`, { token, orgId: f.orgId });
    expect(got.body.source).toMatchObject({ id: sourceId, integration_id: integrationId, header_row: 1, last_run: null, running_run_id: null });
    expect((await call('GET', '/sheets/sources', { token, orgId: f.orgId })).body.data.map((s: any) => s.id)).toEqual([sourceId]);

    const bad = await call('PATCH', `/sheets/sources/${sourceId}`, { token, orgId: f.orgId, body: { mapping: { url: 'Video URL', campaign: 'Kampagne' } } });
    expect(bad.status).toBe(422);
    expect(bad.body.error.message).toMatch(/'Kampagne' \(campaign\)/);
    const ok = await call('PATCH', `/sheets/sources/${sourceId}`, { token, orgId: f.orgId, body: { mapping: { url: 'Video URL', campaign: 'Campaign' }, export: { stats: ['views', 'title'] }, is_active: false } });
    expect(ok.status).toBe(200);
    expect(ok.body.source).toMatchObject({ mapping: { url: 'Video URL', campaign: 'Campaign' }, export: { stats: ['views', 'title'], target: 'columns' }, is_active: false });
    expect((await call('PATCH', `/sheets/sources/${sourceId}`, { token, orgId: f.orgId, body: {} })).status).toBe(400);

    const viewer = await addMember(sql, f.orgId, 'viewer');
    const vt = await tokenFor(viewer.userId);
    expect((await call('GET', `/sheets/sources/${sourceId}`, { token: vt, orgId: f.orgId })).status).toBe(200);
    expect((await call('DELETE', `/sheets/sources/${sourceId}`, { token: vt, orgId: f.orgId })).status).toBe(403);
    expect((await call('POST', `/sheets/sources/${sourceId}/resync`, { token: vt, orgId: f.orgId })).status).toBe(403);

    expect((await call('DELETE', `/sheets/sources/${sourceId}`, { token, orgId: f.orgId })).body).toEqual({ deleted: true });
    expect((await call('GET', `/sheets/sources/${sourceId}`, { token, orgId: f.orgId })).status).toBe(404);
  });

  it('another organization gets 404 from every source route and changes nothing', async () => {
    const f = await createOrganization(sql);
    const { integrationId, token } = await connectGoogle(f);
    const { sourceId, spreadsheetId } = await createSource(f, token, integrationId, [['Video URL'], [LINK(5)]]);
    const stranger = await createOrganization(sql);
    const st = await tokenFor(stranger.userId);
    for (const [method, path, body] of [
      ['GET', `/sheets/sources/${sourceId}`, undefined],
      ['PATCH', `/sheets/sources/${sourceId}`, { is_active: false }],
      ['DELETE', `/sheets/sources/${sourceId}`, undefined],
      ['POST', `/sheets/sources/${sourceId}/resync`, undefined],
      ['GET', `/sheets/sources/${sourceId}/runs`, undefined],
    ] as const) {
      const res = await call(method, path, { token: st, orgId: stranger.orgId, body });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body.error.code).toBe('not_found');
    }
    // a stranger cannot build a source on someone else's integration either
    const steal = await call('POST', '/sheets/sources', { token: st, orgId: stranger.orgId, body: { integration_id: integrationId, spreadsheet_id: spreadsheetId, sheet_id: 0, mapping: { url: 'Video URL' } } });
    expect(steal.status).toBe(404);
    expect((await call('GET', '/sheets/sources', { token: st, orgId: stranger.orgId })).body.data).toEqual([]);
    const [row] = await sql`select is_active, (select count(*)::int from import_jobs where source_id = ${sourceId}) as runs from google_sheet_sources where id = ${sourceId}`;
    expect(row).toEqual({ is_active: true, runs: 0 });
  });
});

describe('RLS on the Sheets tables', () => {
  it('members read their organization’s integrations, sources and runs; strangers and anon see nothing; tokens, states and staging are service-only', async () => {
    const f = await createOrganization(sql);
    const { integrationId, token } = await connectGoogle(f);
    const { sourceId } = await createSource(f, token, integrationId, [['Video URL'], [LINK(6)]]);
    const [job] = await sql`insert into import_jobs (organization_id, source, source_id, status) values (${f.orgId}, 'google_sheets', ${sourceId}, 'completed') returning id`;
    await sql`insert into google_sheet_run_rows (job_id, row_number, url) values (${job!.id}, 2, ${LINK(6)})`;
    const member = await addMember(sql, f.orgId, 'member');
    const viewer = await addMember(sql, f.orgId, 'viewer');
    const stranger = await createOrganization(sql);
    const count = (claims: { sub: string } | null, table: string) =>
      rolledBackAs(sql, claims, async (tx) => (await tx.unsafe(`select count(*)::int as n from public.${table} where organization_id = '${f.orgId}'`))[0]!.n as number);
    const countAll = (claims: { sub: string } | null, table: string) => rolledBackAs(sql, claims, async (tx) => (await tx.unsafe(`select count(*)::int as n from public.${table}`))[0]!.n as number);

    expect(await count({ sub: member.userId }, 'google_sheet_integrations')).toBe(1);
    expect(await count({ sub: member.userId }, 'google_sheet_sources')).toBe(1);
    expect(await count({ sub: member.userId }, 'import_jobs')).toBe(1);
    for (const t of ['google_sheet_integrations', 'google_sheet_sources', 'import_jobs']) {
      expect(await count({ sub: stranger.userId }, t), t).toBe(0);
      expect(await count(null, t), t).toBe(0);
    }
    // service-only tables: even the owner sees no row
    expect(await count({ sub: f.userId }, 'google_oauth_credentials')).toBe(0);
    expect(await countAll({ sub: f.userId }, 'google_oauth_states')).toBe(0);
    expect(await countAll({ sub: f.userId }, 'google_sheet_run_rows')).toBe(0);

    // writes: integrations only through the service; sources by owner/admin/member, not viewers
    const updInt = (claims: { sub: string }) => rolledBackAs(sql, claims, (tx) => tx`update google_sheet_integrations set status = 'needs_reauth' where id = ${integrationId} returning id`);
    expect(await updInt({ sub: f.userId })).toHaveLength(0);
    const insInt = rolledBackAs(sql, { sub: f.userId }, (tx) => tx`insert into google_sheet_integrations (organization_id, google_email) values (${f.orgId}, 'x@gmail.com')`);
    await expect(insInt).rejects.toThrow(/row-level security/);
    const updSrc = (claims: { sub: string }) => rolledBackAs(sql, claims, (tx) => tx`update google_sheet_sources set is_active = false where id = ${sourceId} returning id`);
    expect(await updSrc({ sub: member.userId })).toHaveLength(1);
    expect(await updSrc({ sub: viewer.userId })).toHaveLength(0);
    expect(await updSrc({ sub: stranger.userId })).toHaveLength(0);
    const delSrc = (claims: { sub: string }) => rolledBackAs(sql, claims, (tx) => tx`delete from google_sheet_sources where id = ${sourceId} returning id`);
    expect(await delSrc({ sub: viewer.userId })).toHaveLength(0);
    expect(await delSrc({ sub: f.userId })).toHaveLength(1);
    const insSrc = (claims: { sub: string }) =>
      rolledBackAs(sql, claims, (tx) => tx`insert into google_sheet_sources (organization_id, integration_id, spreadsheet_id, sheet_id) values (${f.orgId}, ${integrationId}, ${newSpreadsheetId()}, 5) returning id`);
    expect(await insSrc({ sub: member.userId })).toHaveLength(1);
    await expect(insSrc({ sub: viewer.userId })).rejects.toThrow(/row-level security/);
    await expect(insSrc({ sub: stranger.userId })).rejects.toThrow(/row-level security/);
    // the legacy token columns can never hold anything
    await expect(sql`update google_sheet_integrations set refresh_token_encrypted = 'x' where id = ${integrationId}`).rejects.toThrow(/google_sheet_integrations_no_tokens/);
  });
});
