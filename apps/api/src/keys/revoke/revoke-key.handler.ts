import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { KEYRING_REPOSITORY, notFound, type KeyringRepository } from '#keys';
import { KEYS_READ_MODEL, type KeysReadModel } from '#projections';
import { CLOCK, READ_YOUR_WRITES, type Clock, type ReadYourWrites } from '#runtime';
import { toKeyView, type KeyView } from '../key-view.js';
import { RevokeKeyCommand } from './revoke-key.command.js';

@CommandHandler(RevokeKeyCommand)
export class RevokeKeyHandler implements ICommandHandler<RevokeKeyCommand> {
  constructor(
    @Inject(KEYRING_REPOSITORY) private readonly keyring: KeyringRepository,
    @Inject(KEYS_READ_MODEL) private readonly keys: KeysReadModel,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(READ_YOUR_WRITES) private readonly readYourWrites: ReadYourWrites,
  ) {}

  async execute({ actor, keyId, correlationId }: RevokeKeyCommand): Promise<KeyView> {
    const now = this.clock.now();
    const { position } = await this.keyring.execute(actor.companyId, { type: 'RevokeKey', actor, keyId, now, correlationId });
    // The revoke is durable once appended; waiting for the projections lets the caller read its own write.
    await this.readYourWrites(position);
    const row = await this.keys.get(actor.companyId, keyId);
    if (!row) throw notFound(`No API key with id ${keyId}.`);
    return toKeyView(row, now);
  }
}
