import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Actor } from '#keys';
import { CurrentActor } from '../auth/current-actor.decorator.js';
import { SettingsAuthGuard } from '../auth/settings-auth.guard.js';
import { ActivityParams } from './activity.params.js';
import { GetActivityQuery } from './get-activity.query.js';

@ApiTags('activity')
@ApiBearerAuth()
@UseGuards(SettingsAuthGuard)
@Controller('api/activity')
export class ActivityController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @ApiOperation({ summary: 'Activity feed, newest first, with the same visibility as the keys list' })
  activity(@CurrentActor() actor: Actor, @Query() params: ActivityParams) {
    return this.queries.execute(new GetActivityQuery(actor, { ...params, limit: params.limit ?? 50 }));
  }
}
