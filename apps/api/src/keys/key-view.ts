import { ApiProperty } from '@nestjs/swagger';
import { effectiveStatus, type KeyMinted } from '#keys';
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

/**
 * The one way a KeyView is built, for the settings API and the MCP tools alike. Status is the domain's
 * effective status: a key past expiresAt reads as expired before the sweeper records it.
 */
export const toKeyView = (row: KeyListRow, now: Date): KeyView => ({
  id: row.keyId,
  label: row.label,
  prefix: row.prefix,
  userId: row.userId,
  userName: row.userName,
  createdAt: row.createdAt,
  lastUsedAt: row.lastUsedAt,
  expiresAt: row.expiresAt,
  status: effectiveStatus({ status: row.status, expiresAt: new Date(row.expiresAt) }, now) as KeyView['status'],
});

/** The row a mint's event makes, before the read model has it: the mint answers without waiting on it. */
export const rowOfMint = ({ data }: KeyMinted): KeyListRow => ({
  keyId: data.keyId,
  companyId: data.companyId,
  userId: data.actorUserId,
  userName: data.actorName,
  label: data.label,
  prefix: data.prefix,
  createdAt: data.at,
  expiresAt: data.expiresAt,
  lastUsedAt: null,
  status: 'active',
});
