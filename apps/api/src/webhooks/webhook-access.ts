import { ServiceUnavailableException } from '@nestjs/common';
import { forbidden, notFound, type Actor } from '#keys';
import type { WebhookEndpoint, WebhookParts } from '#webhooks';

/** The handlers' way to the webhook parts: the store, the sealing key, the URL rules; or none when webhooks are off. */
export class WebhookAccess {
  constructor(private readonly parts: WebhookParts | null) {}

  /**
   * For a root user of the company, the parts; else 403 (endpoints receive every key's history: the company's root
   * users decide where it goes). 503 when webhooks are off (production without KEYGATE_WEBHOOK_KEY_FILE).
   */
  forRoot(actor: Actor): WebhookParts {
    if (actor.role !== 'root') throw forbidden("Only the company's root users may manage its webhooks.");
    if (!this.parts) {
      throw new ServiceUnavailableException('Webhooks are off on this server: set KEYGATE_WEBHOOK_KEY_FILE on the API replicas and the projector.');
    }
    return this.parts;
  }

  /** The actor's company's endpoint with this id; another company's, or none: 404 (never 403: nothing leaks). */
  async endpoint(actor: Actor, id: string): Promise<{ parts: WebhookParts; endpoint: WebhookEndpoint }> {
    const parts = this.forRoot(actor);
    const endpoint = WEBHOOK_ID.test(id) ? await parts.endpoints.get(actor.companyId, id) : null;
    if (!endpoint) throw notFound(`No webhook endpoint with id ${id}.`);
    return { parts, endpoint };
  }
}

export const WEBHOOK_ACCESS = Symbol('WebhookAccess');
export const WEBHOOK_ID = /^wh_[A-Za-z0-9_-]{16}$/;
