/**
 * What a Postgres error (postgres.js `PostgresError`) says about its cause, for the HTTP layer's
 * last line of defence: validation should have refused the input first, but a value the database
 * rejects is still the caller's bad input, never an internal error.
 */
export interface DatabaseErrorInfo {
  /** SQLSTATE, e.g. '22P02' */
  sqlstate: string;
  constraint?: string;
  table?: string;
}

export function databaseError(err: unknown): DatabaseErrorInfo | undefined {
  const e = err as { name?: string; code?: unknown; constraint_name?: string; table_name?: string } | null;
  if (!e || e.name !== 'PostgresError' || typeof e.code !== 'string' || !/^[0-9A-Z]{5}$/.test(e.code)) return undefined;
  return { sqlstate: e.code, constraint: e.constraint_name, table: e.table_name };
}

/**
 * A foreign key to auth.users failed: the token was validly signed for a user that no longer
 * exists (deleted in Supabase Auth while the token is still unexpired).
 */
export function isMissingUserReference(err: unknown): boolean {
  const e = err as { detail?: unknown } | null;
  return databaseError(err)?.sqlstate === '23503' && typeof e?.detail === 'string' && e.detail.endsWith('is not present in table "users".');
}
