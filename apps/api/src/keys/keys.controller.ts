import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Req, UseGuards } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { isKeyId, notFound, type Actor } from '#keys';
import { CurrentActor } from '../auth/current-actor.decorator.js';
import { SettingsAuthGuard } from '../auth/settings-auth.guard.js';
import { AcknowledgeNoticeCommand } from './acknowledge/acknowledge-notice.command.js';
import { DeleteKeyCommand } from './delete/delete-key.command.js';
import { KeysListParams } from './list/keys-list.params.js';
import { ListKeysQuery } from './list/list-keys.query.js';
import { MintKeyBody } from './mint/mint-key.body.js';
import { MintKeyCommand } from './mint/mint-key.command.js';
import { RevokeKeyCommand } from './revoke/revoke-key.command.js';
import { ApiProblems } from '../docs/problem.view.js';
import { AcknowledgementView, KeysPageView, MintedKeyView, RevokedKeyView } from './keys.views.js';

/** A path id that cannot be a key id is answered like an unknown key. */
const keyIdParam = (id: string): string => {
  if (!isKeyId(id)) throw notFound(`No API key with id ${id}.`);
  return id;
};

/** The settings page's API: validate, dispatch, answer. The rules live in the decider. */
@ApiTags('keys')
@ApiBearerAuth('settings-jwt')
@ApiProblems(400, 401)
@UseGuards(SettingsAuthGuard)
@Controller('api/keys')
export class KeysController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post('acknowledgements')
  @ApiOperation({
    summary: 'Acknowledge the security notice; valid 15 minutes for one mint. At most 3 unused at a time: a 4th answers 429 with Retry-After.',
  })
  @ApiCreatedResponse({ type: AcknowledgementView })
  @ApiProblems(429)
  acknowledge(@CurrentActor() actor: Actor, @Req() req: { id: string }) {
    return this.commands.execute(new AcknowledgeNoticeCommand(actor, req.id));
  }

  @Post()
  @ApiOperation({ summary: 'Mint a key; the token is in this response and nowhere else, ever' })
  @ApiCreatedResponse({ type: MintedKeyView })
  @ApiProblems(409)
  mint(@CurrentActor() actor: Actor, @Body() body: MintKeyBody, @Req() req: { id: string }) {
    return this.commands.execute(new MintKeyCommand(actor, body.acknowledgementId, body.label, req.id));
  }

  @Get()
  @ApiOperation({
    summary: 'List keys, newest first (all of the company for root and settings:edit, else your own)',
    description: 'Filtered by status and creator; pages of `limit` (default and most 100), the next one by `cursor` = nextCursor.',
  })
  @ApiOkResponse({ type: KeysPageView })
  list(@CurrentActor() actor: Actor, @Query() params: KeysListParams) {
    return this.queries.execute(new ListKeysQuery(actor, { ...params, limit: params.limit ?? 100 }));
  }

  @Post(':id/revoke')
  @HttpCode(200)
  @ApiOperation({ summary: 'Revoke a key; effective at once. A second revoke answers 409.' })
  @ApiOkResponse({ type: RevokedKeyView })
  @ApiProblems(404, 409)
  async revoke(@CurrentActor() actor: Actor, @Param('id') id: string, @Req() req: { id: string }) {
    return { key: await this.commands.execute(new RevokeKeyCommand(actor, keyIdParam(id), req.id)) };
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a revoked or expired key (root users only); its history stays' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiProblems(403, 404, 409)
  async remove(@CurrentActor() actor: Actor, @Param('id') id: string, @Req() req: { id: string }): Promise<void> {
    await this.commands.execute(new DeleteKeyCommand(actor, keyIdParam(id), req.id));
  }
}
