import { fakeVideoParams } from '../../test/fakes/platform-server.mjs';

// Seeds a benchmark catalogue inside Postgres (generate_series, so 100k videos × 30 days is seconds,
// not a round trip per row): organizations, tracked videos across the three platforms, and daily
// snapshot history whose last snapshot is a day old, so every video needs a refresh.
export async function seedCatalogue(db, { videos, days, organizations = 10 }) {
  await db.query('begin');
  await db.query(`
    insert into organizations (id, name, slug, plan)
    select ('00000000-0000-4000-8000-' || lpad(to_hex(g), 12, '0'))::uuid, 'Bench ' || g, 'bench-' || g, 'enterprise'
    from generate_series(1, $1) g on conflict do nothing`, [organizations]);
  await db.query(`
    insert into videos (organization_id, platform, external_video_id, video_url, video_status, tracking_started_at, created_at)
    select ('00000000-0000-4000-8000-' || lpad(to_hex(1 + g % $2), 12, '0'))::uuid,
           p.platform::platform, p.ext, p.url, 'tracking', now() - ($3 || ' days')::interval, now() - ($3 || ' days')::interval
    from generate_series(1, $1) g,
    lateral (select case g % 3 when 0 then 'TikTok' when 1 then 'Instagram' else 'YouTube' end as platform) k,
    lateral (select k.platform,
                    case k.platform when 'YouTube' then substr(md5(g::text), 1, 11) else (7000000000000000000 + g)::text end as ext,
                    case k.platform when 'TikTok' then 'https://www.tiktok.com/@bench/video/' || (7000000000000000000 + g)
                                    when 'Instagram' then 'https://www.instagram.com/reel/bench' || g || '/'
                                    else 'https://www.youtube.com/watch?v=' || substr(md5(g::text), 1, 11) end as url) p`,
    [videos, organizations, days]);
  // The history the fake platforms' next answer continues (test/fakes/platform-server.mjs
  // fakeVideoParams: views = base + rate × minutes): each video grows by its own steady daily
  // amount, as real catalogues mostly do, so the refresh finds ordinary days, not a jump per video
  // (which would make every video "viral" and cross every threshold each night).
  const ids = (await db.query('select id, external_video_id from videos')).rows;
  const params = ids.map((v) => fakeVideoParams(v.external_video_id));
  await db.query(`create temp table bench_fake_params on commit drop as
    select * from unnest($1::uuid[], $2::bigint[], $3::bigint[], $4::int[], $5::int[], $6::int[], $7::int[]) as u(video_id, base, rate, l, c, r, s)`,
    [ids.map((v) => v.id), params.map((p) => p.base), params.map((p) => p.rate), params.map((p) => p.likesDiv), params.map((p) => p.commentsDiv), params.map((p) => p.repostsDiv), params.map((p) => p.savesDiv)]);
  const epoch = new Date(params[0]?.epochMs ?? 0).toISOString();
  // one statement per day, oldest first, as the nightly refresh writes them (the rollup triggers
  // then do the same work they do in production)
  for (let d = 1; d <= days; d++) {
    await db.query(`
      insert into video_statistics (organization_id, video_id, external_video_id, views, likes, comments, reposts, saves, fetch_key, created_at)
      select v.organization_id, v.id, v.external_video_id, w.views, w.views / p.l, w.views / p.c, w.views / p.r, w.views / p.s, 'seed-' || $1::int, t.at
      from videos v
      join bench_fake_params p on p.video_id = v.id
      cross join (select now() - ((1 + $2::int - $1::int) || ' days')::interval as at) t
      cross join lateral (select p.base + p.rate * floor(extract(epoch from t.at - $3::timestamptz) / 60)::bigint as views) w`, [d, days, epoch]);
  }
  await db.query('commit');
  await db.query('analyze');
  const [{ v, s }] = (await db.query('select (select count(*) from videos)::int as v, (select count(*) from video_statistics)::int as s')).rows;
  return { videos: v, snapshots: s };
}
