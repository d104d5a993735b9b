import { fetchWorker } from '../helpers/worker';
import { call, eventually } from '../helpers/api';

export const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** POST /imports/excel with the file as the raw body (options in the query) or as multipart. */
export async function upload(token: string, bytes: Uint8Array, opts: { query?: Record<string, string>; multipart?: boolean; fields?: Record<string, string>; orgId?: string } = {}) {
  const qs = new URLSearchParams(opts.query ?? {}).toString();
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (opts.orgId) headers['x-organization-id'] = opts.orgId;
  let body: BodyInit;
  if (opts.multipart) {
    const form = new FormData();
    form.set('file', new File([bytes], 'links.xlsx', { type: XLSX }));
    for (const [k, v] of Object.entries(opts.fields ?? {})) form.set(k, v);
    body = form;
  } else {
    headers['content-type'] = XLSX;
    body = bytes;
  }
  const res = await fetchWorker(`/imports/excel${qs ? `?${qs}` : ''}`, { method: 'POST', headers, body });
  const text = await res.text();
  let parsed: any = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* keep text */
  }
  return { status: res.status, body: parsed };
}

/** Waits until the import job is completed or failed and returns it. */
export async function waitForImport(token: string, jobId: string, timeoutMs = 60_000) {
  return eventually(
    async () => {
      const res = await call('GET', `/imports/${jobId}`, { token });
      return ['completed', 'failed'].includes(res.body?.job?.status) ? res.body.job : undefined;
    },
    { timeoutMs, intervalMs: 150 },
  );
}

/** Every error row of a job, following cursors. */
export async function allErrors(token: string, jobId: string) {
  const out: { row: number; column: string; code: string; reason: string }[] = [];
  let cursor: string | null = null;
  do {
    const res: { status: number; body: any } = await call('GET', `/imports/${jobId}/errors?limit=2${cursor ? `&cursor=${cursor}` : ''}`, { token });
    if (res.status !== 200) throw new Error(`errors: ${res.status} ${JSON.stringify(res.body)}`);
    out.push(...res.body.data);
    cursor = res.body.next_cursor;
  } while (cursor);
  return out;
}

/** Uploads, waits, and returns the finished job and its errors. */
export async function importFile(token: string, bytes: Uint8Array, query: Record<string, string> = {}) {
  const res = await upload(token, bytes, { query });
  if (res.status !== 202) throw new Error(`upload answered ${res.status}: ${JSON.stringify(res.body)}`);
  const job = await waitForImport(token, res.body.job_id);
  return { job, errors: await allErrors(token, res.body.job_id) };
}
