import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

export class RotateKeyBody {
  @ApiPropertyOptional({
    description: 'How long the old key keeps working beside the new one: 0 (stops at once) to 604800 (7 days); default 86400',
    minimum: 0,
    maximum: 604800,
    example: 86400,
  })
  @IsOptional()
  @IsInt({ message: 'overlapSeconds must be a whole number of seconds' })
  // The domain holds the rule (the policy's maximum); this bounds the value before anything uses it.
  @Min(0, { message: 'overlapSeconds must be a whole number from 0 to 604800' })
  @Max(604800, { message: 'overlapSeconds must be a whole number from 0 to 604800' })
  overlapSeconds?: number;
}
