import postgres from 'postgres';

export type Sql = postgres.Sql;
/** A connection or transaction: what every query function in src/db takes. */
export type Db = postgres.Sql | postgres.TransactionSql;

/**
 * One client per request / consumer batch / workflow step, as Hyperdrive expects: Hyperdrive
 * pools the real connections, so this client is cheap and small.
 *
 * We do not call `sql.end()`: with current workerd both drivers raise an unhandled
 * "socket has been closed" rejection when a connection is ended explicitly. The runtime closes
 * the sockets when the request, batch or step that opened them finishes.
 */
export function createSql(env: { DB: Hyperdrive }, opts: { onQuery?: () => void } = {}): Sql {
  return postgres(env.DB.connectionString, {
    // counts statements sent, so consumers can report their database round trips
    ...(opts.onQuery ? { debug: () => opts.onQuery!() } : {}),
    max: 5,
    // Types are fixed by our migrations; skipping the type lookup saves a round trip per client.
    fetch_types: false,
    // Hyperdrive (transaction-mode pooling) supports prepared statements; they save parse time.
    prepare: true,
    connect_timeout: 10,
    // 0: never close an idle connection ourselves. postgres.js's idle close is an explicit end, which
    // raises the unhandled "socket has been closed" rejection described above (seen in tests whose
    // file ran > 20 s after a consumer call); the runtime closes the sockets with the invocation.
    idle_timeout: 0,
    transform: { undefined: null },
  });
}

/**
 * Lists and row sets travel as ONE jsonb parameter (`jsonb_to_recordset`, `jsonb_array_elements_text`):
 * with `fetch_types: false` the driver cannot encode Postgres arrays, and one parameter per batch
 * keeps a 5000-row write a single small statement.
 */
export const jsonb = (value: unknown) => JSON.stringify(value);

/** Runs `fn` as Supabase's `authenticated` role with the caller's JWT claims, so RLS applies. */
export async function asUser<T>(sql: Sql, claims: Record<string, unknown>, fn: (tx: postgres.TransactionSql) => Promise<T>): Promise<T> {
  return (await sql.begin(async (tx) => {
    await tx`select set_config('request.jwt.claims', ${JSON.stringify(claims)}, true), set_config('role', 'authenticated', true)`;
    return fn(tx);
  })) as T;
}
