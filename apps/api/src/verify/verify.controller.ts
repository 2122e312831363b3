import { Body, Controller, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiResponse, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { ApiProblems, ProblemView } from '../docs/problem.view.js';
import { ServiceTokenGuard } from './service-token.guard.js';
import { VerifyKeyBody } from './verify-key.body.js';
import { VerifyKeyCommand } from './verify-key.command.js';
import { VerifyKeyView } from './verify-key.view.js';

/** The OpenAPI name of the service credential's security scheme (the document's components.securitySchemes). */
export const SERVICE_TOKEN_SCHEME = 'service-token';

/** Verification of keys for the host product's own routes: validate, dispatch, answer. The checks are the guard's. */
@ApiTags('verify')
@ApiBearerAuth(SERVICE_TOKEN_SCHEME)
@UseGuards(ServiceTokenGuard)
@Controller('api/verify')
export class VerifyController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Verify an API key for one of your own routes (host backends, with a service token)',
    description:
      'Runs the checks /api/mcp runs (format, status, expiry, secret, the key\'s rate limit: a verify counts against it) and ' +
      'records the use (KeyUsed, with `route` as its tool). Always 200 once the service token is accepted: `valid` and `code` ' +
      'say whether to admit the request. A suspended key is SUSPENDED (it may be resumed); a rotated key is VALID during its ' +
      'overlap with `replacedBy` and `overlapEndsAt` set (tell its holder), and REVOKED from overlapEndsAt on.',
  })
  @ApiOkResponse({ type: VerifyKeyView })
  @ApiProblems(400, 401, 503)
  // Not the settings API's "no such key": the route itself is off.
  @ApiResponse({
    status: 404,
    description: 'Verify is off on this Keygate: KEYGATE_SERVICE_TOKENS is not set',
    content: { 'application/problem+json': { schema: { $ref: getSchemaPath(ProblemView) } } },
  })
  verify(@Body() body: VerifyKeyBody, @Req() req: { id: string; headers: Record<string, string | string[] | undefined> }) {
    const userAgent = req.headers['user-agent'];
    return this.commands.execute(
      new VerifyKeyCommand(body.key, body.permissions ?? [], body.route ?? null, body.clientAddress ?? null, req.id, typeof userAgent === 'string' ? userAgent : null),
    );
  }
}
