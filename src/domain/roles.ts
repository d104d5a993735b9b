/** The roles a member can hold in an organization (the database enum `organization_role`). */
export const ORG_ROLES = ['owner', 'admin', 'member', 'viewer'] as const;
export type OrgRole = (typeof ORG_ROLES)[number];

/**
 * The roles × actions matrix: the one place that decides who may do what in the whole API.
 * Reads are open to every member; each write names its action here, and every action here is
 * checked by a route (test/organizations/permissions.test.ts proves both ways). No organization
 * role may raise its own limits: overrides are set by operators (service role), and RLS gives
 * signed-in users read access only (test/organizations/security.test.ts).
 */
export const PERMISSIONS = {
  'videos.write': ['owner', 'admin', 'member'],
  'videos.track': ['owner', 'admin', 'member'],
  'bloggers.write': ['owner', 'admin', 'member'],
  'campaigns.write': ['owner', 'admin', 'member'],
  'tags.write': ['owner', 'admin', 'member'],
  'imports.write': ['owner', 'admin', 'member'],
  'notifications.write': ['owner', 'admin'],
  /** report schedules and share links to report runs */
  'reports.write': ['owner', 'admin'],
  'organization.update': ['owner', 'admin'],
  /** leaving is open to every role; the database keeps the last owner from leaving */
  'organization.leave': ['owner', 'admin', 'member', 'viewer'],
  'members.invite': ['owner', 'admin'],
  'invitations.revoke': ['owner', 'admin'],
  'members.remove': ['owner', 'admin'],
  'members.change_role': ['owner', 'admin'],
  /** granting, changing or removing the owner role (on top of members.change_role / members.remove) */
  'members.manage_owners': ['owner'],
} as const satisfies Record<string, readonly OrgRole[]>;

export type Action = keyof typeof PERMISSIONS;

export function can(role: OrgRole, action: Action): boolean {
  return (PERMISSIONS[action] as readonly OrgRole[]).includes(role);
}
