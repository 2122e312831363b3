import { ApiProperty } from '@nestjs/swagger';
import type { KeyListRow } from '#projections';

/** A key as the settings page shows it. Never carries the token, the secret or the verifier. */
export class KeyView {
  @ApiProperty({ description: 'Public key id (the list\'s "Key ID")', example: 'Ab3dE5gH7jK9' }) id!: string;
  @ApiProperty() label!: string;
  @ApiProperty({ description: 'The token\'s public beginning', example: 'kg_Ab3dE5gH7jK9' }) prefix!: string;
  @ApiProperty() userId!: string;
  @ApiProperty() userName!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) lastUsedAt!: string | null;
  @ApiProperty({ format: 'date-time' }) expiresAt!: string;
  @ApiProperty({ enum: ['active', 'revoked', 'expired'] }) status!: 'active' | 'revoked' | 'expired';
}

/** Status against the clock: a key past expiresAt reads as expired before the sweeper records it. */
export const toKeyView = (row: KeyListRow, now: Date): KeyView => ({
  id: row.keyId,
  label: row.label,
  prefix: row.prefix,
  userId: row.userId,
  userName: row.userName,
  createdAt: row.createdAt,
  lastUsedAt: row.lastUsedAt,
  expiresAt: row.expiresAt,
  status: row.status === 'active' && now.getTime() >= Date.parse(row.expiresAt) ? 'expired' : row.status,
});
