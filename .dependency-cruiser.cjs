/**
 * The layers of HuntOps, checked by `npm test` (`npm run depcheck`): who may import whom, and no
 * import cycles. DESIGN.md "Architecture we want" is the source of these rules.
 *
 *   app (composition root) ──► teams ──► core ──► hunt ──► kql
 *      cli ──┘                  │         │        └────► backends ──► kql
 *                               └► cards ─┘        store      config
 */

/**
 * The KQL engine's own recursion: the compiler's (expressions hold tabular sub-queries and the
 * reverse) and `Table.fromRecords` building through `TableBuilder`, which builds a `Table`.
 */
const KQL_RECURSION = '^src/kql/(compile-[a-z-]+|[a-z-]+-step|aggregates|list-operators|table|table-builder)\\.ts$';

/** The configuration: `config.ts` (the loader) with `config-types.ts` (names, defaults, types) and `config-env.ts` (the schema). */
const CONFIG = 'config(-env|-types)?\\.ts';

const TRANSPORT_PACKAGES = '^node_modules/(botbuilder|botbuilder-[a-z-]+|botframework-[a-z-]+|restify)/';

module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      comment: 'No import cycles, except the KQL engine\'s own recursion (see KQL_RECURSION).',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true, viaSomeNot: KQL_RECURSION },
    },
    {
      name: 'kql-stands-alone',
      comment: 'The KQL engine depends on nothing above it.',
      severity: 'error',
      from: { path: '^src/kql/' },
      to: { path: '^src/', pathNot: '^src/kql/' },
    },
    {
      name: 'kql-through-its-barrel',
      comment: 'Outside the engine, KQL is used through its entries only: src/kql/index.ts, or src/kql/tables.ts for code that reads data into tables without the query language (the loading threads).',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/kql/' },
      to: { path: '^src/kql/', pathNot: '^src/kql/(index|tables)\\.ts$' },
    },
    {
      name: 'backends-below-core',
      comment: 'Backends run queries; they know nothing of commands, stores, Teams or the configuration.',
      severity: 'error',
      from: { path: '^src/backends/' },
      to: { path: `^src/(core|teams|app|cli|cards|store|${CONFIG})` },
    },
    {
      name: 'hunt-below-core',
      comment: 'Hunt building blocks (catalog, builders, rules) know nothing of commands, Teams or the configuration.',
      severity: 'error',
      from: { path: '^src/hunt/' },
      to: { path: `^src/(core|teams|app|cli|cards|${CONFIG})` },
    },
    {
      name: 'store-below-core',
      comment: 'The store keeps records; it knows nothing of the layers that use it.',
      severity: 'error',
      from: { path: '^src/store/' },
      to: { path: `^src/(core|teams|app|cli|cards|backends|hunt|${CONFIG})` },
    },
    {
      name: 'config-below-transports',
      comment: 'The configuration reads the environment; it does not depend on Teams, the core or the assembly.',
      severity: 'error',
      from: { path: `^src/${CONFIG}$` },
      to: { path: '^src/(core|teams|app|cli|cards|backends)' },
    },
    {
      name: 'core-is-plain',
      comment: 'The core decides; it knows nothing of Teams, cards, the CLI or the assembly.',
      severity: 'error',
      from: { path: '^src/core/' },
      to: { path: `^src/(teams|app|cli|cards|${CONFIG})` },
    },
    {
      name: 'cards-render-views',
      comment: 'Cards render views; they know nothing of Teams or the assembly.',
      severity: 'error',
      from: { path: '^src/cards/' },
      to: { path: '^src/(teams|app|cli)' },
    },
    {
      name: 'one-transport-seam',
      comment: 'Only src/teams/ imports botbuilder or restify.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/teams/' },
      to: { path: TRANSPORT_PACKAGES },
    },
    {
      name: 'assembly-on-top',
      comment: 'Only the entry points (src/index.ts, the CLI) use the composition root.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/(app/|cli/|index\\.ts$)' },
      to: { path: '^src/app/' },
    },
    {
      name: 'teams-is-a-transport',
      comment: 'The Teams seam is used by the composition root only.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/(app|teams)/' },
      to: { path: '^src/teams/' },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    exclude: { path: '^src/hunt/rmm-catalog\\.json$' },
  },
};
