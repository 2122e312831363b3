import { Body, Controller, Delete, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Actor } from '#keys';
import { CurrentActor } from '../auth/current-actor.decorator.js';
import { SettingsAuthGuard } from '../auth/settings-auth.guard.js';
import { ApiProblems } from '../docs/problem.view.js';
import { DeleteWebhookCommand } from './delete/delete-webhook.command.js';
import { WebhookDeliveriesQuery } from './deliveries/webhook-deliveries.query.js';
import { ListWebhooksQuery } from './list/list-webhooks.query.js';
import { RegisterWebhookBody } from './register/register-webhook.body.js';
import { RegisterWebhookCommand } from './register/register-webhook.command.js';
import { DeliveriesView, RegisteredWebhookView, WebhooksView } from './webhooks.views.js';

/** Webhook endpoints of the caller's company (root users): validate, dispatch, answer. Delivery runs off the requests. */
@ApiTags('webhooks')
@ApiBearerAuth('settings-jwt')
@ApiProblems(400, 401, 403, 503)
@UseGuards(SettingsAuthGuard)
@Controller('api/webhooks')
export class WebhooksController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @ApiOperation({
    summary: "Register an endpoint for the company's key lifecycle events (root users); the signing secret is in this response only",
    description:
      'Every lifecycle event (not each use) from now on is POSTed to the URL in the Standard Webhooks format (headers webhook-id, ' +
      'webhook-timestamp, webhook-signature), at least once, in log order, retried with backoff. At most 10 endpoints per company (409).',
  })
  @ApiCreatedResponse({ type: RegisteredWebhookView })
  @ApiProblems(409)
  register(@CurrentActor() actor: Actor, @Body() body: RegisterWebhookBody) {
    return this.commands.execute(new RegisterWebhookCommand(actor, body.url));
  }

  @Get()
  @ApiOperation({ summary: "The company's endpoints, oldest first, each with its latest attempt (root users); never a secret" })
  @ApiOkResponse({ type: WebhooksView })
  list(@CurrentActor() actor: Actor) {
    return this.queries.execute(new ListWebhooksQuery(actor));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove an endpoint and its delivery log (root users)' })
  @ApiNoContentResponse({ description: 'Removed' })
  @ApiProblems(404)
  async remove(@CurrentActor() actor: Actor, @Param('id') id: string): Promise<void> {
    await this.commands.execute(new DeleteWebhookCommand(actor, id));
  }

  @Get(':id/deliveries')
  @ApiOperation({ summary: "An endpoint's latest delivery attempts, newest first (root users)" })
  @ApiOkResponse({ type: DeliveriesView })
  @ApiProblems(404)
  deliveries(@CurrentActor() actor: Actor, @Param('id') id: string) {
    return this.queries.execute(new WebhookDeliveriesQuery(actor, id));
  }
}
