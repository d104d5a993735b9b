import { inject, type ProvidedContext } from 'vitest';

/**
 * The one client of the fakes' control APIs (`/__control/*` on every server in test/fakes):
 * fault injection, pinned data and call logs. `urlKey` names the URL global-setup provides.
 */
export function controlClient(name: string, urlKey: keyof ProvidedContext) {
  return async function control<T = any>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${inject(urlKey)}/__control/${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`fake ${name} control ${method} ${path} answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as T;
  };
}
