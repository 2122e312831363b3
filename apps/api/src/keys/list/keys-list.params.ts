import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { EmptyAsAbsent, PageParams } from '../../paging/page.params.js';

/** GET /api/keys: filters, and pages of 100 by default. */
export class KeysListParams extends PageParams {
  @ApiPropertyOptional({ enum: ['active', 'suspended', 'revoked', 'expired'], description: 'Only keys of this status (effective: a lapsed key is expired at once, a rotated key past its overlap revoked)' })
  @EmptyAsAbsent()
  @IsOptional()
  @IsIn(['active', 'suspended', 'revoked', 'expired'], { message: 'status must be active, suspended, revoked or expired' })
  status?: 'active' | 'suspended' | 'revoked' | 'expired';
  @ApiPropertyOptional({ description: 'Only keys created by this user (within what you may see)' })
  @EmptyAsAbsent()
  @IsOptional()
  @IsString()
  @MaxLength(128)
  userId?: string;
}
