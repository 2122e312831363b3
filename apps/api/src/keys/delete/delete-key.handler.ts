import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { KEYRING_REPOSITORY, type KeyringRepository } from '#keys';
import { CLOCK, READ_YOUR_WRITES, type Clock, type ReadYourWrites } from '#runtime';
import { DeleteKeyCommand } from './delete-key.command.js';

@CommandHandler(DeleteKeyCommand)
export class DeleteKeyHandler implements ICommandHandler<DeleteKeyCommand> {
  constructor(
    @Inject(KEYRING_REPOSITORY) private readonly keyring: KeyringRepository,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(READ_YOUR_WRITES) private readonly readYourWrites: ReadYourWrites,
  ) {}

  async execute({ actor, keyId, correlationId }: DeleteKeyCommand): Promise<void> {
    const { position } = await this.keyring.execute(actor.companyId, { type: 'DeleteKey', actor, keyId, now: this.clock.now(), correlationId });
    await this.readYourWrites(position);
  }
}
