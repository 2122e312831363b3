import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, Matches, MaxLength, Validate, ValidatorConstraint, type ValidatorConstraintInterface } from 'class-validator';
import { INSTANT_FORMAT, parseInstant } from '#audit';

/** The auditors' one rule for a time (parseInstant): with a zone, a bare date, or now; nothing guessed. */
@ValidatorConstraint({ name: 'instant' })
class IsInstant implements ValidatorConstraintInterface {
  validate = (value: unknown) => typeof value === 'string' && parseInstant(value) !== null;
  defaultMessage = () => `$property must be ${INSTANT_FORMAT}`;
}

export class AuditEventsParams {
  @ApiPropertyOptional({ description: "Only this key's events" })
  @IsOptional()
  @Matches(/^[0-9A-Za-z_-]{1,64}$/, { message: 'keyId must be a key id' })
  keyId?: string;
  @ApiPropertyOptional({ description: 'Only events the log recorded at or after this time (ISO 8601 with a zone, a date, or now)' })
  @IsOptional()
  @MaxLength(40)
  @Validate(IsInstant)
  from?: string;
  @ApiPropertyOptional({ description: 'Only events the log recorded at or before this time (ISO 8601 with a zone, a date, or now)' })
  @IsOptional()
  @MaxLength(40)
  @Validate(IsInstant)
  to?: string;
}

export class KeysAtParams {
  @ApiProperty({ description: 'The instant (ISO 8601 with a zone, a date, or now)' })
  @MaxLength(40)
  @Validate(IsInstant)
  at!: string;
}
