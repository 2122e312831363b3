import { KEY_LIFECYCLE_EVENT_TYPES } from '#keys';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class UseOutcomesView {
  @ApiProperty() ok!: number;
  @ApiProperty() error!: number;
  @ApiProperty() denied!: number;
}

export class UseClientView {
  @ApiProperty({ nullable: true, type: String }) name!: string | null;
  @ApiProperty({ nullable: true, type: String }) version!: string | null;
}

/**
 * An entry of the feed: a lifecycle event (one each), or (type KeyUsed) a roll-up of the uses of one key by
 * one tool and client within one minute (UTC), with the figures a program reads. The raw uses stay in the log.
 */
export class ActivityEntryView {
  @ApiProperty({ description: 'The event id; for a roll-up of uses, its own id (stable as it grows)' }) id!: string;
  @ApiProperty({ format: 'date-time', description: 'When it happened; for a roll-up, its last use' }) at!: string;
  @ApiProperty({ enum: [...KEY_LIFECYCLE_EVENT_TYPES, 'KeyUsed'] }) type!: string;
  @ApiProperty() keyId!: string;
  @ApiProperty({ nullable: true, type: String }) keyLabel!: string | null;
  @ApiProperty() actorUserId!: string;
  @ApiProperty() actorName!: string;
  @ApiProperty({
    description: 'One sentence for a person',
    example: 'Used API key "laptop" to call whoami 37 times from claude-code 2.1 (35 ok, 2 error) between 12:00:03 and 12:00:58 UTC',
  })
  detail!: string;
  @ApiPropertyOptional({ description: 'Roll-ups only: how many uses' }) count?: number;
  @ApiPropertyOptional({ format: 'date-time', description: 'Roll-ups only: the first use' }) firstAt?: string;
  @ApiPropertyOptional({ format: 'date-time', description: 'Roll-ups only: the last use' }) lastAt?: string;
  @ApiPropertyOptional({ type: UseOutcomesView, description: 'Roll-ups only: uses per outcome' }) outcomes?: UseOutcomesView;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'Roll-ups only: the tool called (null: initialize, tools/list…)' })
  tool?: string | null;
  @ApiPropertyOptional({ type: UseClientView, description: 'Roll-ups only: the MCP client, as it named itself' }) client?: UseClientView;
}

export class ActivityPageView {
  @ApiProperty({ type: [ActivityEntryView] }) items!: ActivityEntryView[];
  @ApiProperty({ nullable: true, type: String, description: 'Opaque; pass as cursor for the next (older) page' }) nextCursor!: string | null;
}
