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
import { PermissionPresetsQuery } from './presets/permission-presets.query.js';
import { RotateKeyBody } from './rotate/rotate-key.body.js';
import { RotateKeyCommand } from './rotate/rotate-key.command.js';
import { SuspendKeyCommand } from './suspend/suspend-key.command.js';
import { ApiProblems } from '../docs/problem.view.js';
import {
  AcknowledgementView,
  KeysPageView,
  MintedKeyView,
  PermissionPresetsView,
  RevokedKeyView,
  RotatedKeyView,
} from './keys.views.js';

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
    return this.commands.execute(new MintKeyCommand(actor, body.acknowledgementId, body.label, req.id, body.permissions));
  }

  @Get('permission-presets')
  @ApiOperation({
    summary: 'Narrower keys you may mint: presets computed from your permissions (pass one\'s permissions to POST /api/keys)',
  })
  @ApiOkResponse({ type: PermissionPresetsView })
  presets(@CurrentActor() actor: Actor) {
    return this.queries.execute(new PermissionPresetsQuery(actor));
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

  @Post(':id/rotate')
  @ApiOperation({
    summary: 'Rotate a key: a new key (token shown once) while the old one keeps working for overlapSeconds',
    description:
      "The new key has the old one's label and permission snapshot and a fresh expiry; the old key is revoked by the " +
      'system when the overlap ends (never later than its own expiry), and until then the MCP endpoint answers it with ' +
      'Keygate-Key-Replaced-By and Sunset headers. The owner only (the new token acts as them: anyone else gets 403), and ' +
      'at the limits: the key being replaced stops counting while its replacement works. A key whose predecessor is still ' +
      'in its overlap answers 409.',
  })
  @ApiCreatedResponse({ type: RotatedKeyView })
  @ApiProblems(403, 404, 409)
  rotate(@CurrentActor() actor: Actor, @Param('id') id: string, @Body() body: RotateKeyBody, @Req() req: { id: string }) {
    return this.commands.execute(new RotateKeyCommand(actor, keyIdParam(id), body.overlapSeconds, req.id));
  }

  @Post(':id/suspend')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Suspend a key: refused at once, reversibly (resume). It still counts against the limits and still expires.',
  })
  @ApiOkResponse({ type: RevokedKeyView })
  @ApiProblems(404, 409)
  async suspend(@CurrentActor() actor: Actor, @Param('id') id: string, @Req() req: { id: string }) {
    return { key: await this.commands.execute(new SuspendKeyCommand(actor, keyIdParam(id), false, req.id)) };
  }

  @Post(':id/resume')
  @HttpCode(200)
  @ApiOperation({ summary: 'Resume a suspended key: it works again at once (unless it expired meanwhile: 409)' })
  @ApiOkResponse({ type: RevokedKeyView })
  @ApiProblems(404, 409)
  async resume(@CurrentActor() actor: Actor, @Param('id') id: string, @Req() req: { id: string }) {
    return { key: await this.commands.execute(new SuspendKeyCommand(actor, keyIdParam(id), true, req.id)) };
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
