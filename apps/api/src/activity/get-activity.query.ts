import { Query } from '@nestjs/cqrs';
import type { Actor } from '#keys';
import type { ActivityRow } from '#projections';

/**
 * An entry as the API shows it (ActivityEntryView): the read model's row without its log position. A roll-up of
 * uses (type KeyUsed) also has count, firstAt, lastAt, outcomes, tool and client.
 */
export type ActivityEntry = Omit<ActivityRow, 'position'>;

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
