import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { KEYGATE_CONFIG, type KeygateConfig } from '#config';
import {
  decide,
  DEFAULT_ROTATION_OVERLAP_MS,
  KEY_POLICY,
  KEYRING_REPOSITORY,
  mintToken,
  newKeyId,
  SECRET_HASHER,
  tokenPrefix,
  type KeyMinted,
  type KeyPolicy,
  type KeyringRepository,
  type RotateKey,
  type SecretHasher,
} from '#keys';
import { keyListRowOf } from '#projections';
import { CLOCK, READ_YOUR_WRITES, type Clock, type ReadYourWrites } from '#runtime';
import { KeyCommandRunner } from '../key-command-runner.js';
import { toKeyView } from '../key-view.js';
import { setupSnippets } from '../mint/setup-snippets.js';
import { RotateKeyCommand, type RotatedKey } from './rotate-key.command.js';

@CommandHandler(RotateKeyCommand)
export class RotateKeyHandler implements ICommandHandler<RotateKeyCommand> {
  constructor(
    @Inject(KEYRING_REPOSITORY) private readonly keyring: KeyringRepository,
    @Inject(SECRET_HASHER) private readonly hasher: SecretHasher,
    @Inject(KEY_POLICY) private readonly policy: KeyPolicy,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(READ_YOUR_WRITES) private readonly readYourWrites: ReadYourWrites,
    @Inject(KEYGATE_CONFIG) private readonly config: KeygateConfig,
    private readonly run: KeyCommandRunner,
  ) {}

  async execute({ actor, keyId, overlapSeconds, correlationId }: RotateKeyCommand): Promise<RotatedKey> {
    const newId = newKeyId();
    const overlapMs = overlapSeconds === undefined ? DEFAULT_ROTATION_OVERLAP_MS : overlapSeconds * 1000;
    const command = (now: Date, verifier: string): RotateKey => ({
      type: 'RotateKey', actor, keyId, newKeyId: newId, prefix: tokenPrefix(newId), verifier, overlapMs, now, correlationId,
    });

    // 1. Dry-run the rules on current state: a refused rotation costs no argon2 work.
    const { state } = await this.keyring.load(actor.companyId);
    decide(command(this.clock.now(), 'dry-run'), state, this.policy);

    // 2. The new secret exists only here and in the response; the store gets its verifier.
    const { token, secret } = mintToken(newId);
    const verifier = await this.hasher.hash(secret);

    // 3. Decide again on fresh state and append both events together.
    const now = this.clock.now();
    const { events, position } = await this.keyring.execute(actor.companyId, command(now, verifier));
    const minted = events.find((e): e is KeyMinted => e.type === 'KeyMinted')!;
    // 4. Never lose the token to a slow read side: the new key is durable already and its view comes from the
    //    event; the old key is read as it now reads, or left out (null) if the read side is behind.
    const previous = await this.readYourWrites(position)
      .then(() => this.run.view(actor, keyId, now))
      .catch(() => null);
    return {
      key: toKeyView(keyListRowOf(minted), now, { warningDays: this.policy.expiryWarningDays, viewerId: actor.userId }),
      token,
      setup: setupSnippets(this.config.publicUrl, token),
      previous,
    };
  }
}
