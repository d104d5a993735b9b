import { z } from 'zod';

/**
 * A small typed client for the three Sheets API v4 methods we use, over fetch, with every response
 * checked by zod. Why not `@googleapis/sheets`: see README "Google Sheets" (it runs in local
 * workerd, but it adds ~137 KB gzip, production Workers report `insecureHTTPParser` failures in its
 * transport, and its responses are unchecked types). One call per method, no retries here: the
 * workflow step that calls it owns retries (GoogleApiError says which failures are retryable).
 */
export class GoogleApiError extends Error {
  override name = 'GoogleApiError';
  constructor(
    readonly status: number,
    readonly googleStatus: string,
    message: string,
  ) {
    super(`Google ${status} ${googleStatus}: ${message}`);
  }
  /** 429 and 5xx pass; 401 is retried after the token step refreshes; 400/403/404 will not pass by waiting. */
  get retryable(): boolean {
    return this.status === 429 || this.status >= 500 || this.status === 401;
  }
  /** the sheet was deleted or our access removed: the source is broken until the user fixes it */
  get sourceBroken(): boolean {
    return this.status === 403 || this.status === 404;
  }
}

const GoogleErrorBody = z.object({ error: z.object({ code: z.number().optional(), message: z.string().optional(), status: z.string().optional() }) });

export const SheetProperties = z.object({
  sheetId: z.number().int(),
  title: z.string(),
  index: z.number().int().optional(),
  gridProperties: z.object({ rowCount: z.number().int().optional(), columnCount: z.number().int().optional() }).optional(),
});
export const SpreadsheetMeta = z.object({
  spreadsheetId: z.string().optional(),
  properties: z.object({ title: z.string() }).optional(),
  sheets: z.array(z.object({ properties: SheetProperties })).default([]),
});
export type SpreadsheetMeta = z.infer<typeof SpreadsheetMeta>;

const CellValue = z.union([z.string(), z.number(), z.boolean()]);
export const ValueRange = z.object({ range: z.string(), majorDimension: z.string().optional(), values: z.array(z.array(CellValue)).optional() });
const BatchGetResponse = z.object({ spreadsheetId: z.string(), valueRanges: z.array(ValueRange).default([]) });
const BatchUpdateResponse = z.object({
  spreadsheetId: z.string(),
  totalUpdatedCells: z.number().int().default(0),
  totalUpdatedRows: z.number().int().default(0),
});

/** A value to write: `null` leaves the cell as it is (the API skips nulls). */
export type WriteValue = string | number | boolean | null;
export interface WriteRange {
  range: string;
  values: WriteValue[][];
}

export const SPREADSHEET_FIELDS = 'spreadsheetId,properties.title,sheets(properties(sheetId,title,index,gridProperties(rowCount,columnCount)))';

export class SheetsApi {
  /** calls made through this client (the resync reports them) */
  calls = 0;
  constructor(
    private readonly baseUrl: string,
    private readonly accessToken: string,
  ) {}

  private async request<T extends z.ZodType>(schema: T, path: string, init: RequestInit = {}): Promise<z.infer<T>> {
    this.calls++;
    const res = await fetch(`${this.baseUrl.replace(/\/$/, '')}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${this.accessToken}`, accept: 'application/json', ...(init.body ? { 'content-type': 'application/json' } : {}) },
    });
    const text = await res.text();
    let body: unknown = undefined;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON: reported below */
    }
    if (!res.ok) {
      const err = GoogleErrorBody.safeParse(body);
      throw new GoogleApiError(res.status, err.success ? (err.data.error.status ?? 'UNKNOWN') : 'UNKNOWN', err.success ? (err.data.error.message ?? res.statusText) : `${res.statusText} (${text.slice(0, 200)})`);
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) throw new GoogleApiError(502, 'UNEXPECTED_RESPONSE', `unexpected response shape from ${path.split('?')[0]}: ${parsed.error.issues[0]?.message ?? ''}`);
    return parsed.data;
  }

  /** spreadsheets.get with a field mask: titles and worksheets, no cell data. */
  getSpreadsheet(spreadsheetId: string, fields = SPREADSHEET_FIELDS) {
    return this.request(SpreadsheetMeta, `/v4/spreadsheets/${encodeURIComponent(spreadsheetId)}?fields=${encodeURIComponent(fields)}`);
  }

  /** values.batchGet: many ranges in one request (one quota unit). */
  async batchGet(spreadsheetId: string, ranges: string[], valueRenderOption: 'FORMATTED_VALUE' | 'UNFORMATTED_VALUE' = 'FORMATTED_VALUE') {
    const q = new URLSearchParams();
    for (const r of ranges) q.append('ranges', r);
    q.set('majorDimension', 'ROWS');
    q.set('valueRenderOption', valueRenderOption);
    return (await this.request(BatchGetResponse, `/v4/spreadsheets/${encodeURIComponent(spreadsheetId)}/values:batchGet?${q}`)).valueRanges;
  }

  /**
   * values.batchUpdate with valueInputOption RAW: strings stay text, so a title like "=IMPORTXML(…)"
   * from a creator can never become a formula in the customer's sheet.
   */
  batchUpdate(spreadsheetId: string, data: WriteRange[]) {
    return this.request(BatchUpdateResponse, `/v4/spreadsheets/${encodeURIComponent(spreadsheetId)}/values:batchUpdate`, {
      method: 'POST',
      body: JSON.stringify({ valueInputOption: 'RAW', data }),
    });
  }
}

// ---------- A1 notation ----------
export function columnLetter(index: number): string {
  let n = index + 1;
  let s = '';
  while (n > 0) {
    const r = (n - 1) % 26;
    s = String.fromCharCode(65 + r) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}
export const columnIndex = (letters: string) => [...letters.toUpperCase()].reduce((n, ch) => n * 26 + (ch.charCodeAt(0) - 64), 0) - 1;
/** Sheet titles are always quoted ('' escapes a quote), which A1 accepts for any title. */
export const quoteSheet = (title: string) => `'${title.replace(/'/g, "''")}'`;
