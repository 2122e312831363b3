import { ApiProperty } from '@nestjs/swagger';

export const VERIFY_CODES = ['VALID', 'INVALID', 'REVOKED', 'EXPIRED', 'SUSPENDED', 'RATE_LIMITED', 'INSUFFICIENT_PERMISSIONS'] as const;
export type VerifyCode = (typeof VERIFY_CODES)[number];

export class VerifyRateLimitView {
  @ApiProperty({ description: 'Requests per minute allowed for this key on this replica (MCP and verify together)' }) limit!: number;
  @ApiProperty({ description: 'Requests left in the current window' }) remaining!: number;
  @ApiProperty({ format: 'date-time', description: 'When the window resets' }) resetAt!: string;
}

/**
 * The answer of POST /api/verify: always 200 once the caller is authenticated; `valid` and `code` say what the
 * host should do. Fields are null where Keygate does not know them, or may not tell (an INVALID key reveals nothing).
 */
export class VerifyKeyView {
  @ApiProperty({ description: 'true only with code VALID' }) valid!: boolean;
  @ApiProperty({ enum: VERIFY_CODES, enumName: 'VerifyCode' }) code!: VerifyCode;
  @ApiProperty({ description: 'One sentence for a person (the reason of a refusal)' }) detail!: string;
  @ApiProperty({ nullable: true, type: String, description: 'The key id (VALID, INSUFFICIENT_PERMISSIONS; REVOKED, EXPIRED and SUSPENDED: the id the key names)' })
  keyId!: string | null;
  @ApiProperty({ nullable: true, type: String, description: "The key's creator: the key acts as this user" }) userId!: string | null;
  @ApiProperty({ nullable: true, type: String }) userName!: string | null;
  @ApiProperty({ nullable: true, type: String }) companyId!: string | null;
  @ApiProperty({ nullable: true, type: [String], description: "The key's permissions (its creator's at mint)" }) permissions!: string[] | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) expiresAt!: string | null;
  @ApiProperty({ nullable: true, type: VerifyRateLimitView, description: "The key's rate limit after this verify (known once the key is identified)" })
  ratelimit!: VerifyRateLimitView | null;
  @ApiProperty({ nullable: true, type: Number, description: 'RATE_LIMITED only: seconds before trying again' }) retryAfterSeconds!: number | null;
  @ApiProperty({
    nullable: true,
    type: String,
    description: "A key being replaced (rotated, in its overlap): the id of the key replacing it; it works until overlapEndsAt. Else null",
  })
  replacedBy!: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    format: 'date-time',
    description: 'With replacedBy: the instant the key stops working (refused as REVOKED from then on). Else null',
  })
  overlapEndsAt!: string | null;
}
