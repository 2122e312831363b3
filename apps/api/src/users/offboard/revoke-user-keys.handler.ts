import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { KeyCommandRunner } from '../../keys/key-command-runner.js';
import { RevokeUserKeysCommand, type RevokedUserKeys } from './revoke-user-keys.command.js';

@CommandHandler(RevokeUserKeysCommand)
export class RevokeUserKeysHandler implements ICommandHandler<RevokeUserKeysCommand> {
  constructor(private readonly run: KeyCommandRunner) {}

  async execute({ actor, userId, correlationId }: RevokeUserKeysCommand): Promise<RevokedUserKeys> {
    // 1. One decision, one append: a KeyRevoked per key under this request's correlation id.
    const { events, now } = await this.run.execute(actor.companyId, (at) => ({ type: 'RevokeUserKeys', actor, userId, now: at, correlationId }));
    // 2. The keys as they now read (the append was read back before this).
    return { revoked: await Promise.all(events.map((e) => this.run.view(actor, e.data.keyId, now))) };
  }
}
