import { randomBytes } from 'node:crypto';
import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { EVENT_STORE, type EventStore } from '#event-store';
import { conflict, invalid } from '#keys';
import { CLOCK, type Clock } from '#runtime';
import { generateWebhookSecret, MAX_ENDPOINTS_PER_COMPANY, webhookUrlProblem } from '#webhooks';
import { WEBHOOK_ACCESS, type WebhookAccess } from '../webhook-access.js';
import type { RegisteredWebhookView } from '../webhooks.views.js';
import { RegisterWebhookCommand } from './register-webhook.command.js';

@CommandHandler(RegisterWebhookCommand)
export class RegisterWebhookHandler implements ICommandHandler<RegisterWebhookCommand> {
  constructor(
    @Inject(WEBHOOK_ACCESS) private readonly webhooks: WebhookAccess,
    @Inject(EVENT_STORE) private readonly log: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ actor, url }: RegisterWebhookCommand): Promise<RegisteredWebhookView> {
    // 1. Root users only; the URL by the SSRF rule (https, or http to loopback where allowed).
    const parts = this.webhooks.forRoot(actor);
    const problem = webhookUrlProblem(url, parts.rules);
    if (problem) throw invalid(problem);
    // 2. A fresh secret, sealed under the endpoint's id; the endpoint starts at the end of the log (no past events).
    const id = `wh_${randomBytes(12).toString('base64url')}`;
    const secret = generateWebhookSecret();
    const createdAt = this.clock.now().toISOString();
    const added = await parts.endpoints.add(
      {
        id,
        companyId: actor.companyId,
        url,
        secretCiphertext: parts.box.seal(secret, id),
        createdAt,
        createdBy: actor.userId,
        cursor: await this.log.headPosition(),
        retry: null,
        lastDelivery: null,
      },
      MAX_ENDPOINTS_PER_COMPANY,
    );
    if (added === 'limit') throw conflict(`This company has ${MAX_ENDPOINTS_PER_COMPANY} webhook endpoints, the most it may have; delete one first.`);
    // 3. The secret, this once.
    return { id, url, secret, createdAt };
  }
}
