import { env } from 'cloudflare:test';
import postgres from 'postgres';

/**
 * A superuser connection to the test database, for arranging fixtures and reading what the Worker
 * wrote. Tests never use it to stand in for the code under test.
 */
export const adminSql = () => postgres(env.DB.connectionString, { max: 2 });

export type OrgRole = 'owner' | 'admin' | 'member' | 'viewer';

export interface Fixture {
  orgId: string;
  userId: string;
  email: string;
}

/** A fresh organization with one user of the given role (random ids, so test files never collide). */
export async function createOrganization(sql: postgres.Sql, opts: { role?: OrgRole; plan?: string; name?: string } = {}): Promise<Fixture> {
  const userId = crypto.randomUUID();
  const email = `user-${userId.slice(0, 8)}@test.local`;
  const slug = `org-${crypto.randomUUID().slice(0, 12)}`;
  await sql`insert into auth.users (id, email) values (${userId}, ${email})`;
  const [org] = await sql<{ id: string }[]>`
    insert into public.organizations (name, slug, plan) values (${opts.name ?? slug}, ${slug}, ${opts.plan ?? 'pro'}) returning id`;
  await sql`insert into public.organization_members (organization_id, user_id, role) values (${org!.id}, ${userId}, ${opts.role ?? 'owner'})`;
  return { orgId: org!.id, userId, email };
}

/**
 * BloggerBatch plans over every organization in the database. Test files run one at a time over one
 * shared database, so a file that runs a batch pauses the bloggers earlier files left tracking first:
 * its batch then covers its own organizations, not hundreds of bloggers (each a child workflow with
 * its own connections) that the fake platforms do not know.
 */
export async function pauseBloggersOutside(sql: postgres.Sql, orgIds: string[]): Promise<void> {
  await sql`update tracked_accounts set is_active = false where is_active and organization_id not in ${sql(orgIds)}`;
}

/** Adds another user to an existing organization. */
export async function addMember(sql: postgres.Sql, orgId: string, role: OrgRole): Promise<Fixture> {
  const userId = crypto.randomUUID();
  const email = `user-${userId.slice(0, 8)}@test.local`;
  await sql`insert into auth.users (id, email) values (${userId}, ${email})`;
  await sql`insert into public.organization_members (organization_id, user_id, role) values (${orgId}, ${userId}, ${role})`;
  return { orgId, userId, email };
}

/**
 * Runs fn as Supabase's `authenticated` role with these JWT claims (or as `anon` when claims is
 * null), in a transaction rolled back after: what a signed-in user reaches with SQL directly.
 */
export async function rolledBackAs<T>(sql: postgres.Sql, claims: { sub: string; email?: string } | null, fn: (tx: postgres.TransactionSql) => Promise<T>): Promise<T> {
  let result: T;
  await sql
    .begin(async (tx) => {
      if (claims) await tx`select set_config('request.jwt.claims', ${JSON.stringify({ ...claims, role: 'authenticated' })}, true), set_config('role', 'authenticated', true)`;
      else await tx`select set_config('role', 'anon', true)`;
      result = await fn(tx);
      throw new Error('rollback');
    })
    .catch((e) => {
      if (e.message !== 'rollback') throw e;
    });
  return result!;
}
