import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { adminSql, createOrganization } from '../helpers/db';
import { fakePlatforms } from '../helpers/fake-platforms';
import { firstStatsWaitSeconds } from '../../src/workflows/sheets-resync';
import { connectGoogle, createSource, fakeGoogle, waitForSourceRun } from './support';

/**
 * A newcomer pastes links into a sheet and the resync runs: the links it starts tracking get their
 * first fetch from the queue, and the run waits for it, so their numbers are beside them after
 * this run, not 4 hours later.
 */
const sql = adminSql();

beforeAll(async () => {
  await fakeGoogle.reset();
});

describe('the first resync of new links', () => {
  it('waits for their first stats and writes the numbers beside each new link in the same run', async () => {
    const f = await createOrganization(sql);
    const { token, integrationId } = await connectGoogle(f, { email: `first-${f.userId.slice(0, 8)}@gmail.com` });
    const ext = `73${String(Date.now()).slice(-8)}${String(Math.floor(Math.random() * 1e9)).padStart(9, '0')}`;
    await fakePlatforms.pinStats({ id: ext, views: 123_456, likes: 7_890, comments: 12, reposts: 3, saves: 45 });
    const { sourceId, spreadsheetId } = await createSource(f, token, integrationId, [['Video URL'], [`https://www.tiktok.com/@first_stats/video/${ext}`]]);

    const instanceId = `sheets-resync-${sourceId}-first${Date.now()}`;
    const [job] = await sql`insert into import_jobs (organization_id, source, source_id, status, workflow_instance_id, trigger)
      values (${f.orgId}, 'google_sheets', ${sourceId}, 'pending', ${instanceId}, 'http') returning id`;
    await env.SHEETS_RESYNC_SOURCE.create({ id: instanceId, params: { organizationId: f.orgId, sourceId, jobId: job!.id, trigger: 'http', firstStatsWaitSeconds: 3 } });
    const status = await waitForSourceRun(instanceId);
    expect(status.status).toBe('complete');
    expect(status.output).toMatchObject({ added: 1 });

    const rows = (await fakeGoogle.spreadsheet(spreadsheetId)).sheets.find((s) => s.title === 'Links')!.rows;
    expect(rows[0]!.slice(1, 3)).toEqual(['Views', 'Likes']);
    expect(rows[1]!.slice(1, 3)).toEqual([123_456, 7_890]);
    expect(rows[1]!.at(-1)).toBe('tracking');
  });

  it('reads the wait from SHEETS_FIRST_STATS_WAIT_SECONDS: 15 s when unset; anything but 0 to 300 seconds is a configuration error naming it', () => {
    expect(firstStatsWaitSeconds({ SHEETS_FIRST_STATS_WAIT_SECONDS: '0' } as never)).toBe(0);
    expect(firstStatsWaitSeconds({ SHEETS_FIRST_STATS_WAIT_SECONDS: '40' } as never)).toBe(40);
    expect(firstStatsWaitSeconds({} as never)).toBe(15);
    expect(() => firstStatsWaitSeconds({ SHEETS_FIRST_STATS_WAIT_SECONDS: 'soon' } as never)).toThrow(/SHEETS_FIRST_STATS_WAIT_SECONDS/);
    expect(() => firstStatsWaitSeconds({ SHEETS_FIRST_STATS_WAIT_SECONDS: '9999' } as never)).toThrow(/SHEETS_FIRST_STATS_WAIT_SECONDS/);
  });
});
