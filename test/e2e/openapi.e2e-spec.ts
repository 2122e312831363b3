import { bootKeygate, type Keygate } from '#test-support/keygate-harness';

type Operation = {
  security?: Record<string, string[]>[];
  requestBody?: { content: Record<string, { schema: unknown }> };
  responses: Record<string, { content?: Record<string, { schema?: { $ref?: string; type?: string } }> }>;
};

// The served OpenAPI document describes every /api route fully enough for a generated client: its credential,
// its request and success schemas, and its problem+json answers.
describe('the OpenAPI document (/api/docs-json)', () => {
  let kg: Keygate;
  let doc: { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> } };
  beforeAll(async () => {
    kg = await bootKeygate();
    doc = (await kg.api().get('/api/docs-json')).body;
  });
  afterAll(() => kg.close());

  const operations = () =>
    Object.entries(doc.paths)
      .filter(([path]) => path.startsWith('/api/'))
      .flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ at: `${method.toUpperCase()} ${path}`, op })));
  const refOf = (name: string) => `#/components/schemas/${name}`;

  it('names three credentials, and every /api operation requires one', () => {
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(['api-key', 'service-token', 'settings-jwt']);
    const ops = operations();
    expect(ops.length).toBeGreaterThanOrEqual(10);
    for (const { at, op } of ops) expect([at, op.security?.length ?? 0]).toEqual([at, 1]);
  });

  it('gives every operation a success answer with a schema, and problem+json answers with the Problem schema', () => {
    for (const { at, op } of operations()) {
      const success = Object.entries(op.responses).filter(([status]) => /^2\d\d$/.test(status));
      expect([at, success.length > 0]).toEqual([at, true]);
      for (const [status, answer] of success) {
        if (status === '204' || status === '202') continue;
        const schemas = Object.values(answer.content ?? {}).map((c) => c.schema);
        expect([at, status, schemas.length > 0 && schemas.every((s) => Boolean(s?.$ref || s?.type))]).toEqual([at, status, true]);
      }
      const problems = Object.entries(op.responses).filter(([status]) => /^[45]\d\d$/.test(status));
      expect([at, problems.length > 0]).toEqual([at, true]);
      for (const [, answer] of problems) expect(answer.content?.['application/problem+json']?.schema?.$ref).toBe(refOf('ProblemView'));
    }
  });

  it('describes the mint answer (the token is readable), the list page and the MCP endpoint', () => {
    const mint = doc.paths['/api/keys'].post;
    expect(mint.responses['201'].content!['application/json'].schema!.$ref).toBe(refOf('MintedKeyView'));
    expect(doc.components.schemas.MintedKeyView).toMatchObject({ required: expect.arrayContaining(['key', 'token', 'setup']) });
    expect(mint.requestBody!.content['application/json'].schema).toEqual({ $ref: refOf('MintKeyBody') });
    expect(doc.paths['/api/keys'].get.responses['200'].content!['application/json'].schema!.$ref).toBe(refOf('KeysPageView'));
    expect(doc.paths['/api/mcp'].post.security).toEqual([{ 'api-key': [] }]);
    expect(Object.keys(doc.paths['/api/mcp'].post.responses['200'].content!)).toEqual(['application/json', 'text/event-stream']);
  });
});
