import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';
import { MAX_WEBHOOK_URL_LENGTH } from '#webhooks';

export class RegisterWebhookBody {
  @ApiProperty({
    description: `Where deliveries are POSTed: https:// (http:// to a loopback host where KEYGATE_WEBHOOK_ALLOW_HTTP_LOOPBACK allows), at most ${MAX_WEBHOOK_URL_LENGTH} characters, no credentials`,
    example: 'https://hooks.example.com/keygate',
    maxLength: MAX_WEBHOOK_URL_LENGTH,
  })
  @IsString()
  @MaxLength(MAX_WEBHOOK_URL_LENGTH)
  url!: string;
}
