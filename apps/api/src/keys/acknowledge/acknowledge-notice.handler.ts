import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { newKeyId, randomBase62 } from '../../../../../libs/keys/src/index.js';
import { KEYGATE_RUNTIME, type KeygateRuntime } from '../../runtime/keygate-runtime.js';
import { NOTICE_VERSION, securityNotice } from '../security-notice.js';
import { AcknowledgeNoticeCommand, type AcknowledgementReceipt } from './acknowledge-notice.command.js';

@CommandHandler(AcknowledgeNoticeCommand)
export class AcknowledgeNoticeHandler implements ICommandHandler<AcknowledgeNoticeCommand> {
  constructor(@Inject(KEYGATE_RUNTIME) private readonly runtime: KeygateRuntime) {}

  async execute({ actor, correlationId }: AcknowledgeNoticeCommand): Promise<AcknowledgementReceipt> {
    const { keyring, clock, policy } = this.runtime;
    const now = clock.now();
    const acknowledgementId = `ack_${randomBase62(20)}`;
    await keyring.execute(actor.companyId, {
      type: 'AcknowledgeNotice',
      actor,
      acknowledgementId,
      keyId: newKeyId(),
      noticeVersion: NOTICE_VERSION,
      now,
      correlationId,
    });
    return {
      acknowledgementId,
      notice: securityNotice(Math.round(policy.keyTtlMs / 86_400_000)),
      expiresAt: new Date(now.getTime() + policy.acknowledgementTtlMs).toISOString(),
    };
  }
}
