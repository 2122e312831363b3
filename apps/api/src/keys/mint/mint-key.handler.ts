import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { decide, mintToken, tokenPrefix, type KeyMinted, type MintKey } from '#keys';
import { KEYGATE_RUNTIME, type KeygateRuntime } from '#runtime';
import type { KeyView } from '../key-view.js';
import { MintKeyCommand, type MintedKey } from './mint-key.command.js';
import { setupSnippets } from './setup-snippets.js';

@CommandHandler(MintKeyCommand)
export class MintKeyHandler implements ICommandHandler<MintKeyCommand> {
  constructor(@Inject(KEYGATE_RUNTIME) private readonly runtime: KeygateRuntime) {}

  async execute({ actor, acknowledgementId, label, correlationId }: MintKeyCommand): Promise<MintedKey> {
    const { keyring, clock, hasher, policy } = this.runtime;
    const now = clock.now();
    const command = (keyId: string, verifier: string): MintKey => ({
      type: 'MintKey', actor, acknowledgementId, label, keyId, prefix: tokenPrefix(keyId), verifier, now, correlationId,
    });

    // 1. Dry-run the rules on current state: a refused mint (stale acknowledgement, limit) costs no argon2 work,
    //    and the acknowledgement tells which key id the token must carry.
    const { state } = await keyring.load(actor.companyId);
    const keyId = state.acknowledgements.get(acknowledgementId)?.keyId ?? '';
    decide(command(keyId, 'dry-run'), state, policy);

    // 2. The secret exists only in this function and in the response; the store gets its verifier.
    const { token, secret } = mintToken(keyId);
    const verifier = await hasher.hash(secret);

    // 3. Decide again on fresh state and append: the limits hold even if another mint got in between.
    const { events, position } = await keyring.execute(actor.companyId, command(keyId, verifier));
    const minted = events[0] as KeyMinted;
    // Never lose the token to a slow read side: the key is durable already, the view is built from the event.
    await this.runtime.readYourWrites(position).catch(() => undefined);

    const key: KeyView = {
      id: keyId,
      label: minted.data.label,
      prefix: minted.data.prefix,
      userId: actor.userId,
      userName: actor.name,
      createdAt: minted.data.at,
      lastUsedAt: null,
      expiresAt: minted.data.expiresAt,
      status: 'active',
    };
    return { key, token, setup: setupSnippets(this.runtime.config.publicUrl, token) };
  }
}
