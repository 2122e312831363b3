/**
 * The architecture, as rules dependency-cruiser checks on every `npm test` (dependency-rules.int-spec.ts).
 * Each says why; a violation names the rule and the two files.
 */
export const DEPENDENCY_RULES = {
  forbidden: [
    {
      name: 'no-cycles',
      comment: 'An import cycle makes load order matter and two modules change together: none anywhere.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'domain-is-pure',
      comment: 'The deciders (libs/keys/src/domain) import nothing outside themselves but zod, their schema library.',
      severity: 'error',
      // Its tests (*.spec.ts, the given/when/then helper decider-spec.ts and its fixtures) may use node:assert and test data.
      from: { path: '^libs/keys/src/domain/', pathNot: ['\\.spec\\.ts$', 'decider-(spec|fixtures)\\.ts$'] },
      to: { pathNot: ['^libs/keys/src/domain/', 'node_modules/zod/'] },
    },
    {
      name: 'apps-never-import-each-other',
      comment: 'What both apps need lives in libs; an app is a composition root, not a library.',
      severity: 'error',
      from: { path: '^apps/([^/]+)/' },
      to: { path: '^apps/', pathNot: '^apps/$1/' },
    },
    {
      name: 'libs-never-import-apps',
      comment: 'Libs are the house the apps are built from; they cannot depend on one.',
      severity: 'error',
      from: { path: '^libs/', pathNot: '\\.(int-|e2e-)?spec\\.ts$' },
      to: { path: '^apps/' },
    },
    {
      name: 'sqlite-driver-in-its-adapter',
      comment:
        'better-sqlite3 only in the SQLite event store adapter (others take its SqliteDb type). Tests may open the file ' +
        'read-only on their own, as an independent observer of what the store wrote.',
      severity: 'error',
      from: { pathNot: ['^libs/event-store/src/sqlite/', '\\.(int-|e2e-)?spec\\.ts$'] },
      to: { path: 'node_modules/better-sqlite3/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'kurrentdb-client-in-its-adapter',
      comment: 'The KurrentDB client only in the KurrentDB event store adapter.',
      severity: 'error',
      from: { pathNot: '^libs/event-store/src/kurrent/' },
      to: { path: 'node_modules/@kurrent/' },
    },
    {
      name: 'mongodb-driver-in-its-adapters',
      comment: 'The mongodb driver only in the MongoDB read side, the production runtime and the operator command that reads parked events there.',
      severity: 'error',
      from: { pathNot: ['^libs/projections/src/.*mongo[^/]*\\.ts$', '^libs/audit/src/replay/.*mongo[^/]*\\.ts$', '^libs/runtime/src/production-runtime\\.ts$', '^apps/api/src/cli/parked-events\\.ts$'] },
      to: { path: 'node_modules/mongodb/' },
    },
    {
      name: 'embedded-profile-never-loads-production-drivers',
      comment: 'The embedded profile (the #projections entry, the embedded runtime) must not reach the mongodb driver or the KurrentDB client, even indirectly.',
      severity: 'error',
      from: { path: ['^libs/projections/src/index\\.ts$', '^libs/runtime/src/embedded-runtime\\.ts$', '^libs/event-store/src/index\\.ts$'] },
      to: { path: ['node_modules/mongodb/', 'node_modules/@kurrent/'], reachable: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    combinedDependencies: false,
    // Libs are imported by name through package.json "imports" (#keys…), whose "types" condition names the source.
    enhancedResolveOptions: {
      conditionNames: ['types', 'import', 'default'],
      extensions: ['.ts', '.js', '.json'],
      extensionAlias: { '.js': ['.ts', '.js'] },
      importsFields: ['imports'],
    },
  },
} as const;
