import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Actor } from '#keys';
import { CurrentActor } from '../auth/current-actor.decorator.js';
import { SettingsAuthGuard } from '../auth/settings-auth.guard.js';
import { ApiProblems } from '../docs/problem.view.js';
import { ActivityPageView } from './activity-entry.view.js';
import { ActivityParams } from './activity.params.js';
import { GetActivityQuery } from './get-activity.query.js';

@ApiTags('activity')
@ApiBearerAuth('settings-jwt')
@ApiProblems(400, 401)
@UseGuards(SettingsAuthGuard)
@Controller('api/activity')
export class ActivityController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @ApiOperation({
    summary: 'Activity feed, newest first, with the same visibility as the keys list',
    description:
      'One entry per lifecycle event, and one per minute, key, tool and client for uses (type KeyUsed, with count, ' +
      'firstAt, lastAt, outcomes). A roll-up moves to the top when it grows. Paging with nextCursor never repeats an ' +
      'entry nor goes out of order; a roll-up that grows while you page moves above the pages already read (read the ' +
      'first page again to see it).',
  })
  @ApiOkResponse({ type: ActivityPageView })
  activity(@CurrentActor() actor: Actor, @Query() params: ActivityParams) {
    return this.queries.execute(new GetActivityQuery(actor, { ...params, limit: params.limit ?? 50 }));
  }
}
