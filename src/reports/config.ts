import { configSection } from '../env';

/**
 * Scheduled reports' configuration.
 *   REPORTS_PUBLIC_BASE_URL  var: the origin of this API as recipients reach it; share links
 *                            (/shared/reports/<token>) in digests point there.
 */
export const reportsConfig = (env: Env) => configSection(env, ['REPORTS_PUBLIC_BASE_URL'], 'reports');

/** The public page of a shared report and its xlsx. */
export function shareUrls(env: Env, token: string) {
  const base = reportsConfig(env).REPORTS_PUBLIC_BASE_URL.replace(/\/+$/, '');
  return { reportUrl: `${base}/shared/reports/${token}`, xlsxUrl: `${base}/shared/reports/${token}/file` };
}
