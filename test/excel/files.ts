import ExcelJS from 'exceljs';
import { Zip, ZipDeflate, zipSync, strToU8 } from 'fflate';

/** Workbooks and hostile files for the import tests, built here (small on disk). */

export async function workbook(build: (sheet: ExcelJS.Worksheet, wb: ExcelJS.Workbook) => void, sheetName = 'Videos'): Promise<Uint8Array> {
  const wb = new ExcelJS.Workbook();
  const sheet = wb.addWorksheet(sheetName);
  build(sheet, wb);
  return new Uint8Array((await wb.xlsx.writeBuffer()) as ArrayBuffer);
}

/** Rows of plain values under a header row. */
export const simpleWorkbook = (header: string[], rows: unknown[][]) =>
  workbook((s) => {
    s.addRow(header);
    for (const r of rows) s.addRow(r);
  });

let counter = 7_300_000_000_000_000_000n;
/** A TikTok link of a video id never used before (unique per test run). */
export const tiktokUrl = () => `https://www.tiktok.com/@creator/video/${(counter += BigInt(1 + Math.floor(Math.random() * 1_000_000)))}`;

const CONTENT_TYPES = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`;
const ROOT_RELS = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`;
const WORKBOOK = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Videos" sheetId="1" r:id="rId1"/></sheets></workbook>`;
const WORKBOOK_RELS = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`;
const SHEET_HEAD = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`;
const SHEET_TAIL = `</sheetData></worksheet>`;

const skeleton = () => ({
  '[Content_Types].xml': strToU8(CONTENT_TYPES),
  '_rels/.rels': strToU8(ROOT_RELS),
  'xl/workbook.xml': strToU8(WORKBOOK),
  'xl/_rels/workbook.xml.rels': strToU8(WORKBOOK_RELS),
});

/** A minimal xlsx whose sheet XML is given. */
export const rawXlsx = (sheetXml: string) => zipSync({ ...skeleton(), 'xl/worksheets/sheet1.xml': strToU8(sheetXml) });

/**
 * A sheet of `rows` empty `<row/>` elements, deflated as it is generated: 1,000,000 rows are
 * 6 MB of XML and ~10 KB on disk (17 MB and 2 MB with `r="…"` references).
 */
export function manyRowsXlsx(rows: number, opts: { refs: boolean } = { refs: true }): Uint8Array {
  const out: Uint8Array[] = [];
  const zip = new Zip((err, chunk) => {
    if (err) throw err;
    out.push(chunk);
  });
  for (const [name, data] of Object.entries(skeleton())) {
    const f = new ZipDeflate(name, { level: 6 });
    zip.add(f);
    f.push(data, true);
  }
  const sheet = new ZipDeflate('xl/worksheets/sheet1.xml', { level: 6 });
  zip.add(sheet);
  sheet.push(strToU8(SHEET_HEAD));
  const CHUNK = 20_000;
  for (let start = 1; start <= rows; start += CHUNK) {
    let s = '';
    for (let r = start; r < Math.min(start + CHUNK, rows + 1); r++) s += opts.refs ? `<row r="${r}"/>` : '<row/>';
    sheet.push(strToU8(s));
  }
  sheet.push(strToU8(SHEET_TAIL), true);
  zip.end();
  const total = out.reduce((n, c) => n + c.length, 0);
  const bytes = new Uint8Array(total);
  let o = 0;
  for (const c of out) {
    bytes.set(c, o);
    o += c.length;
  }
  return bytes;
}

const u32At = (b: Uint8Array, o: number) => (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
function setU32(b: Uint8Array, o: number, v: number) {
  b[o] = v & 0xff;
  b[o + 1] = (v >>> 8) & 0xff;
  b[o + 2] = (v >>> 16) & 0xff;
  b[o + 3] = (v >>> 24) & 0xff;
}

/** Rewrites the central directory record of `entry`: its declared uncompressed size, its flags. */
export function patchCentralDirectory(zip: Uint8Array, entry: string, patch: { uncompressedSize?: number; flags?: number }): Uint8Array {
  const b = zip.slice();
  for (let i = b.length - 22; i >= 0; i--) {
    if (u32At(b, i) !== 0x06054b50) continue;
    let p = u32At(b, i + 16);
    const count = b[i + 10]! | (b[i + 11]! << 8);
    for (let n = 0; n < count; n++) {
      const nameLength = b[p + 28]! | (b[p + 29]! << 8);
      const name = new TextDecoder().decode(b.subarray(p + 46, p + 46 + nameLength));
      if (name === entry) {
        if (patch.uncompressedSize !== undefined) setU32(b, p + 24, patch.uncompressedSize);
        if (patch.flags !== undefined) {
          b[p + 8] = patch.flags & 0xff;
          b[p + 9] = (patch.flags >> 8) & 0xff;
        }
        return b;
      }
      p += 46 + nameLength + (b[p + 30]! | (b[p + 31]! << 8)) + (b[p + 32]! | (b[p + 33]! << 8));
    }
  }
  throw new Error(`entry ${entry} not found`);
}

/** The start of an OLE compound file (.xls, or an encrypted xlsx when it holds EncryptionInfo). */
export function oleFile(streams: string[]): Uint8Array {
  const b = new Uint8Array(4096);
  b.set([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
  let o = 1024;
  for (const s of streams) {
    for (const ch of s) {
      b[o] = ch.charCodeAt(0);
      o += 2;
    }
    o += 8;
  }
  return b;
}
