import type { Context } from 'hono';
import type { Sql } from '../db/client';
import type { OrgRole } from '../domain/roles';

export interface AuthUser {
  id: string;
  email: string | null;
  /** The verified access-token claims, forwarded to Postgres so RLS sees the same caller. */
  claims: Record<string, unknown>;
}

export interface CurrentOrganization {
  id: string;
  role: OrgRole;
}

export interface AppEnv {
  Bindings: Env;
  Variables: {
    requestId: string;
    sql: Sql;
    user: AuthUser;
    org: CurrentOrganization;
    /** set once the request took its unit of the user's / organization's rate limit (src/http/rate-limit.ts) */
    userRateCounted: boolean;
    orgRateCounted: boolean;
  };
}

export type AppContext = Context<AppEnv>;
