import { SELF } from 'cloudflare:test';
import { SignJWT } from 'jose';
import { TEST_SECRETS } from '../setup/secrets';
import { checkAgainstContract } from './contract';

/** A Supabase-shaped access token for the user, signed with the test secret. */
export async function tokenFor(userId: string, opts: { email?: string; expiresIn?: string; secret?: string; audience?: string } = {}) {
  return new SignJWT({ email: opts.email ?? `${userId}@test.local`, role: 'authenticated' })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(userId)
    .setAudience(opts.audience ?? 'authenticated')
    .setIssuedAt()
    .setExpirationTime(opts.expiresIn ?? '1h')
    .sign(new TextEncoder().encode(opts.secret ?? TEST_SECRETS.SUPABASE_JWT_SECRET));
}

export interface CallOptions {
  token?: string;
  orgId?: string;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
}

/** Calls the Worker through its real fetch handler and returns status + parsed JSON. */
export async function call<T = any>(method: string, path: string, opts: CallOptions = {}): Promise<{ status: number; body: T; headers: Headers }> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.orgId) headers['x-organization-id'] = opts.orgId;
  let body: string | undefined;
  if (opts.rawBody !== undefined) body = opts.rawBody;
  else if (opts.body !== undefined) body = JSON.stringify(opts.body);
  if (body !== undefined) headers['content-type'] ??= 'application/json';
  const res = await SELF.fetch(`http://influtics.test${path}`, { method, headers, body });
  const text = await res.text();
  // every response is checked against the OpenAPI document: drift fails the test that saw it
  checkAgainstContract(method, path, { status: res.status, contentType: res.headers.get('content-type') ?? '', text });
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    /* not JSON: keep the text so the assertion shows it */
  }
  return { status: res.status, body: parsed as T, headers: res.headers };
}

/** Polls until `check` returns a value (the queue consumer runs asynchronously). */
export async function eventually<T>(check: () => Promise<T | undefined | null | false>, { timeoutMs = 15_000, intervalMs = 100 } = {}): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value) return value;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`condition not met within ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
}
