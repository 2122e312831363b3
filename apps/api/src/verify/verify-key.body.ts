import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { EVENT_BOUNDS } from '#keys';

/** A permission as keys carry it (KeyMinted's schema): printable ASCII without spaces. */
const PERMISSION = /^[\x21-\x7e]{1,128}$/;
/** A route label is recorded as the KeyUsed's `tool`: the MCP tool-name characters, so the activity feed reads it like one. */
const ROUTE = /^[A-Za-z0-9_./-]{1,128}$/;
/** An IPv4 or IPv6 address, as KeyUsed's remoteAddress holds one. */
const ADDRESS = /^[0-9A-Za-z:.%_-]{1,64}$/;

/** POST /api/verify: the key a host product's route received, and what that route requires of it. */
export class VerifyKeyBody {
  @ApiProperty({ description: 'The API key the host received (kg_…), as its client sent it', maxLength: 200, example: 'kg_Ab3dE5gH7jK9_…' })
  @IsString()
  // A token is 46 characters; the bound only limits the work, a longer string is simply INVALID.
  @MaxLength(200)
  key!: string;

  @ApiPropertyOptional({
    description: 'Permissions the route requires; every one must be among the key\'s, else INSUFFICIENT_PERMISSIONS',
    type: [String],
    maxItems: EVENT_BOUNDS.permissions,
    example: ['orders:read'],
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(EVENT_BOUNDS.permissions)
  @Matches(PERMISSION, { each: true, message: 'each permission must be 1 to 128 printable ASCII characters without spaces' })
  permissions?: string[];

  @ApiPropertyOptional({
    description: 'A label for the route being protected, recorded as the use\'s "tool" in the activity feed (A-Z a-z 0-9 _ . / -, at most 128)',
    maxLength: 128,
    example: 'orders.list',
  })
  @IsOptional()
  @IsString()
  @Matches(ROUTE, { message: 'route must be 1 to 128 of A-Z a-z 0-9 _ . / -' })
  route?: string;

  @ApiPropertyOptional({
    description:
      'The address of the client that sent the key, as the host saw it. Failed secrets are then budgeted per that address, ' +
      'as on /api/mcp; without it, per key id. Recorded as the use\'s address.',
    maxLength: 64,
    example: '203.0.113.7',
  })
  @IsOptional()
  @IsString()
  @Matches(ADDRESS, { message: 'clientAddress must be an IP address' })
  clientAddress?: string;
}
