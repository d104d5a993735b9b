import { ZipWriter } from './zip-writer';

const encoder = new TextEncoder();
const utf8 = (s: string) => encoder.encode(s);

/**
 * A streaming xlsx writer: sheets are written row batch by row batch into a zip whose output is
 * pulled by the response body, so an export of 100,000 videos holds one batch of rows and the
 * deflate window in memory, never the workbook (exceljs' writeBuffer builds it all). Deflate is
 * the runtime's native CompressionStream('deflate-raw') (zlib in workerd and Node): a pure-JS
 * deflate took 30 s for 100,000 rows; the zip container around it is written here (zip-writer.ts).
 *
 * Cells: numbers as numbers, Dates as Excel dates, text as inline strings (never shared, never a
 * formula). Text that starts with = + - @ tab or CR is prefixed with ' (OWASP ASVS 1.2.10), so no
 * spreadsheet program evaluates it even after the cell is edited or the sheet saved as CSV.
 */

/** A value, or a value with its own style (a summary sheet mixes counts, money and rates in one column). */
export type Cell = string | number | Date | null | undefined | { value: string | number | Date | null; style: CellStyle };
export type CellStyle = 'text' | 'integer' | 'decimal' | 'metric' | 'percent' | 'date' | 'datetime';

export interface Column {
  header: string;
  width: number;
  style: CellStyle;
}

export interface SheetSource {
  name: string;
  columns: Column[];
  /** batches of rows; pulled one at a time as the response is read */
  rows: AsyncIterable<Cell[][]>;
}

// cellXfs indexes in STYLES_XML
const STYLE_INDEX: Record<CellStyle | 'header', number> = { text: 0, header: 1, integer: 2, decimal: 3, percent: 4, date: 5, datetime: 6, metric: 7 };

const STYLES_XML = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<numFmts count="3"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/><numFmt numFmtId="165" formatCode="yyyy-mm-dd hh:mm"/><numFmt numFmtId="166" formatCode="#,##0.0000"/></numFmts>
<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><color rgb="FFFFFFFF"/><name val="Calibri"/></font></fonts>
<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill><fill><patternFill patternType="solid"><fgColor rgb="FF4F46E5"/><bgColor indexed="64"/></patternFill></fill></fills>
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="8">
<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>
<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1"/>
<xf numFmtId="3" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="4" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="10" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="166" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
</cellXfs>
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>
</styleSheet>`;

const NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"';

export function columnLetter(index: number): string {
  let n = index + 1;
  let s = '';
  while (n > 0) {
    const m = (n - 1) % 26;
    s = String.fromCharCode(65 + m) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}

// XML 1.0 cannot carry most control characters; they are dropped (tab, LF and CR are kept).
// eslint-disable-next-line no-control-regex
const INVALID_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;
const escapeXml = (s: string) => s.replace(INVALID_XML, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/\r/g, '&#13;'); // a raw CR would read back as LF

/** Text that a spreadsheet would read as a formula (or a DDE payload) gets a leading apostrophe. */
export const FORMULA_TRIGGERS = /^[=+\-@\t\r]/;
export const neutralizeFormula = (s: string) => (FORMULA_TRIGGERS.test(s) ? `'${s}` : s);

/** Excel's serial date (days since 1899-12-30, UTC). */
const excelDate = (d: Date) => d.getTime() / 86_400_000 + 25_569;

function cellXml(ref: string, cell: Cell, columnStyle: CellStyle): string {
  if (cell === null || cell === undefined) return '';
  const { value, style } = typeof cell === 'object' && !(cell instanceof Date) ? cell : { value: cell, style: columnStyle };
  if (value === null) return '';
  const s = STYLE_INDEX[style];
  if (typeof value === 'number') return Number.isFinite(value) ? `<c r="${ref}" s="${s}"><v>${value}</v></c>` : '';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : `<c r="${ref}" s="${s}"><v>${excelDate(value)}</v></c>`;
  const text = escapeXml(neutralizeFormula(value));
  return `<c r="${ref}" t="inlineStr"${s ? ` s="${s}"` : ''}><is><t xml:space="preserve">${text}</t></is></c>`;
}

interface WrittenSheet {
  name: string;
  rows: number;
  columns: number;
}

async function* produce(zip: ZipWriter, sheets: SheetSource[], order: string[]): AsyncGenerator<Uint8Array> {
  const written: WrittenSheet[] = [];
  for (const [i, sheet] of sheets.entries()) {
    const file = zip.deflated(`xl/worksheets/sheet${i + 1}.xml`);
    const letters = sheet.columns.map((_, c) => columnLetter(c));
    const cols = sheet.columns.map((c, k) => `<col min="${k + 1}" max="${k + 1}" width="${c.width}" customWidth="1"/>`).join('');
    const header = sheet.columns.map((c, k) => `<c r="${letters[k]}1" s="${STYLE_INDEX.header}" t="inlineStr"><is><t xml:space="preserve">${escapeXml(c.header)}</t></is></c>`).join('');
    yield* file.push(
      utf8(
        `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet ${NS}>` +
          `<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>` +
          `<sheetFormatPr defaultRowHeight="15"/><cols>${cols}</cols><sheetData><row r="1">${header}</row>`,
      ),
    );
    let r = 1;
    for await (const batch of sheet.rows) {
      let xml = '';
      for (const row of batch) {
        r++;
        xml += `<row r="${r}">`;
        for (let k = 0; k < sheet.columns.length; k++) xml += cellXml(`${letters[k]}${r}`, row[k], sheet.columns[k]!.style);
        xml += '</row>';
      }
      yield* file.push(utf8(xml));
    }
    const last = `${letters[letters.length - 1]}${Math.max(r, 1)}`;
    yield* file.push(utf8(`</sheetData><autoFilter ref="A1:${last}"/></worksheet>`));
    yield* file.end();
    written.push({ name: sheet.name, rows: r, columns: sheet.columns.length });
  }
  // tab order may differ from write order (a summary computed while the rows streamed can come first)
  const tabs = order.map((name) => written.findIndex((w) => w.name === name)).filter((k) => k >= 0);
  for (let k = 0; k < written.length; k++) if (!tabs.includes(k)) tabs.push(k);
  const sheetName = (n: string) => escapeXml(n.replace(/[\\/?*[\]:]/g, ' ').slice(0, 31));
  const parts: Record<string, string> = {
    '[Content_Types].xml':
      `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
      `<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>` +
      `<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
      `<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>` +
      written.map((_, k) => `<Override PartName="/xl/worksheets/sheet${k + 1}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`).join('') +
      `</Types>`,
    '_rels/.rels':
      `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
      `<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
    'xl/workbook.xml':
      `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook ${NS}><bookViews><workbookView activeTab="0"/></bookViews><sheets>` +
      tabs.map((k) => `<sheet name="${sheetName(written[k]!.name)}" sheetId="${k + 1}" r:id="rId${k + 1}"/>`).join('') +
      `</sheets><definedNames>` +
      tabs.map((k, pos) => `<definedName name="_xlnm._FilterDatabase" localSheetId="${pos}" hidden="1">'${sheetName(written[k]!.name).replace(/'/g, "''")}'!$A$1:$${columnLetter(written[k]!.columns - 1)}$${written[k]!.rows}</definedName>`).join('') +
      `</definedNames></workbook>`,
    'xl/_rels/workbook.xml.rels':
      `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
      written.map((_, k) => `<Relationship Id="rId${k + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet${k + 1}.xml"/>`).join('') +
      `<Relationship Id="rId${written.length + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>`,
    'xl/styles.xml': STYLES_XML,
  };
  for (const [name, xml] of Object.entries(parts)) {
    const f = zip.deflated(name);
    yield* f.push(utf8(xml));
    yield* f.end();
  }
  yield zip.finish();
}

/**
 * The workbook as a byte stream. `tabOrder` lists sheet names in the order the tabs should show
 * (sheets not named follow in write order).
 */
const OUTPUT_PIECE_BYTES = 256 * 1024;

function concat(parts: Uint8Array[], size: number): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(size);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function streamXlsx(sheets: SheetSource[], tabOrder: string[] = []): ReadableStream<Uint8Array> {
  const chunks = produce(new ZipWriter(), sheets, tabOrder);
  return new ReadableStream<Uint8Array>(
    {
      // Hands out pieces of ≥ 256 KB: the deflater emits many small ones, and each piece costs a
      // round of the runtime's (and any proxy's) stream machinery; 256 KB is all a pull holds.
      async pull(controller) {
        const parts: Uint8Array[] = [];
        let size = 0;
        let done = false;
        while (size < OUTPUT_PIECE_BYTES) {
          const next = await chunks.next();
          if (next.done) {
            done = true;
            break;
          }
          parts.push(next.value);
          size += next.value.length;
        }
        if (size > 0) controller.enqueue(concat(parts, size));
        if (done) controller.close();
      },
      async cancel() {
        await chunks.return(undefined);
      },
    },
    { highWaterMark: 0 },
  );
}
