import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { KeygateRuntime } from './keygate-runtime.js';

/**
 * Appends KeyExpired for keys past their expiresAt. Readers never wait for it (they compare expiresAt
 * with the clock); it exists so the history says when a key lapsed. Running it twice, or in two
 * processes, is harmless: the decider answers "nothing to do" for a key already expired.
 */
export class ExpirySweeper {
  private timer: NodeJS.Timeout | null = null;
  private sweeping: Promise<number> | null = null;

  constructor(
    private readonly runtime: Pick<KeygateRuntime, 'keys' | 'keyring' | 'clock' | 'readYourWrites'>,
    private readonly logger: Logger,
  ) {}

  start(intervalMs: number): void {
    const tick = () => {
      this.sweepOnce().catch((err) => this.logger.error({ err }, 'expiry sweep failed'));
    };
    tick();
    this.timer = setInterval(tick, intervalMs);
    this.timer.unref();
  }

  /** Returns how many KeyExpired events it appended. */
  sweepOnce(): Promise<number> {
    this.sweeping ??= this.sweep().finally(() => (this.sweeping = null));
    return this.sweeping;
  }

  private async sweep(): Promise<number> {
    const { keys, keyring, clock } = this.runtime;
    let expired = 0;
    for (;;) {
      const now = clock.now();
      const lapsed = await keys.lapsed(now, 100);
      if (lapsed.length === 0) return expired;
      let last = 0;
      for (const { companyId, keyId } of lapsed) {
        const { events, position } = await keyring.execute(companyId, {
          type: 'ExpireKey', companyId, keyId, now, correlationId: `sweep-${randomUUID()}`,
        });
        expired += events.length;
        last = Math.max(last, position);
      }
      // The next page must not see the same keys again.
      await this.runtime.readYourWrites(last);
      if (last === 0) return expired;
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.sweeping;
  }
}
