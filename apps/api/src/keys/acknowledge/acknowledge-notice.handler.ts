import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
  KEY_POLICY,
  KEYRING_REPOSITORY,
  newKeyId,
  randomBase62,
  type KeyAcknowledged,
  type KeyPolicy,
  type KeyringRepository,
} from '#keys';
import { CLOCK, type Clock } from '#runtime';
import { NOTICE_VERSION, securityNotice } from '../security-notice.js';
import { AcknowledgeNoticeCommand, type AcknowledgementReceipt } from './acknowledge-notice.command.js';

@CommandHandler(AcknowledgeNoticeCommand)
export class AcknowledgeNoticeHandler implements ICommandHandler<AcknowledgeNoticeCommand> {
  constructor(
    @Inject(KEYRING_REPOSITORY) private readonly keyring: KeyringRepository,
    @Inject(KEY_POLICY) private readonly policy: KeyPolicy,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ actor, correlationId }: AcknowledgeNoticeCommand): Promise<AcknowledgementReceipt> {
    const { keyring, clock, policy } = this;
    const now = clock.now();
    const acknowledgementId = `ack_${randomBase62(20)}`;
    // Refused with too_many (429 + Retry-After) when this user already holds the most open acknowledgements.
    const { events } = await keyring.execute(actor.companyId, {
      type: 'AcknowledgeNotice',
      actor,
      acknowledgementId,
      keyId: newKeyId(),
      noticeVersion: NOTICE_VERSION,
      now,
      correlationId,
    });
    const [acknowledged] = events as [KeyAcknowledged];
    return {
      acknowledgementId,
      notice: securityNotice(Math.round(policy.keyTtlMs / 86_400_000)),
      // The instant the decider recorded, so the answer and the history cannot disagree.
      expiresAt: acknowledged.data.expiresAt!,
    };
  }
}
