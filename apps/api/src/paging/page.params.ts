import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

/** An empty query parameter (?status=) means "no filter", as a person typing the URL would expect. */
export const EmptyAsAbsent = () => Transform(({ value }) => (value === '' ? undefined : value));

/** The paging parameters every list shares: a page size and the cursor of the previous page. */
export class PageParams {
  @ApiPropertyOptional({ minimum: 1, maximum: 100, description: 'Page size (the route says its default)' })
  @EmptyAsAbsent()
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;
  @ApiPropertyOptional({ description: 'nextCursor of the previous page' }) @EmptyAsAbsent() @IsOptional() @IsString() @MaxLength(64) cursor?: string;
}
