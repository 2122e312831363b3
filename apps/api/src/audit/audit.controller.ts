import { Readable } from 'node:stream';
import { Controller, Get, Header, Query, StreamableFile, UseGuards } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { ndjsonChunks, parseInstant } from '#audit';
import type { Actor } from '#keys';
import { CurrentActor } from '../auth/current-actor.decorator.js';
import { SettingsAuthGuard } from '../auth/settings-auth.guard.js';
import { ApiProblems } from '../docs/problem.view.js';
import { AuditEventsQuery } from './audit-events.query.js';
import { KeysAtView } from './audit.views.js';
import { AuditEventsParams, KeysAtParams } from './audit.params.js';
import { KeysAtQuery } from './keys-at.query.js';

const time = (value: string | undefined) => (value === undefined ? undefined : (parseInstant(value) ?? undefined));

@ApiTags('audit')
@ApiBearerAuth('settings-jwt')
@ApiProblems(400, 401, 403)
@UseGuards(SettingsAuthGuard)
@Controller('api/audit')
export class AuditController {
  constructor(private readonly queries: QueryBus) {}

  @Get('events')
  @ApiOperation({
    summary: "The company's history as NDJSON, with the digests that cover it (root users)",
    description:
      'One event a line in log order (position, stream, revision, eventId, type, recordedAt, data, metadata), never a ' +
      "token or a verifier (KeyMinted's verifier is replaced by its SHA-256). Each signed digest (type AuditDigest) " +
      'covering an exported event follows it, so the file can be verified on its own: ' +
      '`npm run audit -- verify --input file --public-key key.pem`. Streamed: a failure after the first line ends the body early, ' +
      'which a verifier sees as events no digest covers.',
  })
  @ApiProduces('application/x-ndjson')
  @ApiOkResponse({ description: 'NDJSON: one AuditRecord a line (position, stream, revision, eventId, type, recordedAt, data, metadata)', content: { 'application/x-ndjson': { schema: { type: 'string' } } } })
  @Header('cache-control', 'no-store')
  async events(@CurrentActor() actor: Actor, @Query() params: AuditEventsParams): Promise<StreamableFile> {
    // The query runs (and refuses a non-root actor) before the first byte, so refusals are problem+json.
    const records = await this.queries.execute(new AuditEventsQuery(actor, { keyId: params.keyId, from: time(params.from), to: time(params.to) }));
    return new StreamableFile(Readable.from(ndjsonChunks(records)), { type: 'application/x-ndjson; charset=utf-8' });
  }

  @Get('keys')
  @ApiOperation({ summary: "The company's keys as they stood at an instant, from the history alone (root users)" })
  @ApiOkResponse({ type: KeysAtView })
  keys(@CurrentActor() actor: Actor, @Query() params: KeysAtParams) {
    return this.queries.execute(new KeysAtQuery(actor, parseInstant(params.at)!));
  }
}
