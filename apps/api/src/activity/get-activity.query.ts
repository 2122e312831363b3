import { Query } from '@nestjs/cqrs';
import type { Actor } from '../../../../libs/keys/src/index.js';

export interface ActivityEntry {
  id: string;
  at: string;
  type: string;
  keyId: string;
  keyLabel: string | null;
  actorUserId: string;
  actorName: string;
  detail: string;
}

export interface ActivityPage {
  items: ActivityEntry[];
  nextCursor: string | null;
}

export class GetActivityQuery extends Query<ActivityPage> {
  constructor(
    readonly actor: Actor,
    readonly filter: { keyId?: string; userId?: string; limit: number; cursor?: string },
  ) {
    super();
  }
}
