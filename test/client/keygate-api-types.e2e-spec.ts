import { readFileSync, writeFileSync } from 'node:fs';
import openapiTS, { astToString } from 'openapi-typescript';
import { bootKeygate, type Keygate } from '#test-support/keygate-harness';

// libs/client's types are generated from the OpenAPI document the app serves (/api/docs-json) by openapi-typescript.
// This test regenerates them and fails when the committed file differs; `npm run client:generate` runs it in write
// mode (KEYGATE_CLIENT_TYPES=write) to refresh the file after a route or a schema changed. A .ts file of types only (not
// .d.ts): imported as './keygate-api.js' like any module, which dependency-cruiser resolves (test/architecture).

const TYPES_FILE = new URL('../../libs/client/src/keygate-api.ts', import.meta.url);
const HEADER =
  '// Generated from the OpenAPI document Keygate serves at /api/docs-json, by openapi-typescript.\n' +
  '// Do not edit: run `npm run client:generate` (test/client/keygate-api-types.e2e-spec.ts checks it is current).\n\n';

describe('libs/client types', () => {
  let kg: Keygate;
  beforeAll(async () => {
    kg = await bootKeygate();
  });
  afterAll(async () => {
    await kg?.close();
  });

  it('are what openapi-typescript generates from the served document (npm run client:generate refreshes them)', async () => {
    const res = await kg.api().get('/api/docs-json');
    expect(res.status).toBe(200);
    const generated = HEADER + astToString(await openapiTS(res.body));
    // Sanity: the document describes verify and the settings calls the client wraps.
    for (const path of ['/api/verify', '/api/keys', '/api/keys/acknowledgements', '/api/keys/{id}/revoke', '/api/keys/{id}', '/api/activity']) {
      expect(generated).toContain(`"${path}": {`);
    }

    if (process.env.KEYGATE_CLIENT_TYPES === 'write') writeFileSync(TYPES_FILE, generated);
    const committed = readFileSync(TYPES_FILE, 'utf8');
    // Compared as text: a stale file fails with the difference shown.
    expect(committed).toBe(generated);
  });
});
