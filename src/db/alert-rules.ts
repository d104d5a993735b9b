import { jsonb, type Db } from './client';

export interface AlertRuleRow {
  id: string;
  organization_id: string;
  type: string;
  params: Record<string, unknown>;
  enabled: boolean;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = (db: Db) => db`id, organization_id, type, params, enabled, created_by, created_at, updated_at`;

export async function listAlertRules(db: Db, organizationId: string): Promise<AlertRuleRow[]> {
  return db<AlertRuleRow[]>`select ${COLUMNS(db)} from public.alert_rules where organization_id = ${organizationId} order by created_at, id`;
}

export async function findAlertRule(db: Db, organizationId: string, id: string): Promise<AlertRuleRow | undefined> {
  const [row] = await db<AlertRuleRow[]>`select ${COLUMNS(db)} from public.alert_rules where organization_id = ${organizationId} and id = ${id}`;
  return row;
}

export async function insertAlertRule(db: Db, r: { organizationId: string; type: string; params: Record<string, unknown>; enabled: boolean; createdBy: string }): Promise<AlertRuleRow> {
  const [row] = await db<AlertRuleRow[]>`
    insert into public.alert_rules (organization_id, type, params, enabled, created_by)
    values (${r.organizationId}, ${r.type}, ${jsonb(r.params)}::text::jsonb, ${r.enabled}, ${r.createdBy})
    returning ${COLUMNS(db)}`;
  return row!;
}

export async function updateAlertRule(db: Db, organizationId: string, id: string, patch: { params?: Record<string, unknown>; enabled?: boolean }): Promise<AlertRuleRow | undefined> {
  const [row] = await db<AlertRuleRow[]>`
    update public.alert_rules set
      params = coalesce(${patch.params === undefined ? null : jsonb(patch.params)}::text::jsonb, params),
      enabled = coalesce(${patch.enabled ?? null}::boolean, enabled)
    where organization_id = ${organizationId} and id = ${id}
    returning ${COLUMNS(db)}`;
  return row;
}

export async function deleteAlertRule(db: Db, organizationId: string, id: string): Promise<boolean> {
  const rows = await db`delete from public.alert_rules where organization_id = ${organizationId} and id = ${id} returning 1`;
  return rows.length > 0;
}
