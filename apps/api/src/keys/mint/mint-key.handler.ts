import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { KEYGATE_CONFIG, type KeygateConfig } from '#config';
import {
  decide,
  KEY_POLICY,
  KEYRING_REPOSITORY,
  mintToken,
  SECRET_HASHER,
  tokenPrefix,
  type KeyMinted,
  type KeyPolicy,
  type KeyringRepository,
  type MintKey,
  type SecretHasher,
} from '#keys';
import { keyListRowOf } from '#projections';
import { CLOCK, READ_YOUR_WRITES, type Clock, type ReadYourWrites } from '#runtime';
import { toKeyView } from '../key-view.js';
import { MintKeyCommand, type MintedKey } from './mint-key.command.js';
import { setupSnippets } from './setup-snippets.js';

@CommandHandler(MintKeyCommand)
export class MintKeyHandler implements ICommandHandler<MintKeyCommand> {
  constructor(
    @Inject(KEYRING_REPOSITORY) private readonly keyring: KeyringRepository,
    @Inject(SECRET_HASHER) private readonly hasher: SecretHasher,
    @Inject(KEY_POLICY) private readonly policy: KeyPolicy,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(READ_YOUR_WRITES) private readonly readYourWrites: ReadYourWrites,
    @Inject(KEYGATE_CONFIG) private readonly config: KeygateConfig,
  ) {}

  async execute({ actor, acknowledgementId, label, correlationId, permissions }: MintKeyCommand): Promise<MintedKey> {
    const now = this.clock.now();
    const command = (keyId: string, verifier: string): MintKey => ({
      type: 'MintKey', actor, acknowledgementId, label, keyId, prefix: tokenPrefix(keyId), verifier, now, correlationId, permissions,
    });

    // 1. Dry-run the rules on current state: a refused mint (stale acknowledgement, limit) costs no argon2 work,
    //    and the acknowledgement tells which key id the token must carry.
    const { state } = await this.keyring.load(actor.companyId);
    const keyId = state.acknowledgements.get(acknowledgementId)?.keyId ?? '';
    decide(command(keyId, 'dry-run'), state, this.policy);

    // 2. The secret exists only in this function and in the response; the store gets its verifier.
    const { token, secret } = mintToken(keyId);
    const verifier = await this.hasher.hash(secret);

    // 3. Decide again on fresh state and append: the limits hold even if another mint got in between.
    const { events, position } = await this.keyring.execute(actor.companyId, command(keyId, verifier));
    // 4. Never lose the token to a slow read side: the key is durable already, the view is built from the event.
    await this.readYourWrites(position).catch(() => undefined);
    const key = toKeyView(keyListRowOf(events[0] as KeyMinted), now, { warningDays: this.policy.expiryWarningDays, viewerId: actor.userId });
    return { key, token, setup: setupSnippets(this.config.publicUrl, token) };
  }
}
