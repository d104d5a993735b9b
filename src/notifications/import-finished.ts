import type { Db } from '../db/client';
import { recordNotificationEvents, type FannedOut } from '../db/alerts';
import { jobForWorkflow } from '../db/imports';

/**
 * `import_finished` for an import job that has reached `completed` or `failed`; call it in the
 * transaction that set that status. The dedupe key (job, status) makes a retried step notify
 * nobody again. It goes to the member who started the import, or to every member when the job
 * has no starter (or the starter has left the organization).
 */
export async function recordImportFinished(db: Db, jobId: string): Promise<FannedOut[]> {
  const job = await jobForWorkflow(db, jobId);
  if (!job || (job.status !== 'completed' && job.status !== 'failed')) return [];
  const [starter] = job.created_by
    ? await db<{ user_id: string }[]>`select user_id from public.organization_members where organization_id = ${job.organization_id} and user_id = ${job.created_by}`
    : [];
  const name = job.file_name ?? `${job.source} import ${job.id.slice(0, 8)}`;
  const text =
    job.status === 'completed'
      ? `📥 Import "${name}" finished: ${job.added} added, ${job.already_present} already present, ${job.invalid} invalid` +
        (job.over_quota > 0 ? `, ${job.over_quota} not tracked (tracked-videos limit reached)` : '') + '.'
      : `❌ Import "${name}" failed: ${job.failure_reason ?? 'the import stopped with an error'}`;
  return recordNotificationEvents(db, [{
    organizationId: job.organization_id,
    type: 'import_finished',
    dedupeKey: `import:${job.id}:${job.status}`,
    text,
    vars: {
      jobId: job.id, fileName: name, status: job.status, added: job.added, alreadyPresent: job.already_present,
      invalid: job.invalid, overQuota: job.over_quota, failureReason: job.failure_reason ?? '',
    },
    ...(starter ? { userIds: [starter.user_id] } : {}),
  }]);
}
