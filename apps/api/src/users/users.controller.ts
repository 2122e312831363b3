import { Controller, HttpCode, Param, Post, Req, UseGuards } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { invalid, type Actor } from '#keys';
import { CurrentActor } from '../auth/current-actor.decorator.js';
import { SettingsAuthGuard } from '../auth/settings-auth.guard.js';
import { ApiProblems } from '../docs/problem.view.js';
import { RevokeUserKeysCommand } from './offboard/revoke-user-keys.command.js';
import { RevokedUserKeysView } from './users.views.js';

// A user id as events carry it (the event schema's identifier), checked before it reaches the decider.
const USER_ID = /^[A-Za-z0-9._:@|-]{1,128}$/;

/** What the settings API does to a person's keys as a whole: offboarding. */
@ApiTags('users')
@ApiBearerAuth('settings-jwt')
@ApiProblems(400, 401, 403)
@UseGuards(SettingsAuthGuard)
@Controller('api/users')
export class UsersController {
  constructor(private readonly commands: CommandBus) {}

  @Post(':userId/keys/revoke')
  @HttpCode(200)
  @ApiOperation({
    summary: "Offboarding: revoke every working or suspended key of one user of your company (root users)",
    description:
      'One KeyRevoked per key, all under this request\'s correlation id, effective at once. A user with no such key ' +
      'left answers 200 with an empty list, so the step can be repeated. Deactivating a user in the product does not ' +
      'revoke their keys by itself: this is the explicit step.',
  })
  @ApiOkResponse({ type: RevokedUserKeysView })
  offboard(@CurrentActor() actor: Actor, @Param('userId') userId: string, @Req() req: { id: string }) {
    if (!USER_ID.test(userId)) throw invalid('userId must be 1 to 128 of A-Z a-z 0-9 . _ : @ | -');
    return this.commands.execute(new RevokeUserKeysCommand(actor, userId, req.id));
  }
}
