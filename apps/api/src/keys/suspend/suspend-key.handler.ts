import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { KeyView } from '../key-view.js';
import { KeyCommandRunner } from '../key-command-runner.js';
import { SuspendKeyCommand } from './suspend-key.command.js';

@CommandHandler(SuspendKeyCommand)
export class SuspendKeyHandler implements ICommandHandler<SuspendKeyCommand> {
  constructor(private readonly run: KeyCommandRunner) {}

  execute({ actor, keyId, resume, correlationId }: SuspendKeyCommand): Promise<KeyView> {
    const type = resume ? 'ResumeKey' : 'SuspendKey';
    return this.run.executeAndView(actor, keyId, (now) => ({ type, actor, keyId, now, correlationId }));
  }
}
