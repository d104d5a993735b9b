// Small helpers shared by the benchmark scripts (scripts/bench.mjs, scripts/bench-analytics.mjs,
// scripts/analytics-measure.mjs), so their flags and figures read the same.
import net from 'node:net';
import os from 'node:os';

/** `--videos 100000 --days 30` → { videos: '100000', days: '30' } (every flag takes a value). */
export const parseArgs = (argv = process.argv.slice(2)) =>
  Object.fromEntries(argv.reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []));

/** The benchmark catalogue's size: the same flags and defaults in every script. */
export const catalogueFlags = (args) => ({ videos: Number(args.videos ?? 100_000), days: Number(args.days ?? 30) });

export const freePort = () =>
  new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

export const machine = () =>
  `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`;

/** Nearest-rank percentile (p in 0…100) of a list of numbers. */
export const percentile = (xs, p) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
};
export const median = (xs) => percentile(xs, 50);

/** 3.21 ms, 42 ms, 1,234 ms */
export const fmtMs = (x) => `${x < 10 ? x.toFixed(2) : Math.round(x).toLocaleString('en-US')} ms`;

/** Milliseconds `fn` takes (and its result). */
export async function timed(fn) {
  const t = performance.now();
  const result = await fn();
  return { ms: performance.now() - t, result };
}
