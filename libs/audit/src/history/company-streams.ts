import { keyringStreamId } from '#keys';

/**
 * The streams that hold one company's history: its keyring (every lifecycle event, the decider's consistency
 * boundary) and its uses (every KeyUsed, high volume, never folded by the decider).
 *
 * The usage stream's name is the MCP usage recorder's rule (apps/api/src/mcp/usage-recorder.ts, `usageStreamId`):
 * a lib may not import an app, so the rule is repeated here, and history.int-spec.ts records uses through the
 * real recorder so the two cannot drift apart unnoticed.
 */
export const usageStreamOf = (companyId: string): string => `usage-${companyId}`;

export const companyStreams = (companyId: string): { keyring: string; usage: string } => ({
  keyring: keyringStreamId(companyId),
  usage: usageStreamOf(companyId),
});
