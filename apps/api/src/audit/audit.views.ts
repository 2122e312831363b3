import { ApiProperty } from '@nestjs/swagger';

// GET /api/audit/keys?at= as the OpenAPI document describes it (the shape of libs/audit's KeyAtInstant).

export class PersonView {
  @ApiProperty() userId!: string;
  @ApiProperty() name!: string;
}

export class PersonAtView extends PersonView {
  @ApiProperty({ format: 'date-time' }) at!: string;
}

export class KeyAtInstantView {
  @ApiProperty() keyId!: string;
  @ApiProperty() label!: string;
  @ApiProperty() prefix!: string;
  @ApiProperty({
    enum: ['active', 'suspended', 'revoked', 'expired', 'deleted'],
    description: 'At the instant (a key past its expiry is expired; a rotated key past its overlap is revoked)',
  })
  status!: string;
  @ApiProperty({ type: [String], description: "The creator's permissions at mint time" }) permissions!: string[];
  @ApiProperty({ enum: ['root', 'user'] }) creatorRole!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) expiresAt!: string;
  @ApiProperty({ type: PersonView }) mintedBy!: PersonView;
  @ApiProperty({ type: PersonView, description: "Whose key it is: its minter, or the old key's owner when someone else rotated it" })
  owner!: PersonView;
  @ApiProperty({ nullable: true, type: String, description: 'The key this one replaced (a rotation)' }) rotatedFrom!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'The key replacing this one, at the instant' }) rotatedTo!: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String, description: 'When a key being replaced stops working' })
  overlapEndsAt!: string | null;
  @ApiProperty({ type: PersonAtView, nullable: true }) revokedBy!: PersonAtView | null;
  @ApiProperty({ nullable: true, enum: ['rotated', 'offboarded'], type: String, description: 'Why the system revoked it, if it did' })
  revocationReason!: string | null;
  @ApiProperty({ type: PersonAtView, nullable: true }) deletedBy!: PersonAtView | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) lastUsedAt!: string | null;
  @ApiProperty({ description: 'Uses at or before the instant' }) useCount!: number;
}

export class KeysAtView {
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty() companyId!: string;
  @ApiProperty({ type: [KeyAtInstantView] }) keys!: KeyAtInstantView[];
}
