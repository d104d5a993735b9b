import { z } from '@hono/zod-openapi';
import { Timestamp, Uuid } from '../openapi/schemas';
import { MemberRole } from './schemas';

/** The JSON shapes the organization routes answer with (src/http/organizations/shared.ts builds them). */

const organizationFields = {
    id: Uuid,
    name: z.string(),
    slug: z.string(),
    plan: z.string(),
    timezone: z.string(),
    currency: z.string(),
    default_initial_videos_count: z.number().int(),
    default_daily_videos_count: z.number().int(),
    report_preferences: z.record(z.string(), z.unknown()),
    created_at: Timestamp,
    updated_at: Timestamp,
};
export const Organization = z.object(organizationFields).openapi('Organization');
/** An organization in the caller's list, with their role in it. */
export const MyOrganization = z.object({ ...organizationFields, role: MemberRole, joined_at: Timestamp }).openapi('MyOrganization');

export const OrganizationWithRole = z.object({ organization: Organization, role: MemberRole });

export const Member = z
  .object({ user_id: Uuid, email: z.string().nullable(), name: z.string().nullable(), role: MemberRole, joined_at: Timestamp, is_you: z.boolean() })
  .openapi('Member');

export const InvitationStatus = z.enum(['pending', 'expired', 'accepted', 'declined', 'revoked']);

export const Invitation = z
  .object({
    id: Uuid,
    email: z.string(),
    role: MemberRole,
    status: InvitationStatus,
    invited_by: Uuid.nullable(),
    expires_at: Timestamp,
    created_at: Timestamp,
    accepted_at: Timestamp.nullable(),
    declined_at: Timestamp.nullable(),
    revoked_at: Timestamp.nullable(),
  })
  .openapi('Invitation');

export const MembershipChange = z.object({ success: z.literal(true), organization_id: Uuid, user_id: Uuid });
