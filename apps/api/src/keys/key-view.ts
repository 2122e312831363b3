import { ApiProperty } from '@nestjs/swagger';
import { DEFAULT_KEY_POLICY, daysToMs, effectiveStatus } from '#keys';
import type { KeyListRow } from '#projections';

const STATUSES = ['active', 'suspended', 'revoked', 'expired'] as const;

/** A key as the settings page shows it. Never carries the token, the secret or the verifier. */
export class KeyView {
  @ApiProperty({ description: 'Public key id (the list\'s "Key ID")', example: 'Ab3dE5gH7jK9' }) id!: string;
  @ApiProperty() label!: string;
  @ApiProperty({ description: 'The token\'s public beginning', example: 'kg_Ab3dE5gH7jK9' }) prefix!: string;
  @ApiProperty({ description: "The key's owner: its creator, whose permissions it carries" }) userId!: string;
  @ApiProperty() userName!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) lastUsedAt!: string | null;
  @ApiProperty({ format: 'date-time' }) expiresAt!: string;
  @ApiProperty({ enum: STATUSES }) status!: (typeof STATUSES)[number];
  @ApiProperty({ type: [String], description: "The permissions the key acts with: its creator's at mint, or the subset chosen" })
  permissions!: string[];
  @ApiProperty({ description: 'Working (or suspended) and within the first expiry warning (14 days by default): renew it by rotating' })
  expiresSoon!: boolean;
  @ApiProperty({ nullable: true, type: String, description: 'The key this one replaced (a rotation)' }) rotatedFrom!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'The key replacing this one (a rotation); null again if that key stopped working (revoked or expired) while this one still works (it still stops at overlapEndsAt)' }) replacedBy!: string | null;
  @ApiProperty({
    format: 'date-time',
    nullable: true,
    type: String,
    description: 'When a key being replaced stops working (then it is revoked by the system); null if not rotated',
  })
  overlapEndsAt!: string | null;
  @ApiProperty({ nullable: true, enum: ['rotated', 'offboarded'], type: String, description: 'Why the system revoked it, if it did' })
  revocationReason!: 'rotated' | 'offboarded' | null;
  @ApiProperty({
    description:
      'The caller may rotate it: their own working key not already being replaced (a key whose predecessor is still in ' +
      'its overlap answers 409 all the same)',
  })
  canRotate!: boolean;
}

export interface KeyViewOptions {
  /** The expiry warning thresholds in days (policy.expiryWarningDays): expiresSoon from the first one. */
  warningDays?: readonly number[];
  /** Who reads it: canRotate is true only for its owner. */
  viewerId?: string;
}

/**
 * The one way a KeyView is built, for the settings API and the MCP tools alike. Status is the domain's
 * effective status: a key past expiresAt reads as expired, and a rotated key past its overlap as revoked, before
 * the sweeper records either.
 */
export const toKeyView = (
  row: KeyListRow,
  now: Date,
  { warningDays = DEFAULT_KEY_POLICY.expiryWarningDays, viewerId }: KeyViewOptions = {},
): KeyView => {
  const rotation = row.overlapEndsAt ? { overlapEndsAt: new Date(row.overlapEndsAt) } : null;
  const expiresAt = new Date(row.expiresAt);
  const status = effectiveStatus({ status: row.status, expiresAt, rotation }, now) as KeyView['status'];
  const warnFromMs = daysToMs(Math.max(0, ...warningDays));
  const endsWithRotation = status === 'revoked' && row.status !== 'revoked';
  return {
    id: row.keyId,
    label: row.label,
    prefix: row.prefix,
    userId: row.userId,
    userName: row.userName,
    createdAt: row.createdAt,
    lastUsedAt: row.lastUsedAt,
    expiresAt: row.expiresAt,
    status,
    permissions: row.permissions,
    expiresSoon: (status === 'active' || status === 'suspended') && row.overlapEndsAt === null && expiresAt.getTime() - now.getTime() <= warnFromMs,
    rotatedFrom: row.rotatedFrom,
    replacedBy: row.rotatedTo,
    overlapEndsAt: row.overlapEndsAt,
    revocationReason: endsWithRotation ? 'rotated' : row.revocationReason,
    // Rotated once, a key is not rotated again (409), even once its replacement is gone: it stops at its overlap's end.
    canRotate: viewerId === row.userId && status === 'active' && row.overlapEndsAt === null,
  };
};
