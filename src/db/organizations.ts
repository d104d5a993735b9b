import type { Db } from './client';
import type { OrgRole } from '../http/permissions';

export async function listMemberships(db: Db, userId: string) {
  return db<{ organization_id: string; role: OrgRole }[]>`
    select organization_id, role from public.organization_members
    where user_id = ${userId} order by created_at`;
}
