import { jsonb, type Db } from './client';
import type { OrgRole } from '../domain/roles';

export async function listMemberships(db: Db, userId: string) {
  return db<{ organization_id: string; role: OrgRole }[]>`
    select organization_id, role from public.organization_members
    where user_id = ${userId} order by created_at`;
}

// Organizations ----------------------------------------------------------------------------------

export interface OrganizationRow {
  id: string;
  name: string;
  slug: string;
  plan: string;
  timezone: string;
  currency: string;
  default_initial_videos_count: number;
  default_daily_videos_count: number;
  report_preferences: Record<string, unknown>;
  created_at: Date;
  updated_at: Date;
}

const ORGANIZATION_COLUMNS = (db: Db) => db`
  o.id, o.name, o.slug, o.plan, o.timezone, o.currency, o.default_initial_videos_count, o.default_daily_videos_count,
  o.report_preferences, o.created_at, o.updated_at`;

export interface NewOrganization {
  name: string;
  slug: string;
  timezone?: string;
  currency?: string;
  createdBy: string;
}

/**
 * Registers an organization and makes its creator the first owner (RLS lets the creator claim an
 * organization that has no members yet). Undefined when the slug is taken.
 */
export async function registerOrganization(db: Db, o: NewOrganization): Promise<OrganizationRow | undefined> {
  const [org] = await db<OrganizationRow[]>`
    insert into public.organizations as o (name, slug, timezone, currency, created_by)
    values (${o.name}, ${o.slug}, ${o.timezone ?? 'UTC'}, ${o.currency ?? 'USD'}, ${o.createdBy})
    on conflict (slug) do nothing
    returning ${ORGANIZATION_COLUMNS(db)}`;
  if (!org) return undefined;
  await db`insert into public.organization_members (organization_id, user_id, role) values (${org.id}, ${o.createdBy}, 'owner')`;
  return org;
}

/** The caller's organizations with their role in each. */
export async function listMyOrganizations(db: Db, userId: string) {
  return db<(OrganizationRow & { role: OrgRole; joined_at: Date })[]>`
    select ${ORGANIZATION_COLUMNS(db)}, m.role, m.created_at as joined_at
    from public.organization_members m
    join public.organizations o on o.id = m.organization_id
    where m.user_id = ${userId}
    order by m.created_at, o.id`;
}

export async function findOrganization(db: Db, organizationId: string): Promise<OrganizationRow | undefined> {
  const [row] = await db<OrganizationRow[]>`select ${ORGANIZATION_COLUMNS(db)} from public.organizations o where o.id = ${organizationId}`;
  return row;
}

export interface OrganizationSettings {
  name?: string;
  slug?: string;
  timezone?: string;
  currency?: string;
  default_initial_videos_count?: number;
  default_daily_videos_count?: number;
  report_preferences?: Record<string, unknown>;
}

/** Updates the given settings; undefined when the organization is not visible or the slug is taken. */
export async function updateOrganizationSettings(db: Db, organizationId: string, s: OrganizationSettings): Promise<OrganizationRow | 'slug_taken' | undefined> {
  // Other organizations are invisible under RLS: the unique index is what finds a taken slug. The
  // failed statement aborts the transaction, so the caller must end it (throw) on 'slug_taken'.
  try {
    const [row] = await db<OrganizationRow[]>`
      update public.organizations o set
        name = coalesce(${s.name ?? null}, o.name),
        slug = coalesce(${s.slug ?? null}, o.slug),
        timezone = coalesce(${s.timezone ?? null}, o.timezone),
        currency = coalesce(${s.currency ?? null}, o.currency),
        default_initial_videos_count = coalesce(${s.default_initial_videos_count ?? null}::int, o.default_initial_videos_count),
        default_daily_videos_count = coalesce(${s.default_daily_videos_count ?? null}::int, o.default_daily_videos_count),
        report_preferences = coalesce(${s.report_preferences === undefined ? null : jsonb(s.report_preferences)}::text::jsonb, o.report_preferences)
      where o.id = ${organizationId}
      returning ${ORGANIZATION_COLUMNS(db)}`;
    return row;
  } catch (err) {
    if (isUniqueViolation(err, 'organizations_slug_key')) return 'slug_taken';
    throw err;
  }
}

// Members ----------------------------------------------------------------------------------------

export interface MemberRow {
  user_id: string;
  email: string | null;
  full_name: string | null;
  role: OrgRole;
  joined_at: Date;
}

/** Members with their email (from auth.users, through a helper that answers fellow members only). */
export async function listMembers(db: Db, organizationId: string): Promise<MemberRow[]> {
  return db<MemberRow[]>`select user_id, email, full_name, role, joined_at from private.organization_member_profiles(${organizationId})`;
}

export async function findMemberRole(db: Db, organizationId: string, userId: string): Promise<OrgRole | undefined> {
  const [row] = await db<{ role: OrgRole }[]>`
    select role from public.organization_members where organization_id = ${organizationId} and user_id = ${userId}`;
  return row?.role;
}

export async function countOwners(db: Db, organizationId: string): Promise<number> {
  const [row] = await db<{ n: number }[]>`
    select count(*)::int as n from public.organization_members where organization_id = ${organizationId} and role = 'owner'`;
  return row!.n;
}

/** Raised by the database when a write would leave an organization without an owner. */
export class LastOwnerError extends Error {
  override name = 'LastOwnerError';
}

function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const e = err as { code?: string; constraint_name?: string } | null;
  return e?.code === '23505' && (constraint === undefined || e.constraint_name === constraint);
}

async function guardLastOwner<T>(write: Promise<T>): Promise<T> {
  try {
    return await write;
  } catch (err) {
    const e = err as { constraint_name?: string } | null;
    if (e?.constraint_name === 'organization_needs_owner') throw new LastOwnerError('an organization must keep at least one owner');
    throw err;
  }
}

/** Sets a member's role; false when they are not a member. Throws LastOwnerError for the last owner. */
export async function setMemberRole(db: Db, organizationId: string, userId: string, role: OrgRole): Promise<boolean> {
  const rows = await guardLastOwner(db`
    update public.organization_members set role = ${role}
    where organization_id = ${organizationId} and user_id = ${userId} returning user_id`);
  return rows.length > 0;
}

/** Removes a member (or the caller, leaving); false when not a member. Throws LastOwnerError for the last owner. */
export async function removeMember(db: Db, organizationId: string, userId: string): Promise<boolean> {
  const rows = await guardLastOwner(db`
    delete from public.organization_members where organization_id = ${organizationId} and user_id = ${userId} returning user_id`);
  return rows.length > 0;
}

// Invitations ------------------------------------------------------------------------------------

export interface InvitationRow {
  id: string;
  organization_id: string;
  email: string;
  role: OrgRole;
  invited_by: string | null;
  expires_at: Date;
  accepted_at: Date | null;
  accepted_by: string | null;
  declined_at: Date | null;
  revoked_at: Date | null;
  created_at: Date;
}

export type InvitationStatus = 'pending' | 'expired' | 'accepted' | 'declined' | 'revoked';

export function invitationStatus(i: Pick<InvitationRow, 'accepted_at' | 'declined_at' | 'revoked_at' | 'expires_at'>, now = new Date()): InvitationStatus {
  if (i.accepted_at) return 'accepted';
  if (i.declined_at) return 'declined';
  if (i.revoked_at) return 'revoked';
  return i.expires_at.getTime() <= now.getTime() ? 'expired' : 'pending';
}

const INVITATION_COLUMNS = (db: Db) => db`
  i.id, i.organization_id, i.email, i.role, i.invited_by, i.expires_at, i.accepted_at, i.accepted_by, i.declined_at, i.revoked_at, i.created_at`;

/** Invitations that were neither accepted, declined nor revoked (expired ones included), newest first. */
export async function listOpenInvitations(db: Db, organizationId: string): Promise<InvitationRow[]> {
  return db<InvitationRow[]>`
    select ${INVITATION_COLUMNS(db)} from public.invitations i
    where i.organization_id = ${organizationId} and i.accepted_at is null and i.declined_at is null and i.revoked_at is null
    order by i.created_at desc, i.id`;
}

export async function findInvitation(db: Db, organizationId: string, invitationId: string): Promise<InvitationRow | undefined> {
  const [row] = await db<InvitationRow[]>`
    select ${INVITATION_COLUMNS(db)} from public.invitations i where i.organization_id = ${organizationId} and i.id = ${invitationId}`;
  return row;
}

/**
 * The invitation with this token hash when it is addressed to the calling user (the email of their
 * access token, as private.accept_invitation checks it); members of the inviting organization
 * could read it through RLS too, so the address is compared here.
 */
export async function findMyInvitationByTokenHash(db: Db, tokenHash: string): Promise<InvitationRow | undefined> {
  const [row] = await db<InvitationRow[]>`
    select ${INVITATION_COLUMNS(db)} from public.invitations i
    where i.token_hash = ${tokenHash} and lower(i.email) = lower(auth.jwt() ->> 'email')`;
  return row;
}

/** The open invitation of this address, if any (at most one: a partial unique index). */
export async function findOpenInvitationByEmail(db: Db, organizationId: string, email: string): Promise<InvitationRow | undefined> {
  const [row] = await db<InvitationRow[]>`
    select ${INVITATION_COLUMNS(db)} from public.invitations i
    where i.organization_id = ${organizationId} and lower(i.email) = lower(${email})
      and i.accepted_at is null and i.declined_at is null and i.revoked_at is null`;
  return row;
}

export async function isMemberEmail(db: Db, organizationId: string, email: string): Promise<boolean> {
  const rows = await db`select 1 from private.organization_member_profiles(${organizationId}) where lower(email) = lower(${email})`;
  return rows.length > 0;
}

export interface NewInvitation {
  /** chosen by the caller: the emailed token is derived from it (src/notifications/invitation-token.ts) */
  id: string;
  organizationId: string;
  email: string;
  role: OrgRole;
  tokenHash: string;
  invitedBy: string;
  expiresInDays: number;
}

export async function insertInvitation(db: Db, i: NewInvitation): Promise<InvitationRow> {
  const [row] = await db<InvitationRow[]>`
    insert into public.invitations as i (id, organization_id, email, role, token_hash, invited_by, expires_at)
    values (${i.id}, ${i.organizationId}, ${i.email}, ${i.role}, ${i.tokenHash}, ${i.invitedBy}, now() + make_interval(days => ${i.expiresInDays}::int))
    returning ${INVITATION_COLUMNS(db)}`;
  return row!;
}

/** Revokes an open invitation; the row as it is afterwards (undefined when it does not exist). */
export async function revokeInvitation(db: Db, organizationId: string, invitationId: string): Promise<InvitationRow | undefined> {
  const [row] = await db<InvitationRow[]>`
    update public.invitations i set revoked_at = now()
    where i.organization_id = ${organizationId} and i.id = ${invitationId}
      and i.accepted_at is null and i.declined_at is null and i.revoked_at is null
    returning ${INVITATION_COLUMNS(db)}`;
  return row ?? findInvitation(db, organizationId, invitationId);
}

/**
 * Accepts as the calling user (database function: checks the token hash, the caller's email,
 * expiry and single use). Undefined when the invitation was already used and the membership it
 * gave no longer exists.
 */
export async function acceptInvitation(db: Db, tokenHash: string): Promise<{ organization_id: string; role: OrgRole } | undefined> {
  const [row] = await db<{ organization_id: string; role: OrgRole }[]>`select organization_id, role from private.accept_invitation(${tokenHash})`;
  return row;
}

export async function declineInvitation(db: Db, tokenHash: string): Promise<boolean> {
  const [row] = await db<{ declined: boolean }[]>`select private.decline_invitation(${tokenHash}) as declined`;
  return row?.declined ?? false;
}

export interface MyInvitationRow {
  id: string;
  organization_id: string;
  organization_name: string;
  email: string;
  role: OrgRole;
  expires_at: Date;
  created_at: Date;
}

export async function listMyPendingInvitations(db: Db): Promise<MyInvitationRow[]> {
  return db<MyInvitationRow[]>`select id, organization_id, organization_name, email, role, expires_at, created_at from private.my_pending_invitations()`;
}

// Outgoing messages: src/db/notifications.ts (recordNotification).

// User preferences -------------------------------------------------------------------------------

export async function getPreferences(db: Db, userId: string): Promise<{ preferences: Record<string, unknown>; updated_at: Date | null }> {
  const [row] = await db<{ preferences: Record<string, unknown>; updated_at: Date }[]>`
    select preferences, updated_at from public.user_preferences where user_id = ${userId}`;
  return row ?? { preferences: {}, updated_at: null };
}

export async function putPreferences(db: Db, userId: string, preferences: Record<string, unknown>) {
  const [row] = await db<{ preferences: Record<string, unknown>; updated_at: Date }[]>`
    insert into public.user_preferences (user_id, preferences) values (${userId}, ${jsonb(preferences)}::text::jsonb)
    on conflict (user_id) do update set preferences = excluded.preferences
    returning preferences, updated_at`;
  return row!;
}

/** How many videos a new tracked blogger fetches at first and per day, unless the request says. */
export async function organizationFetchDefaults(db: Db, organizationId: string): Promise<{ default_initial_videos_count: number; default_daily_videos_count: number } | undefined> {
  const [row] = await db<{ default_initial_videos_count: number; default_daily_videos_count: number }[]>`
    select default_initial_videos_count, default_daily_videos_count from public.organizations where id = ${organizationId}`;
  return row;
}
