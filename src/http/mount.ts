import type { Hono, MiddlewareHandler } from 'hono';
import { mergePath } from 'hono/utils/url';
import { requireOrganization, requireUser } from './auth';
import { limitPerOrganization, limitPerUser } from './rate-limit';
import type { AppEnv } from './context';
import type { Access } from './openapi/route';

/**
 * Auth by construction: a router is mounted through the group that guards it, and the group puts
 * its guards in front of exactly the routes that router defines. Mounting and guarding cannot
 * drift apart (a module mounted with `tenant()` is authenticated and scoped to an organization
 * without anyone editing a prefix list), and a public route may share a prefix with guarded ones
 * (Google's OAuth callback under /integrations/google).
 *
 * Every mounted route and its access are recorded in MOUNTED_ROUTES, which the route-table test
 * (test/contract/route-table.test.ts) reads to derive the routes it attacks.
 */
export interface MountedRoute {
  method: string;
  path: string;
  access: Access;
}
export const MOUNTED_ROUTES: MountedRoute[] = [];

type Group = Exclude<Access, 'ops'>;
const GUARDS: Record<Group, MiddlewareHandler<AppEnv>[]> = {
  public: [],
  user: [requireUser, limitPerUser],
  tenant: [requireUser, limitPerUser, requireOrganization, limitPerOrganization],
};

/** The endpoints a router defines (its middleware registrations are not endpoints). */
const endpointsOf = (routes: Hono<any>) => {
  const seen = new Map<string, { method: string; path: string }>();
  for (const r of routes.routes) {
    if (r.method === 'ALL' && r.path.includes('*')) continue;
    seen.set(`${r.method} ${r.path}`, { method: r.method, path: r.path });
  }
  return [...seen.values()];
};

export function mountGroups(app: Hono<AppEnv>) {
  const group =
    (access: Group) =>
    (prefix: string, routes: Hono<AppEnv>): void => {
      const guards = GUARDS[access];
      for (const { method, path } of endpointsOf(routes)) {
        const full = mergePath(prefix, path);
        if (guards.length > 0) app.on(method, [full], ...guards);
        MOUNTED_ROUTES.push({ method, path: full, access });
      }
      app.route(prefix, routes as never);
    };
  return {
    /** Answered without credentials (or with their own: a webhook secret, a share token). */
    public: group('public'),
    /** A signed-in user, before they act for an organization. */
    user: group('user'),
    /** A signed-in user acting for one of their organizations (c.get('org')). */
    tenant: group('tenant'),
  };
}
