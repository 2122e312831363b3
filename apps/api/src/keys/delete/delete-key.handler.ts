import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { KEYGATE_RUNTIME, type KeygateRuntime } from '#runtime';
import { DeleteKeyCommand } from './delete-key.command.js';

@CommandHandler(DeleteKeyCommand)
export class DeleteKeyHandler implements ICommandHandler<DeleteKeyCommand> {
  constructor(@Inject(KEYGATE_RUNTIME) private readonly runtime: KeygateRuntime) {}

  async execute({ actor, keyId, correlationId }: DeleteKeyCommand): Promise<void> {
    const { keyring, clock } = this.runtime;
    const { position } = await keyring.execute(actor.companyId, { type: 'DeleteKey', actor, keyId, now: clock.now(), correlationId });
    await this.runtime.readYourWrites(position);
  }
}
