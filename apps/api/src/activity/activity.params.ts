import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';

// An empty query parameter (?userId=) means "no filter", as a person typing the URL would expect.
const EmptyAsAbsent = () => Transform(({ value }) => (value === '' ? undefined : value));

export class ActivityParams {
  @ApiPropertyOptional() @EmptyAsAbsent() @IsOptional() @Matches(/^[0-9A-Za-z]{12}$/, { message: 'keyId must be a key id' }) keyId?: string;
  @ApiPropertyOptional({ description: 'Only entries by this actor' }) @EmptyAsAbsent() @IsOptional() @IsString() @MaxLength(128) userId?: string;
  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 50 })
  @EmptyAsAbsent()
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;
  @ApiPropertyOptional({ description: 'nextCursor of the previous page' }) @EmptyAsAbsent() @IsOptional() @IsString() @MaxLength(64) cursor?: string;
}
