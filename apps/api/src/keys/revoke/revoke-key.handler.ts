import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { notFound } from '#keys';
import { KEYGATE_RUNTIME, type KeygateRuntime } from '#runtime';
import { toKeyView, type KeyView } from '../key-view.js';
import { RevokeKeyCommand } from './revoke-key.command.js';

@CommandHandler(RevokeKeyCommand)
export class RevokeKeyHandler implements ICommandHandler<RevokeKeyCommand> {
  constructor(@Inject(KEYGATE_RUNTIME) private readonly runtime: KeygateRuntime) {}

  async execute({ actor, keyId, correlationId }: RevokeKeyCommand): Promise<KeyView> {
    const { keyring, clock, keys } = this.runtime;
    const now = clock.now();
    const { position } = await keyring.execute(actor.companyId, { type: 'RevokeKey', actor, keyId, now, correlationId });
    // The revoke is durable once appended; waiting for the projections lets the caller read its own write.
    await this.runtime.readYourWrites(position);
    const row = await keys.get(actor.companyId, keyId);
    if (!row) throw notFound(`No API key with id ${keyId}.`);
    return toKeyView(row, now);
  }
}
