import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsOptional, IsString, Matches, MaxLength } from 'class-validator';

export class MintKeyBody {
  @ApiProperty({ description: 'From POST /api/keys/acknowledgements, less than 15 minutes old', example: 'ack_3kTq…' })
  @IsString()
  @Matches(/^ack_[0-9A-Za-z]{20}$/, { message: 'acknowledgementId must be an id returned by POST /api/keys/acknowledgements' })
  acknowledgementId!: string;

  @ApiPropertyOptional({ description: '1 to 100 characters after trimming; empty gives "API Key <Mon D, YYYY>"', example: 'Cursor on my laptop' })
  @IsOptional()
  @IsString()
  // The 100-character rule is the domain's (counted after trimming); this only bounds the work.
  @MaxLength(1000)
  label?: string;

  @ApiPropertyOptional({
    type: [String],
    description:
      "A narrower key: a subset of your permissions (see GET /api/keys/permission-presets). Absent: all of them. " +
      'A permission you do not have answers 400.',
    example: ['orders:read'],
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MaxLength(128, { each: true })
  permissions?: string[];
}
