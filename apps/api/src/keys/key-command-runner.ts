import { Inject, Injectable } from '@nestjs/common';
import { KEY_POLICY, KEYRING_REPOSITORY, notFound, type Actor, type KeyCommand, type KeyLifecycleEvent, type KeyPolicy, type KeyringRepository } from '#keys';
import { KEYS_READ_MODEL, type KeysReadModel } from '#projections';
import { CLOCK, READ_YOUR_WRITES, type Clock, type ReadYourWrites } from '#runtime';
import { toKeyView, type KeyView } from './key-view.js';

/**
 * What the key commands that answer with the key share (revoke, suspend, resume): decide and append at one clock
 * reading, wait until the read side has the write (so the caller reads its own write), then read the key's view.
 */
@Injectable()
export class KeyCommandRunner {
  constructor(
    @Inject(KEYRING_REPOSITORY) private readonly keyring: KeyringRepository,
    @Inject(KEYS_READ_MODEL) private readonly keys: KeysReadModel,
    @Inject(KEY_POLICY) private readonly policy: KeyPolicy,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(READ_YOUR_WRITES) private readonly readYourWrites: ReadYourWrites,
  ) {}

  /** Decides `command(now)` on the company's keyring and appends what it decides; read-your-writes included. */
  async execute(companyId: string, command: (now: Date) => KeyCommand): Promise<{ events: KeyLifecycleEvent[]; now: Date }> {
    const now = this.clock.now();
    const { events, position } = await this.keyring.execute(companyId, command(now));
    // The change is durable once appended; waiting for the projections lets the caller read its own write.
    await this.readYourWrites(position);
    return { events, now };
  }

  /** The key as the settings page shows it now to `viewer` (after execute, it includes the write). */
  async view(viewer: Actor, keyId: string, now: Date): Promise<KeyView> {
    const row = await this.keys.get(viewer.companyId, keyId);
    if (!row) throw notFound(`No API key with id ${keyId}.`);
    return toKeyView(row, now, { warningDays: this.policy.expiryWarningDays, viewerId: viewer.userId });
  }

  /** execute on the actor's company, then the view of `keyId`. */
  async executeAndView(actor: Actor, keyId: string, command: (now: Date) => KeyCommand): Promise<KeyView> {
    const { now } = await this.execute(actor.companyId, command);
    return this.view(actor, keyId, now);
  }
}
