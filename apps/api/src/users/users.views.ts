import { ApiProperty } from '@nestjs/swagger';
import { KeyView } from '../keys/key-view.js';

export class RevokedUserKeysView {
  @ApiProperty({ type: [KeyView], description: 'The keys this request revoked' }) revoked!: KeyView[];
}
