import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';

export class ActivityParams {
  @ApiPropertyOptional() @IsOptional() @Matches(/^[0-9A-Za-z]{12}$/, { message: 'keyId must be a key id' }) keyId?: string;
  @ApiPropertyOptional({ description: 'Only entries by this actor' }) @IsOptional() @IsString() @MaxLength(128) userId?: string;
  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;
  @ApiPropertyOptional({ description: 'nextCursor of the previous page' }) @IsOptional() @IsString() @MaxLength(64) cursor?: string;
}
