import { SELF } from 'cloudflare:test';
import { checkAgainstContract } from './contract';

/**
 * SELF.fetch for tests that need the raw Response (files, pages, multipart uploads): the response
 * is checked against the OpenAPI document (test/helpers/contract.ts) and handed back unread.
 */
export async function fetchWorker(input: string, init?: RequestInit): Promise<Response> {
  const url = input.startsWith('http') ? input : `http://influtics.test${input}`;
  const res = await SELF.fetch(url, init);
  const copy = res.clone();
  const text = await copy.text();
  checkAgainstContract(init?.method ?? 'GET', url, { status: res.status, contentType: res.headers.get('content-type') ?? '', text });
  return res;
}
