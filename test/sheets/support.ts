import { env } from 'cloudflare:test';
import { inject } from 'vitest';
import { controlClient } from '../helpers/fake-control';
import { call, eventually, tokenFor } from '../helpers/api';
import type { Fixture } from '../helpers/db';

/** The control API of test/fakes/google.mjs. */
const control = controlClient('Google', 'googleApiUrl');

export type Cell = string | number | boolean | { formula: string };
export interface FakeCall { method: string; api: 'oauth' | 'sheets'; path: string; query: Record<string, string>; status?: number; fault?: number }

export const fakeGoogle = {
  url: () => inject('googleApiUrl'),
  reset: () => control('POST', 'reset'),
  account: (email: string, deny = false) => control('POST', 'account', { email, deny }),
  putSpreadsheet: (s: { spreadsheetId: string; title?: string; sheets: { title: string; sheetId?: number; rows: Cell[][] }[] }) => control('POST', 'spreadsheets', s),
  spreadsheet: (id: string) => control('GET', `spreadsheets/${encodeURIComponent(id)}`) as Promise<{ sheets: { title: string; sheetId: number; rows: Cell[][] }[] }>,
  cells: (spreadsheetId: string, range: string, values: Cell[][]) => control('POST', 'cells', { spreadsheetId, range, values }),
  fault: (f: { api?: 'sheets' | 'oauth' | '*'; path?: string; status: number; times?: number }) => control('POST', 'faults', f),
  tokens: (t: { expire_access?: boolean; revoke_refresh_for?: string }) => control('POST', 'tokens', t),
  calls: () => control('GET', 'calls') as Promise<FakeCall[]>,
  writes: () => control('GET', 'writes') as Promise<{ spreadsheetId: string; valueInputOption: string; bytes: number; data: { range: string; values: unknown[][] }[] }[]>,
};

/** A spreadsheet id the fake accepts and no other test uses. */
export const newSpreadsheetId = () => `sheet_${crypto.randomUUID().replace(/-/g, '')}`;

/**
 * The whole consent round trip as a browser makes it: our /authorize → the fake's consent screen
 * (which redirects at once) → our /callback with code and state.
 */
export async function connectGoogle(f: Fixture, opts: { email?: string; scopes?: string } = {}) {
  const token = await tokenFor(f.userId);
  await fakeGoogle.account(opts.email ?? `${f.userId.slice(0, 8)}@gmail.com`);
  const auth = await call('GET', `/integrations/google/authorize${opts.scopes ? `?scopes=${opts.scopes}` : ''}`, { token, orgId: f.orgId });
  if (auth.status !== 200) throw new Error(`authorize answered ${auth.status}: ${JSON.stringify(auth.body)}`);
  const consent = await fetch(auth.body.url, { redirect: 'manual' });
  const location = new URL(consent.headers.get('location')!);
  const res = await call('GET', `/integrations/google/callback${location.search}`);
  return { token, auth, location, res, integrationId: res.body?.integration?.id as string };
}

/** A fresh source on a fresh spreadsheet (rows: header first). */
export async function createSource(f: Fixture, token: string, integrationId: string, rows: Cell[][], opts: { mapping?: Record<string, string>; export?: unknown; title?: string } = {}) {
  const spreadsheetId = newSpreadsheetId();
  await fakeGoogle.putSpreadsheet({ spreadsheetId, title: 'Campaign links', sheets: [{ title: opts.title ?? 'Links', sheetId: 0, rows }, { title: 'Stats', sheetId: 77, rows: [] }] });
  const res = await call('POST', '/sheets/sources', {
    token,
    orgId: f.orgId,
    body: { integration_id: integrationId, spreadsheet_id: spreadsheetId, sheet_id: 0, mapping: opts.mapping ?? { url: 'Video URL' }, ...(opts.export ? { export: opts.export } : {}) },
  });
  if (res.status !== 201) throw new Error(`create source answered ${res.status}: ${JSON.stringify(res.body)}`);
  return { spreadsheetId, sourceId: res.body.source.id as string, body: res.body };
}

/** Waits for a SheetsResyncSource instance to end (through the real binding). */
export async function waitForSourceRun(instanceId: string, timeoutMs = 30_000) {
  return eventually(async () => {
    const s = await env.SHEETS_RESYNC_SOURCE.get(instanceId).then((i) => i.status());
    return ['complete', 'errored', 'terminated'].includes(s.status) ? s : undefined;
  }, { timeoutMs, intervalMs: 200 });
}

/** POST /sheets/sources/:id/resync and wait for the run to end. */
export async function resync(f: Fixture, token: string, sourceId: string) {
  const res = await call('POST', `/sheets/sources/${sourceId}/resync`, { token, orgId: f.orgId });
  if (res.status !== 202) throw new Error(`resync answered ${res.status}: ${JSON.stringify(res.body)}`);
  const status = await waitForSourceRun(res.body.run.workflow_instance_id);
  return { ...res.body.run, status } as { id: string; workflow_instance_id: string; status: { status: string; output?: any; error?: any } };
}
