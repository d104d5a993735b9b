import { WORKFLOWS, workflowBinding, type WorkflowName } from '../workflows/start';

/**
 * Registry name (what `workflow_runs.workflow` holds) → the workflow's name in wrangler.jsonc, which
 * is what the Workflows REST API addresses (`/workflows/{name}/instances/{id}`). A test checks this
 * table against wrangler.jsonc.
 */
export const WORKFLOW_API_NAMES = {
  InitialBloggerFetch: 'influtics-initial-blogger-fetch',
  BloggerBatch: 'influtics-blogger-batch',
  BloggerDailyFetch: 'influtics-blogger-daily-fetch',
  NightlyRefresh: 'influtics-nightly-refresh',
  ExcelImport: 'influtics-excel-import',

  SheetsResync: 'influtics-sheets-resync',
  SheetsResyncSource: 'influtics-sheets-resync-source',

  ReportDispatch: 'influtics-report-dispatch',
  ScheduledReport: 'influtics-scheduled-report',
} as const satisfies Record<WorkflowName, string>;

export const WORKFLOW_NAMES = Object.keys(WORKFLOWS) as WorkflowName[];

export { RUN_STATUSES, RUN_TRIGGERS } from '../domain/statuses';

export const isWorkflowName = (name: string): name is WorkflowName => Object.hasOwn(WORKFLOWS, name);

export { workflowBinding, type WorkflowName };
