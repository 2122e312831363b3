import { readFileSync } from 'node:fs';
// Jest runs in native ESM mode (NestJS 12 is ESM-only; see README "Toolchain").
// @swc/jest strips types and keeps decorator metadata, which Nest's DI needs.
const swc = [
  '@swc/jest',
  {
    jsc: {
      target: 'es2023',
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
    },
    module: { type: 'es6' },
  },
];

// Libs are imported by name (package.json "imports": #keys, #event-store/kurrent, #test-support/…): jest maps each
// to the TypeScript source its "types" condition names, as tsc does.
const { imports } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));
const byName = Object.fromEntries(
  Object.entries(imports).map(([name, { types }]) => [
    `^${name.replace('*', '(.*)')}$`,
    `<rootDir>/${types.replace(/^\.\//, '').replace('*', '$1')}`,
  ]),
);

const common = {
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': swc },
  // Sources import './x.js' (NodeNext); jest resolves the .ts file.
  moduleNameMapper: { ...byName, '^(\\.{1,2}/.*)\\.js$': '$1' },
  testEnvironment: 'node',
};

export default {
  // Detects once whether a container runtime exists (see test/support/container-runtime.ts).
  globalSetup: '<rootDir>/test/support/jest-global-setup.js',
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs}/**/*.spec.ts'] },
    { ...common, displayName: 'integration', testMatch: ['<rootDir>/{apps,libs,test}/**/*.int-spec.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'] },
  ],
};
