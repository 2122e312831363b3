import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { KeyView } from '../key-view.js';
import { KeyCommandRunner } from '../key-command-runner.js';
import { RevokeKeyCommand } from './revoke-key.command.js';

@CommandHandler(RevokeKeyCommand)
export class RevokeKeyHandler implements ICommandHandler<RevokeKeyCommand> {
  constructor(private readonly run: KeyCommandRunner) {}

  execute({ actor, keyId, correlationId }: RevokeKeyCommand): Promise<KeyView> {
    return this.run.executeAndView(actor, keyId, (now) => ({ type: 'RevokeKey', actor, keyId, now, correlationId }));
  }
}
