/**
 * The layering of src/ (DESIGN.md "Imports point down"): http → workflows/queues → steps →
 * db/platforms → domain. `npm run lint` runs it (and `npm test` before vitest); there are no
 * exceptions: a file that needs something from a higher layer means that thing belongs lower.
 * test/startup/layering.test.mjs proves each rule fails on an upward import.
 */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment: 'src/domain holds the rules everyone imports; it imports nothing else of ours.',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { path: '^src/', pathNot: '^src/domain/' },
    },
    {
      name: 'db-stays-below',
      comment: 'src/db is queries only: it never imports steps, workflows, queues, http or ops.',
      severity: 'error',
      from: { path: '^src/db/' },
      to: { path: '^src/(steps|workflows|queues|http|ops)/' },
    },
    {
      name: 'steps-below-workflows-and-queues',
      comment: 'steps are what workflows and queue consumers call; they do not call back up.',
      severity: 'error',
      from: { path: '^src/steps/' },
      to: { path: '^src/(workflows|queues|http)/' },
    },
    {
      name: 'platforms-below-steps',
      comment: 'platform adapters only speak to the platforms: no database, steps or anything above.',
      severity: 'error',
      from: { path: '^src/platforms/' },
      to: { path: '^src/(db|steps|workflows|queues|http|ops)/' },
    },
    {
      name: 'http-is-the-top',
      comment: 'only the HTTP layer itself and the Worker entry (src/index.ts) import src/http.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/(http/|index\\.ts$)' },
      to: { path: '^src/http/' },
    },
    {
      name: 'entry-is-imported-by-nobody',
      comment: 'src/index.ts only wires; nothing imports it.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^src/index\\.ts$' },
    },
  ],
  options: {
    // type-only imports count: a type from a higher layer is an upward dependency too
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^src/ops/ui/' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.mjs'] },
  },
};
