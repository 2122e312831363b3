import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

// An empty query parameter (?status=) means "no filter", as a person typing the URL would expect.
const EmptyAsAbsent = () => Transform(({ value }) => (value === '' ? undefined : value));

export class KeysListParams {
  @ApiPropertyOptional({ enum: ['active', 'revoked', 'expired'], description: 'Only keys of this status (a lapsed key is expired at once)' })
  @EmptyAsAbsent()
  @IsOptional()
  @IsIn(['active', 'revoked', 'expired'], { message: 'status must be active, revoked or expired' })
  status?: 'active' | 'revoked' | 'expired';
  @ApiPropertyOptional({ description: 'Only keys created by this user (within what you may see)' })
  @EmptyAsAbsent()
  @IsOptional()
  @IsString()
  @MaxLength(128)
  userId?: string;
  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 100 })
  @EmptyAsAbsent()
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;
  @ApiPropertyOptional({ description: 'nextCursor of the previous page' }) @EmptyAsAbsent() @IsOptional() @IsString() @MaxLength(64) cursor?: string;
}
