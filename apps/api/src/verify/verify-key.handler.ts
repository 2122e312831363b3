import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { ApiKeyGuard } from '#keys';
import { CLOCK, type Clock } from '#runtime';
import { API_KEY_GUARD, USAGE_RECORDER } from '../composition/key-use-providers.js';
import { clientInfoOf, remoteAddressOf } from '../mcp/client-info.js';
import { keyUsed } from '../mcp/mcp-server.js';
import type { UsageRecorder } from '../mcp/usage-recorder.js';
import { VerifyKeyCommand } from './verify-key.command.js';
import type { VerifyKeyView } from './verify-key.view.js';
import { admitted, missingPermissions, refused } from './verify-outcome.js';

/**
 * A key checked for a host product's own route, by the process's one ApiKeyGuard (the MCP endpoint's: the same
 * rate limit, the same failed-secret budget, the same cached verdict, so µs once a token is known), and its use
 * recorded by the same UsageRecorder (group commit; answered once the KeyUsed is durable, as a tools/call is).
 */
@CommandHandler(VerifyKeyCommand)
export class VerifyKeyHandler implements ICommandHandler<VerifyKeyCommand> {
  constructor(
    @Inject(API_KEY_GUARD) private readonly guard: ApiKeyGuard,
    @Inject(USAGE_RECORDER) private readonly usage: UsageRecorder,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(command: VerifyKeyCommand): Promise<VerifyKeyView> {
    const now = this.clock.now();
    // 1. The guard's own checks, as if the key had come in an Authorization header. Failed secrets count against the
    //    end client's address when the host passed it; else per key id (the host's own address is every user's).
    const verdict = await this.guard.check(`Bearer ${command.key}`, now.getTime(), { source: command.clientAddress ?? undefined });
    if (!verdict.ok) return refused(verdict, command.key, now);

    // 2. What the route requires: a key lacking it is identified (the host may say who) but not valid.
    const missing = missingPermissions(verdict.key, command.permissions);
    const view = admitted(verdict, missing, now);

    // 3. The use, like an MCP call's: the route label as its tool, the caller's User-Agent as its client; durable
    //    before the answer, so no verify escapes the activity feed.
    const context = {
      key: verdict.key,
      requestId: command.requestId,
      remoteAddress: remoteAddressOf(command.clientAddress ?? undefined),
      userAgent: command.userAgent,
    };
    await this.usage.record(keyUsed(context, now, command.route, missing.length === 0 ? 'ok' : 'denied', clientInfoOf('', undefined, command.userAgent)));
    return view;
  }
}
