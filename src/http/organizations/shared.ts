import { invitationStatus, LastOwnerError, type InvitationRow, type MemberRow, type OrganizationRow } from '../../db/organizations';
import { ApiError } from '../errors';

export { asCaller } from '../caller';

/** The public JSON shape of an organization's settings. */
export function organizationJson(o: OrganizationRow) {
  return {
    id: o.id,
    name: o.name,
    slug: o.slug,
    plan: o.plan,
    timezone: o.timezone,
    currency: o.currency,
    default_initial_videos_count: o.default_initial_videos_count,
    default_daily_videos_count: o.default_daily_videos_count,
    report_preferences: o.report_preferences,
    created_at: o.created_at,
    updated_at: o.updated_at,
  };
}
export type OrganizationJson = ReturnType<typeof organizationJson>;

export function memberJson(m: MemberRow, callerId: string) {
  return { user_id: m.user_id, email: m.email, name: m.full_name, role: m.role, joined_at: m.joined_at, is_you: m.user_id === callerId };
}
export type MemberJson = ReturnType<typeof memberJson>;

/** An invitation as members see it: never its token or hash. */
export function invitationJson(i: InvitationRow) {
  return {
    id: i.id,
    email: i.email,
    role: i.role,
    status: invitationStatus(i),
    invited_by: i.invited_by,
    expires_at: i.expires_at,
    created_at: i.created_at,
    accepted_at: i.accepted_at,
    declined_at: i.declined_at,
    revoked_at: i.revoked_at,
  };
}
export type InvitationJson = ReturnType<typeof invitationJson>;

export const lastOwnerConflict = () =>
  new ApiError('conflict', 'an organization must keep at least one owner: make another member an owner first', { reason: 'last_owner' });

/** The database keeps every organization with members owned; this is how the API says so. */
export async function keepingAnOwner<T>(write: Promise<T>): Promise<T> {
  try {
    return await write;
  } catch (err) {
    if (err instanceof LastOwnerError) throw lastOwnerConflict();
    throw err;
  }
}
