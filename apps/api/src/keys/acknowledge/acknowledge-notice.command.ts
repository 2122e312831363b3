import { Command } from '@nestjs/cqrs';
import type { Actor } from '#keys';

export interface AcknowledgementReceipt {
  acknowledgementId: string;
  notice: string[];
  expiresAt: string;
}

export class AcknowledgeNoticeCommand extends Command<AcknowledgementReceipt> {
  constructor(
    readonly actor: Actor,
    readonly correlationId: string,
  ) {
    super();
  }
}
