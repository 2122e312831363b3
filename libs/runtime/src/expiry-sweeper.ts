import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { KeyCommand } from '#keys';
import type { KeygateRuntime } from './keygate-runtime.js';

/** What one sweep appended. */
export interface SweepResult {
  /** KeyExpired: keys past their expiresAt. */
  expired: number;
  /** KeyRevoked (reason rotated): rotated keys whose overlap has ended. */
  retired: number;
  /** KeyExpiring: warnings at the policy's thresholds before expiry. */
  warned: number;
}

type Due = { companyId: string; keyId: string };

/**
 * The system's side of the key lifecycle, on a timer: KeyExpired for keys past their expiresAt, KeyRevoked for
 * rotated keys whose overlap has ended, KeyExpiring at each warning threshold. Readers never wait for the first
 * two (they compare the instants with the clock); they exist so the history says when it happened. The warnings
 * exist only as events (the activity feed, webhooks).
 *
 * Running it twice, or in two processes, is harmless: each command is decided on the keyring's current state (the
 * loser of an append race decides again), and the decider answers "nothing to do" for what is already written.
 */
export class ExpirySweeper {
  private timer: NodeJS.Timeout | null = null;
  private sweeping: Promise<SweepResult> | null = null;

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

  sweepOnce(): Promise<SweepResult> {
    this.sweeping ??= this.sweep().finally(() => (this.sweeping = null));
    return this.sweeping;
  }

  private async sweep(): Promise<SweepResult> {
    const { keys } = this.runtime;
    // 1. Rotated keys whose overlap ended (before their expiry): first, so that a key both past its overlap's end and
    //    past its expiry (a sweeper that was down) is retired here, and the expiries' pages below hold only keys the
    //    decider expires (a page of keys it answers "nothing to do" for would end that loop early).
    const retired = await this.drain(
      (now) => keys.overlapsEnded(now, 100),
      (due, now) => ({ type: 'RetireRotatedKey', ...due, now, correlationId: `sweep-${randomUUID()}` }),
    );
    // 2. Expiries: a key past its expiry gets no warning.
    const expired = await this.drain(
      (now) => keys.lapsed(now, 100),
      (due, now) => ({ type: 'ExpireKey', ...due, now, correlationId: `sweep-${randomUUID()}` }),
    );
    // 3. Warnings, the nearest threshold first: a key 3 days from expiry gets the 7-day warning, and is not asked
    //    about again for 14 (the decider writes at most the most urgent one due).
    let warned = 0;
    const thresholds = [...this.runtime.keyring.policy.expiryWarningDays].sort((a, b) => a - b);
    for (const days of thresholds) {
      warned += await this.drain(
        (now) => keys.expiryWarningsDue(now, days, 100),
        (due, now) => ({ type: 'WarnExpiry', ...due, now, correlationId: `sweep-${randomUUID()}` }),
      );
    }
    return { expired, retired, warned };
  }

  /**
   * Pages of due keys, one command each, until a page writes nothing. Each page waits for the read side to have the
   * previous page's events, so it does not see the same keys again; a page that writes nothing ends the loop (its
   * keys were not due after all, e.g. revoked meanwhile), so a stale read model cannot spin it.
   */
  private async drain(page: (now: Date) => Promise<Due[]>, command: (due: Due, now: Date) => KeyCommand): Promise<number> {
    const { keyring, clock } = this.runtime;
    let written = 0;
    for (;;) {
      const now = clock.now();
      const due = await page(now);
      if (due.length === 0) return written;
      let last = 0;
      for (const key of due) {
        const { events, position } = await keyring.execute(key.companyId, command(key, now));
        written += events.length;
        if (events.length > 0) last = Math.max(last, position);
      }
      if (last === 0) return written;
      await this.runtime.readYourWrites(last);
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.sweeping;
  }
}
