import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { EmptyAsAbsent, PageParams } from '../paging/page.params.js';

/** GET /api/activity: filters, and pages of 50 by default. */
export class ActivityParams extends PageParams {
  @ApiPropertyOptional() @EmptyAsAbsent() @IsOptional() @Matches(/^[0-9A-Za-z]{12}$/, { message: 'keyId must be a key id' }) keyId?: string;
  @ApiPropertyOptional({ description: 'Only entries by this actor' }) @EmptyAsAbsent() @IsOptional() @IsString() @MaxLength(128) userId?: string;
}
