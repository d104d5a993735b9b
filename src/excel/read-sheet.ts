import ExcelJS from 'exceljs';
import { cellText } from './cells';
import { columnForHeader, type ImportColumn } from './columns';
import { FileRefused } from './zip-inspect';

export interface ParsedProblem {
  column: string;
  code: string;
  reason: string;
}

/** One non-empty data row, as staged in import_job_rows. */
export interface StagedRow {
  row_number: number;
  seq: number;
  url: string | null;
  campaign: string | null;
  tags: string | null;
  budget: string | null;
  notes: string | null;
  parse_problems: ParsedProblem[];
}

export interface ParsedSheet {
  headerRow: number;
  /** header text of each matched column */
  headers: Partial<Record<ImportColumn, string>>;
  /** header cells that match no column: ignored, reported once on the job */
  unknownColumns: string[];
  rows: StagedRow[];
}

/** The header is the first of the sheet's first 10 rows with a URL column ("Link", "Video URL", …). */
const HEADER_SEARCH_ROWS = 10;
const MAX_TEXT: Record<Exclude<ImportColumn, 'platform'>, number> = { url: 2048, campaign: 200, tags: 1300, budget: 64, notes: 2000 };

/**
 * Parses the chosen worksheet (already inspected: its zip sizes and row count are within caps).
 * Blank rows (every recognised column empty) are skipped anywhere, so trailing empty rows that
 * Excel keeps formatted are never counted.
 */
export async function parseSheet(bytes: Uint8Array, sheetName: string): Promise<ParsedSheet> {
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
  } catch (err) {
    throw new FileRefused('not_xlsx', `the workbook could not be read: ${err instanceof Error ? err.message : String(err)}`);
  }
  const sheet = workbook.worksheets.find((w) => w.name === sheetName) ?? workbook.getWorksheet(sheetName);
  if (!sheet) throw new FileRefused('sheet_not_found', `no sheet named "${sheetName}"`);

  let headerRow = 0;
  const columns = new Map<number, ImportColumn>();
  const headers: Partial<Record<ImportColumn, string>> = {};
  const unknownColumns: string[] = [];
  for (let r = 1; r <= Math.min(HEADER_SEARCH_ROWS, sheet.rowCount) && headerRow === 0; r++) {
    const row = sheet.getRow(r);
    const found = new Map<number, [ImportColumn, string]>();
    row.eachCell({ includeEmpty: false }, (cell, col) => {
      const text = cellText(cell.value, 'text').text?.trim();
      if (!text) return;
      const column = columnForHeader(text);
      if (column) found.set(col, [column, text]);
      else unknownColumns.push(text);
    });
    if ([...found.values()].some(([c]) => c === 'url')) {
      headerRow = r;
      for (const [col, [column, text]] of found) {
        if (headers[column] !== undefined) continue; // a repeated header: the leftmost wins
        columns.set(col, column);
        headers[column] = text;
      }
    } else unknownColumns.length = 0;
  }
  if (headerRow === 0) {
    if (sheet.actualRowCount === 0) throw new FileRefused('empty_sheet', `sheet "${sheet.name}" is empty`);
    throw new FileRefused(
      'no_url_column',
      `no URL column: the first ${HEADER_SEARCH_ROWS} rows of "${sheet.name}" have no header named like "URL", "Link" or "Video URL"`,
    );
  }

  const rows: StagedRow[] = [];
  for (let r = headerRow + 1; r <= sheet.rowCount; r++) {
    const row = sheet.getRow(r);
    const values: Partial<Record<ImportColumn, string | null>> = {};
    const problems: ParsedProblem[] = [];
    let empty = true;
    for (const [col, column] of columns) {
      if (column === 'platform') continue;
      const cell = row.getCell(col);
      const { text, problem } = cellText(cell.value, column === 'url' ? 'url' : 'text');
      const trimmed = text?.trim() || null;
      if (trimmed !== null || problem) empty = false;
      if (problem) problems.push({ column: headers[column]!, ...problem });
      else if (trimmed !== null && trimmed.includes('\u0000')) problems.push({ column: headers[column]!, code: 'nul_character', reason: 'the cell contains a NUL character' });
      else if (trimmed !== null && trimmed.length > MAX_TEXT[column]) problems.push({ column: headers[column]!, code: 'too_long', reason: `the cell has ${trimmed.length} characters; the limit is ${MAX_TEXT[column]}` });
      else values[column] = trimmed;
    }
    if (empty) continue;
    rows.push({
      row_number: r,
      seq: rows.length + 1,
      url: values.url ?? null,
      campaign: values.campaign ?? null,
      tags: values.tags ?? null,
      budget: values.budget ?? null,
      notes: values.notes ?? null,
      parse_problems: problems,
    });
  }
  return { headerRow, headers, unknownColumns, rows };
}
