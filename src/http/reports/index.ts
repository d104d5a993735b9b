import { router } from '../openapi/route';
import { preview, runs } from './runs';
import { schedules } from './schedules';

/**
 * /reports — scheduled report schedules (CRUD, preview) and their runs (list with delivery status,
 * xlsx download, share links). Reads are open to every member; writes need `reports.write`.
 * Another organization's schedule or run answers 404. The public side of share links is
 * src/http/reports/shared.ts (/shared/reports/:token).
 */
export const reports = router().route('/schedules', schedules).route('/schedules', preview).route('/runs', runs);
export { sharedReports } from './shared';
