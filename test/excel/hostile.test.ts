import { beforeAll, describe, expect, it } from 'vitest';
import { strToU8, zipSync } from 'fflate';
import { adminSql, createOrganization, type Fixture } from '../helpers/db';
import { eventually, tokenFor } from '../helpers/api';
import { inspectXlsx, XLSX_CAPS } from '../../src/excel/zip-inspect';
import { manyRowsXlsx, oleFile, patchCentralDirectory, rawXlsx, simpleWorkbook, tiktokUrl, workbook } from './files';
import { importFile } from './helpers';

const sql = adminSql();
let org: Fixture;
let token: string;

beforeAll(async () => {
  org = await createOrganization(sql, { plan: 'pro' });
  token = await tokenFor(org.userId);
});

const videoCount = async () => (await sql`select count(*)::int as n from videos where organization_id = ${org.orgId}`)[0]!.n as number;

/** Imports a file that must be refused as a whole: the job fails with the code and nothing is written. */
async function expectRefused(bytes: Uint8Array, code: string, reason: RegExp, query: Record<string, string> = {}) {
  const before = await videoCount();
  const { job, errors } = await importFile(token, bytes, query);
  expect(job.status).toBe('failed');
  expect(job.failure).toEqual({ code, reason: expect.stringMatching(reason) });
  expect(job.failure.reason).toMatch(reason);
  expect(job.progress).toMatchObject({ processed: 0, added: 0 });
  expect(errors).toEqual([]);
  expect(await videoCount()).toBe(before);
  // a refused file is an outcome of the run, not a crash
  await eventually(async () => (await sql`select status from workflow_runs where instance_id = ${job.workflow_instance_id}`)[0]?.status === 'complete');
  return job;
}

describe('hostile and broken files: a clear reason, nothing written', () => {
  it('not an xlsx (CSV text)', async () => {
    await expectRefused(strToU8(`url\n${tiktokUrl()}\n`), 'not_xlsx', /not an \.xlsx workbook/);
  });

  it('a zip that is not a workbook (a .docx-like archive)', async () => {
    await expectRefused(zipSync({ '[Content_Types].xml': strToU8('<Types/>'), 'word/document.xml': strToU8('<w/>') }), 'not_xlsx', /no xl\/workbook\.xml/);
  });

  it('a truncated upload', async () => {
    const file = await simpleWorkbook(['URL'], [[tiktokUrl()]]);
    await expectRefused(file.slice(0, file.length - 40), 'not_xlsx', /zip directory is missing/);
  });

  it('an old .xls file', async () => {
    await expectRefused(oleFile(['Workbook', 'SummaryInformation']), 'legacy_xls', /97-2003 \.xls/);
  });

  it('a password-protected workbook (OLE container with EncryptionInfo)', async () => {
    await expectRefused(oleFile(['EncryptionInfo', 'EncryptedPackage']), 'encrypted', /password-protected/);
  });

  it('a zip with encrypted entries', async () => {
    const file = await simpleWorkbook(['URL'], [[tiktokUrl()]]);
    await expectRefused(patchCentralDirectory(file, 'xl/worksheets/sheet1.xml', { flags: 0x1 }), 'encrypted', /encrypted/);
  });

  it('a zip bomb declaring 4 GB is refused from its directory, before anything is inflated', () => {
    const bomb = patchCentralDirectory(rawXlsx('<worksheet/>'), 'xl/worksheets/sheet1.xml', { uncompressedSize: 0xfffffffe });
    // inspectXlsx alone (what the validate step runs): refused by the declared size
    expect(() => inspectXlsx(bomb)).toThrow(/inflates to 4294967294 bytes; the limit is/);
  });

  it('a zip bomb through the workflow', async () => {
    const bomb = patchCentralDirectory(rawXlsx('<worksheet/>'), 'xl/worksheets/sheet1.xml', { uncompressedSize: 0xfffffffe });
    await expectRefused(bomb, 'zip_bomb', /refused before it is unpacked/);
  });

  it('an entry whose data inflates past what its directory declares', async () => {
    const sheet = `<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>${'<row/>'.repeat(5000)}</sheetData></worksheet>`;
    const lying = patchCentralDirectory(rawXlsx(sheet), 'xl/worksheets/sheet1.xml', { uncompressedSize: 100 });
    await expectRefused(lying, 'zip_bomb', /inflates past the 100 bytes its directory declares/);
  });

  it('1,000,000 rows in 6 MB of XML (a few KB on disk) are refused by the row cap while streaming, not parsed', async () => {
    const file = manyRowsXlsx(1_000_000, { refs: false });
    expect(file.length).toBeLessThan(100_000);
    await expectRefused(file, 'too_many_rows', new RegExp(`more than ${XLSX_CAPS.rows - 1} data rows`));
  });

  it('1,000,000 numbered rows (17 MB of XML) are refused from the directory alone', async () => {
    const file = manyRowsXlsx(1_000_000);
    expect(() => inspectXlsx(file)).toThrow(/inflates to \d+ bytes; the limit is/);
  });

  it('just over the row cap is refused; a sheet at the cap is not', () => {
    expect(() => inspectXlsx(manyRowsXlsx(XLSX_CAPS.rows + 1))).toThrow(new RegExp(`more than ${XLSX_CAPS.rows - 1} data rows`));
    expect(inspectXlsx(manyRowsXlsx(XLSX_CAPS.rows)).sheet).toEqual({ name: 'Videos', path: 'xl/worksheets/sheet1.xml', rows: XLSX_CAPS.rows });
  });

  it('a sheet over the total size cap', async () => {
    const big = patchCentralDirectory(rawXlsx('<worksheet/>'), 'xl/worksheets/sheet1.xml', { uncompressedSize: XLSX_CAPS.entryBytes });
    const bigger = patchCentralDirectory(big, 'xl/workbook.xml', { uncompressedSize: XLSX_CAPS.totalBytes - XLSX_CAPS.entryBytes + 10 });
    await expectRefused(bigger, 'zip_bomb', /inflates to more than/);
  });

  it('a DOCTYPE (XXE) in the sheet', async () => {
    await expectRefused(rawXlsx('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><worksheet/>'), 'unsupported', /DOCTYPE/);
  });

  it('an empty sheet', async () => {
    await expectRefused(await workbook(() => {}), 'empty_sheet', /is empty/);
  });

  it('no URL column', async () => {
    await expectRefused(await simpleWorkbook(['Name', 'Views'], [['a', 1]]), 'no_url_column', /no URL column/);
  });

  it('a sheet name that does not exist, and one that does', async () => {
    const file = await workbook((s, wb) => {
      s.addRow(['nothing here']);
      const second = wb.addWorksheet('Links');
      second.addRow(['URL']);
      second.addRow([tiktokUrl()]);
    });
    await expectRefused(file, 'sheet_not_found', /no sheet named "Nope"; the workbook has: "Videos", "Links"/, { sheet: 'Nope' });
    const { job } = await importFile(token, file, { sheet: 'links' });
    expect(job).toMatchObject({ status: 'completed', sheet: 'Links', progress: { added: 1 } });
  });

  it('a header below a title row is found, and rows are numbered as the spreadsheet shows them', async () => {
    const file = await workbook((s) => {
      s.addRow(['Campaign links for March']);
      s.addRow([]);
      s.addRow(['Notes', 'Link']);
      s.addRow(['ok', tiktokUrl()]);
      s.addRow(['bad', 'https://example.com/video/1']);
    });
    const { job, errors } = await importFile(token, file);
    expect(job.progress).toMatchObject({ total: 2, added: 1, invalid: 1 });
    expect(errors).toEqual([{ row: 5, column: 'Link', code: 'unsupported_url', reason: expect.stringContaining('unsupported site example.com') }]);
  });
});
