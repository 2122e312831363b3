import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, getSchemaPath, type OpenAPIObject } from '@nestjs/swagger';
import { ProblemView } from './problem.view.js';

/**
 * The three credentials Keygate takes, each a bearer token of its own kind: the host product's user JWT (settings
 * API, audit), the host backend's service token (POST /api/verify), and an API key (the MCP endpoint).
 */
const SECURITY = {
  'settings-jwt': 'A JWT from the host product\'s identity provider (claims: README "Adopting Keygate").',
  'service-token': 'One of KEYGATE_SERVICE_TOKENS: the host backend\'s credential for POST /api/verify. Never a key.',
  'api-key': 'A Keygate API key (kg_…), as MCP clients send it. Only in the Authorization header, never in the URL.',
} as const;

/**
 * /api/mcp is served by the MCP SDK behind the guard (mcp/mcp-endpoint.ts), not by a Nest controller, so it is
 * described here by hand: one operation, JSON-RPC in, JSON or an SSE stream out.
 */
const mcpPath = (): OpenAPIObject['paths'][string] => {
  const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: { $ref: getSchemaPath(ProblemView) } } } });
  return {
    post: {
      tags: ['mcp'],
      operationId: 'mcp',
      summary: 'The MCP endpoint (Streamable HTTP, stateless): tools act with the key creator\'s permissions, snapshotted at mint',
      description:
        'Send JSON-RPC 2.0 messages (initialize, tools/list, tools/call, ping…) with `Accept: application/json, text/event-stream`. ' +
        'Every use is recorded as a KeyUsed (durable before the answer). A tool the key lacks the permission for is absent from ' +
        'tools/list, and a tools/call of it is refused: 403 with `WWW-Authenticate: Bearer error="insufficient_scope", scope="<the ' +
        'permissions it needs>"` (in a batch: a JSON-RPC error, code -32003, with the same in its data). A key being replaced by a ' +
        'rotation says so on every answer: `Keygate-Key-Replaced-By` (the new key id) and `Sunset` (RFC 8594: when it stops ' +
        'working). Limits: KEYGATE_RATE_LIMIT_PER_MINUTE per key, KEYGATE_MAX_REQUEST_BYTES per request.',
      security: [{ 'api-key': [] }],
      parameters: [{ name: 'mcp-protocol-version', in: 'header', required: false, schema: { type: 'string', example: '2025-06-18' } }],
      requestBody: {
        required: true,
        content: { 'application/json': { schema: { type: 'object', description: 'A JSON-RPC 2.0 request, notification or response, or a batch', additionalProperties: true } } },
      },
      responses: {
        '200': {
          description: 'The JSON-RPC response (JSON), or a stream of messages (SSE)',
          headers: {
            'Keygate-Key-Replaced-By': { description: 'Only for a key in its rotation\'s overlap: the id of the key replacing it', schema: { type: 'string' } },
            Sunset: { description: 'With Keygate-Key-Replaced-By (RFC 8594): when this key stops working, an HTTP date', schema: { type: 'string' } },
          },
          content: { 'application/json': { schema: { type: 'object', additionalProperties: true } }, 'text/event-stream': { schema: { type: 'string' } } },
        },
        '202': { description: 'A notification or response was accepted' },
        '400': problem('Not JSON-RPC, or JSON nested too deep'),
        '401': problem('No key, or a key that is invalid, revoked, expired or suspended (WWW-Authenticate: Bearer error="invalid_token")'),
        '403': problem(
          'An Origin that is not allowed; or a tools/call of a tool the key lacks permissions for ' +
            '(WWW-Authenticate: Bearer error="insufficient_scope", scope="<permissions needed>")',
        ),
        '406': problem('Accept must allow application/json and text/event-stream'),
        '413': problem('Request larger than KEYGATE_MAX_REQUEST_BYTES'),
        '415': problem('Not application/json'),
        '429': problem("The key's rate limit, or too many failed secrets from this client (Retry-After)"),
      },
    },
  };
};

/** OpenAPI document at /api/docs (UI) and /api/docs-json: every route, its answers and its problems. */
export const setupOpenApi = (app: INestApplication): void => {
  let builder = new DocumentBuilder()
    .setTitle('Keygate')
    .setDescription('API keys for MCP clients: acknowledge, mint (token shown once), list, revoke, delete, activity, audit, verify; and the MCP endpoint.')
    .setVersion('0.1.0')
    .setLicense('Apache-2.0', 'https://www.apache.org/licenses/LICENSE-2.0');
  for (const [name, description] of Object.entries(SECURITY)) {
    builder = builder.addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: name === 'settings-jwt' ? 'JWT' : undefined, description }, name);
  }
  const document = SwaggerModule.createDocument(app, builder.build(), { extraModels: [ProblemView] });
  document.paths['/api/mcp'] = mcpPath();
  SwaggerModule.setup('api/docs', app, document);
};
