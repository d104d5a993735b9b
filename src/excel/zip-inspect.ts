import { Inflate } from 'fflate';

/**
 * Checks an uploaded file BEFORE any xlsx library inflates it: an xlsx is a zip, and a zip's
 * central directory declares every entry's sizes, so a zip bomb (a few KB that inflate to GBs)
 * or a 1,000,000-row sheet is refused from its directory in milliseconds. Parts we then need are
 * inflated once here as a stream into a counter (never kept), so an entry whose local data
 * inflates past what the directory declared is refused too.
 */

export const XLSX_CAPS = {
  /** upload size */
  fileBytes: 10 * 1024 * 1024,
  entries: 1_000,
  /** any single entry, inflated */
  entryBytes: 12 * 1024 * 1024,
  /** all entries, inflated: bounds what exceljs holds in memory while it parses */
  totalBytes: 16 * 1024 * 1024,
  /**
   * spreadsheet rows in the chosen sheet, header included. exceljs holds ~3.4 KB of heap per row
   * while it parses (33 MB at 10,000 rows, 68 MB at 20,000: BENCHMARKS.md), and a Worker isolate
   * has 128 MB, possibly shared with other requests.
   */
  rows: 10_001,
} as const;

export type RefusalCode =
  | 'not_xlsx' | 'legacy_xls' | 'encrypted' | 'zip_bomb' | 'too_many_rows' | 'too_large' | 'sheet_not_found' | 'unsupported'
  | 'empty_sheet' | 'no_url_column' | 'file_missing';

export class FileRefused extends Error {
  constructor(
    readonly code: RefusalCode,
    message: string,
  ) {
    super(message);
    this.name = 'FileRefused';
  }
}

export interface ZipEntry {
  name: string;
  method: number;
  flags: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
}

export interface InspectedWorkbook {
  sheets: { name: string; path: string }[];
  sheet: { name: string; path: string; rows: number };
}

const u16 = (b: Uint8Array, o: number) => b[o]! | (b[o + 1]! << 8);
const u32 = (b: Uint8Array, o: number) => (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;

const OLE_MAGIC = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];

/** What the file is when it is not a zip: a clear reason for the user. */
function notZipReason(bytes: Uint8Array): FileRefused {
  if (OLE_MAGIC.every((v, i) => bytes[i] === v)) {
    // Office wraps password-protected xlsx files in an OLE container with an EncryptionInfo stream.
    const marker = new Uint8Array([...'EncryptionInfo'].flatMap((ch) => [ch.charCodeAt(0), 0]));
    if (indexOf(bytes, marker) >= 0) return new FileRefused('encrypted', 'the workbook is password-protected: save it without a password and upload it again');
    return new FileRefused('legacy_xls', 'this is an old Excel 97-2003 .xls file: open it in Excel and save it as .xlsx');
  }
  return new FileRefused('not_xlsx', 'the file is not an .xlsx workbook (an xlsx is a zip archive; this file is not)');
}

function indexOf(hay: Uint8Array, needle: Uint8Array, from = 0): number {
  outer: for (let i = from; i <= hay.length - needle.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/** Reads the central directory (no inflation) and applies the caps to what it declares. */
export function readCentralDirectory(bytes: Uint8Array): ZipEntry[] {
  if (bytes.length > XLSX_CAPS.fileBytes) throw new FileRefused('too_large', `the file is ${bytes.length} bytes; the limit is ${XLSX_CAPS.fileBytes} (10 MB)`);
  if (bytes.length < 22 || u32(bytes, 0) !== 0x04034b50) throw notZipReason(bytes);
  // End of central directory: the last 0x06054b50 record within the final 64 KiB + 22 bytes.
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 65_557); i--) {
    if (u32(bytes, i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new FileRefused('not_xlsx', 'the file is not a complete .xlsx workbook (its zip directory is missing: was the upload cut short?)');
  const count = u16(bytes, eocd + 10);
  const cdSize = u32(bytes, eocd + 12);
  const cdOffset = u32(bytes, eocd + 16);
  if (count === 0xffff || cdOffset === 0xffffffff) throw new FileRefused('zip_bomb', 'the file declares a ZIP64 archive (more than 65,535 entries or 4 GB), far beyond an import workbook');
  if (count > XLSX_CAPS.entries) throw new FileRefused('zip_bomb', `the file has ${count} zip entries; the limit is ${XLSX_CAPS.entries}`);
  if (cdOffset + cdSize > eocd) throw new FileRefused('not_xlsx', 'the file is not a valid .xlsx workbook (its zip directory is damaged)');

  const entries: ZipEntry[] = [];
  let total = 0;
  const decoder = new TextDecoder();
  for (let p = cdOffset, i = 0; i < count; i++) {
    if (p + 46 > eocd || u32(bytes, p) !== 0x02014b50) throw new FileRefused('not_xlsx', 'the file is not a valid .xlsx workbook (its zip directory is damaged)');
    const flags = u16(bytes, p + 8);
    const method = u16(bytes, p + 10);
    const compressedSize = u32(bytes, p + 20);
    const uncompressedSize = u32(bytes, p + 24);
    const nameLength = u16(bytes, p + 28);
    const extraLength = u16(bytes, p + 30);
    const commentLength = u16(bytes, p + 32);
    const localHeaderOffset = u32(bytes, p + 42);
    const name = decoder.decode(bytes.subarray(p + 46, p + 46 + nameLength));
    p += 46 + nameLength + extraLength + commentLength;
    if (flags & 0x1) throw new FileRefused('encrypted', 'the workbook is encrypted: save it without a password and upload it again');
    if (method !== 0 && method !== 8) throw new FileRefused('unsupported', `zip entry ${name} uses compression method ${method}; Excel writes only stored or deflated entries`);
    if (uncompressedSize === 0xffffffff || compressedSize === 0xffffffff) throw new FileRefused('zip_bomb', `zip entry ${name} declares a ZIP64 size (over 4 GB)`);
    if (uncompressedSize > XLSX_CAPS.entryBytes) {
      throw new FileRefused('zip_bomb', `zip entry ${name} inflates to ${uncompressedSize} bytes; the limit is ${XLSX_CAPS.entryBytes} (a workbook this large is refused before it is unpacked)`);
    }
    total += uncompressedSize;
    if (total > XLSX_CAPS.totalBytes) {
      throw new FileRefused('zip_bomb', `the workbook inflates to more than ${XLSX_CAPS.totalBytes} bytes; it is refused before it is unpacked`);
    }
    entries.push({ name, method, flags, compressedSize, uncompressedSize, localHeaderOffset });
  }
  return entries;
}

/**
 * Inflates one entry as a stream, calling `onChunk` with each piece and dropping it after; stops
 * with zip_bomb as soon as the output passes the declared size.
 */
function streamEntry(bytes: Uint8Array, e: ZipEntry, onChunk: (chunk: Uint8Array) => void): void {
  const p = e.localHeaderOffset;
  if (p + 30 > bytes.length || u32(bytes, p) !== 0x04034b50) throw new FileRefused('not_xlsx', `zip entry ${e.name} is damaged`);
  const start = p + 30 + u16(bytes, p + 26) + u16(bytes, p + 28);
  const data = bytes.subarray(start, start + e.compressedSize);
  if (data.length !== e.compressedSize) throw new FileRefused('not_xlsx', `zip entry ${e.name} is cut short`);
  let produced = 0;
  const take = (chunk: Uint8Array) => {
    produced += chunk.length;
    if (produced > e.uncompressedSize) throw new FileRefused('zip_bomb', `zip entry ${e.name} inflates past the ${e.uncompressedSize} bytes its directory declares`);
    onChunk(chunk);
  };
  if (e.method === 0) take(data);
  else {
    const inflate = new Inflate((chunk) => take(chunk));
    const SLICE = 64 * 1024;
    try {
      for (let i = 0; i < data.length; i += SLICE) inflate.push(data.subarray(i, i + SLICE), i + SLICE >= data.length);
    } catch (err) {
      if (err instanceof FileRefused) throw err;
      throw new FileRefused('not_xlsx', `zip entry ${e.name} is damaged (${err instanceof Error ? err.message : String(err)})`);
    }
  }
}

/** A small part (workbook.xml, rels) as text; small parts are capped at 1 MiB. */
function readSmallPart(bytes: Uint8Array, entries: ZipEntry[], name: string): string | null {
  const e = entries.find((x) => x.name === name);
  if (!e) return null;
  if (e.uncompressedSize > 1024 * 1024) throw new FileRefused('zip_bomb', `${name} declares ${e.uncompressedSize} bytes; a workbook part this size is not a spreadsheet's`);
  const parts: Uint8Array[] = [];
  streamEntry(bytes, e, (c) => parts.push(c.slice()));
  return new TextDecoder().decode(concat(parts));
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

const attr = (tag: string, name: string) => new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1];
const unescapeXml = (s: string) => s.replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** The workbook's worksheets in tab order, with their part paths. */
function listSheets(bytes: Uint8Array, entries: ZipEntry[]): { name: string; path: string }[] {
  const workbook = readSmallPart(bytes, entries, 'xl/workbook.xml');
  const rels = readSmallPart(bytes, entries, 'xl/_rels/workbook.xml.rels');
  if (workbook === null || rels === null) {
    throw new FileRefused('not_xlsx', 'the zip archive is not an Excel workbook (no xl/workbook.xml): is it a .docx, .ods or another zip?');
  }
  if (/<!DOCTYPE/i.test(workbook) || /<!DOCTYPE/i.test(rels)) throw new FileRefused('unsupported', 'the workbook contains a DOCTYPE declaration, which Excel never writes');
  const targets = new Map<string, string>();
  for (const m of rels.matchAll(/<Relationship\b[^>]*>/g)) {
    const id = attr(m[0], 'Id');
    const target = attr(m[0], 'Target');
    if (id && target) targets.set(id, target.startsWith('/') ? target.slice(1) : `xl/${target.replace(/^\.\//, '')}`);
  }
  const sheets: { name: string; path: string }[] = [];
  for (const m of workbook.matchAll(/<sheet\b[^>]*>/g)) {
    const name = attr(m[0], 'name');
    const rid = attr(m[0], 'r:id');
    const path = rid ? targets.get(rid) : undefined;
    if (name !== undefined && path && path.includes('worksheets/')) sheets.push({ name: unescapeXml(name), path });
  }
  return sheets;
}

/**
 * Counts the rows of a sheet part while streaming it through a counter (the inflated bytes are
 * dropped as they come), refusing as soon as it passes the row cap; also refuses DOCTYPEs (XXE).
 * Rows are counted from `<row` tags, so a sheet that declares 1,000,000 rows in a few KB of zip
 * is refused after reading 20,001 of them, without building any of it in memory.
 */
function countRows(bytes: Uint8Array, e: ZipEntry): number {
  const decoder = new TextDecoder();
  let rows = 0;
  let carry = '';
  streamEntry(bytes, e, (chunk) => {
    const text = carry + decoder.decode(chunk, { stream: true });
    if (text.includes('<!DOCTYPE')) throw new FileRefused('unsupported', 'the sheet contains a DOCTYPE declaration, which Excel never writes');
    const matches = text.match(/<row[\s>/]/g);
    rows += matches ? matches.length : 0;
    if (rows > XLSX_CAPS.rows) throw new FileRefused('too_many_rows', `the sheet has more than ${XLSX_CAPS.rows - 1} data rows; split the file (the limit is ${XLSX_CAPS.rows - 1} per import)`);
    // a `<row` split across two chunks is counted once: a match needs 5 characters, the carried
    // tail is 4, so it holds at most an uncounted `<row` whose whitespace comes next
    carry = text.slice(-4);
  });
  return rows;
}

/** Everything checked before parsing: the zip, the workbook's sheets, the chosen sheet's rows. */
export function inspectXlsx(bytes: Uint8Array, sheetName?: string | null): InspectedWorkbook {
  const entries = readCentralDirectory(bytes);
  if (!entries.some((e) => e.name === '[Content_Types].xml')) {
    throw new FileRefused('not_xlsx', 'the zip archive is not an Office document (no [Content_Types].xml)');
  }
  const sheets = listSheets(bytes, entries);
  if (sheets.length === 0) throw new FileRefused('not_xlsx', 'the workbook has no worksheets');
  const chosen = sheetName ? sheets.find((s) => s.name.trim().toLowerCase() === sheetName.trim().toLowerCase()) : sheets[0];
  if (!chosen) throw new FileRefused('sheet_not_found', `no sheet named "${sheetName}"; the workbook has: ${sheets.map((s) => `"${s.name}"`).join(', ')}`);
  const part = entries.find((e) => e.name === chosen.path);
  if (!part) throw new FileRefused('not_xlsx', `the workbook names sheet "${chosen.name}" but its part ${chosen.path} is missing`);
  // every other XML part exceljs will read is streamed through the size check too
  for (const e of entries) if (e !== part && /\.(xml|rels)$/.test(e.name)) streamEntry(bytes, e, () => {});
  return { sheets, sheet: { ...chosen, rows: countRows(bytes, part) } };
}
