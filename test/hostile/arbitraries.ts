import fc from 'fast-check';
import type { Vocabulary } from './route-table';

/**
 * Generators of hostile input. Each mixes values the API should accept (so requests get past the
 * first check) with values crafted to reach Postgres badly: NUL characters, unpaired surrogates,
 * LIKE wildcards, impossible or out-of-range dates, huge or fractional numbers, wrong types.
 */

/** Ids that exist in the attacked organization (so handlers go past their 404s), set per route. */
export interface IdPool {
  ids: string[];
  /** one id of each kind (campaign, video, blogger, member, invitation, organization), for learning */
  kinds: string[];
}

const nasty = [
  '\u0000', 'a\u0000b', '\u0000\u0000', '\ud800', 'x\udc00y', '\udbff', '%', '_', '%_%', '\\', '\\%', "'", '"', "'; drop table videos; --",
  ' ', '   ', '\t\n', '\u200b', '\uffff', '\ufeff', '😀', 'é', 'ß', 'İ', '\u202e', '<script>', '${x}', '{{x}}', '../..', '/', '?', '#',
  'null', 'undefined', 'true', '0', '-1', 'NaN', 'Infinity', '1e999', '[]', '{}', '9999999999999999999', '2147483648', '-9223372036854775809',
];
const dates = [
  '0000-01-01', '0001-01-01', '1999-12-31', '2000-01-01', '2024-02-29', '2023-02-29', '2024-02-30', '2024-04-31', '2024-13-01', '2024-00-10',
  '2024-01-00', '2100-12-31', '2101-01-01', '9999-12-31', '+275760-09-13', '-000001-01-01', '2024-1-1', '20240101', '2024-03-10', '2026-03-02',
  '2026-03-08', '2026-03-10T00:00:00Z', '0000-01-01T00:00:00Z', '9999-12-31T23:59:59.999999Z', '2024-02-30T00:00:00Z', '2024-03-10T25:00:00Z',
  '2026-01-01T00:00:00+14:00', '1970-01-01T00:00:00.000000Z',
];

/** One of the pool's ids, by index (deterministic under the seed whatever ids the fixture got). */
const poolId = (pool: IdPool) => fc.nat().map((i) => pool.ids[i % Math.max(1, pool.ids.length)] ?? '00000000-0000-4000-8000-000000000000');

const withNul = fc.tuple(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 })).map(([a, b]) => `${a}\u0000${b}`);
const withSurrogate = fc.tuple(fc.string({ maxLength: 8 }), fc.constantFrom('\ud800', '\udfff', '\udbff\u0041')).map(([a, s]) => a + s);
const longString = fc.integer({ min: 65, max: 6000 }).map((n) => 'x'.repeat(n));

export function hostileString(vocab: Vocabulary, pool: IdPool): fc.Arbitrary<string> {
  return fc.oneof(
    { arbitrary: fc.constantFrom(...nasty), weight: 4 },
    { arbitrary: fc.constantFrom(...dates), weight: 4 },
    { arbitrary: vocab.enumValues.length ? fc.constantFrom(...vocab.enumValues) : fc.constant('x'), weight: 4 },
    { arbitrary: poolId(pool), weight: 3 },
    { arbitrary: fc.uuid(), weight: 2 },
    { arbitrary: withNul, weight: 3 },
    { arbitrary: withSurrogate, weight: 2 },
    { arbitrary: longString, weight: 1 },
    { arbitrary: fc.string({ maxLength: 20 }), weight: 2 },
    { arbitrary: fc.string({ unit: 'binary', maxLength: 12 }), weight: 2 },
    { arbitrary: fc.constantFrom('https://www.tiktok.com/@a/video/7300000000000000001', 'https://youtu.be/dQw4w9WgXcQ', 'http://a/\u0000', 'javascript:alert(1)'), weight: 1 },
    { arbitrary: fc.constantFrom('owner@example.com', 'a@b', 'A@B.CO\u0000', 'x'.repeat(300) + '@example.com'), weight: 1 },
  );
}

const number = fc.oneof(
  fc.constantFrom(0, -1, 1, 7, 25, 100, 101, 1000, 1001, 2 ** 31, 2 ** 53, -(2 ** 53), 1e21, 1e308, -1e308, 0.5, 0.001, 999_999_999_999.99, 1_000_000_000_000),
  fc.integer({ min: -10, max: 2000 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

/** Any JSON value, biased toward the hostile scalars. */
export function hostileJson(vocab: Vocabulary, pool: IdPool): fc.Arbitrary<unknown> {
  const str = hostileString(vocab, pool);
  const scalar = fc.oneof({ arbitrary: str, weight: 6 }, { arbitrary: number, weight: 2 }, { arbitrary: fc.boolean(), weight: 1 }, { arbitrary: fc.constant(null), weight: 1 });
  const { value } = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      { arbitrary: scalar, weight: 8 },
      { arbitrary: fc.array(tie('value'), { maxLength: 4 }), weight: 1 },
      { arbitrary: fc.dictionary(fc.constantFrom(...vocab.keys), tie('value'), { maxKeys: 3 }), weight: 1 },
    ),
  }));
  return value;
}

/** A request body: mostly objects in the API's vocabulary, sometimes raw text that is not what was asked for. */
export function hostileBody(vocab: Vocabulary, pool: IdPool): fc.Arbitrary<{ raw: string; contentType?: string } | undefined> {
  const json = hostileJson(vocab, pool);
  const object = fc.dictionary(fc.constantFrom(...vocab.keys), json, { maxKeys: 6 });
  return fc.oneof(
    { arbitrary: object.map((o) => ({ raw: JSON.stringify(o) })), weight: 12 },
    { arbitrary: json.map((v) => ({ raw: JSON.stringify(v) ?? 'null' })), weight: 2 },
    {
      arbitrary: fc.constantFrom(
        '', '{', '{"a":', '[', 'nul', '{"url":"\\u0000"}', '{"name":"\\ud800"}', '{"tags":["\\u0000"]}', '1e999', '{"a":1}{"b":2}',
        '[' .repeat(2000), '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{"x":1}}}', '\u0000', '\ufeff{}',
      ).map((raw) => ({ raw })),
      weight: 2,
    },
    {
      arbitrary: fc
        .tuple(object, fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data', 'application/json; charset=latin1'))
        .map(([o, contentType]) => ({ raw: JSON.stringify(o), contentType })),
      weight: 1,
    },
    { arbitrary: fc.constant(undefined), weight: 1 },
  );
}

/** A query string in the API's vocabulary (keys may repeat), values hostile. */
export function hostileQuery(vocab: Vocabulary, pool: IdPool): fc.Arbitrary<string> {
  const pair = fc.tuple(fc.oneof({ arbitrary: fc.constantFrom(...vocab.keys), weight: 9 }, { arbitrary: fc.string({ maxLength: 6 }), weight: 1 }), hostileString(vocab, pool));
  return fc.array(pair, { maxLength: 6 }).map((pairs) => {
    const q = new URLSearchParams();
    for (const [k, v] of pairs) q.append(k, v);
    const s = q.toString();
    return s ? `?${s}` : '';
  });
}

/** Percent-encodes a path segment; an unpaired surrogate (which encodeURIComponent refuses) becomes its CESU bytes, invalid UTF-8. */
function encodePathSegment(s: string): string {
  return [...s].map((ch) => (/^[\ud800-\udfff]$/.test(ch) ? '%ED%A0%80' : encodeURIComponent(ch))).join('');
}

/** A path parameter: an id of the organization, a random uuid, or something that is not an id at all. */
export function hostileParam(vocab: Vocabulary, pool: IdPool): fc.Arbitrary<string> {
  return fc.oneof(
    { arbitrary: poolId(pool), weight: 12 },
    { arbitrary: fc.uuid(), weight: 1 },
    { arbitrary: fc.constantFrom('00000000-0000-0000-0000-000000000000', 'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF'), weight: 1 },
    { arbitrary: hostileString(vocab, pool).filter((s) => s.length > 0).map(encodePathSegment), weight: 4 },
    { arbitrary: fc.constantFrom('%00', '%', '%zz', '..', '%2e%2e', '%2F', 'a%00b', '%ED%A0%80', '%C0%80'), weight: 2 },
  );
}
