import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { KEY_POLICY, managesAllKeys, type KeyPolicy } from '#keys';
import { KEYS_READ_MODEL, type KeysReadModel } from '#projections';
import { CLOCK, type Clock } from '#runtime';
import { decodeCursor, encodeCursor } from '../../paging/position-cursor.js';
import { toKeyView } from '../key-view.js';
import { ListKeysQuery, type KeysPage } from './list-keys.query.js';

@QueryHandler(ListKeysQuery)
export class ListKeysHandler implements IQueryHandler<ListKeysQuery> {
  constructor(
    @Inject(KEYS_READ_MODEL) private readonly keys: KeysReadModel,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(KEY_POLICY) private readonly policy: KeyPolicy,
  ) {}

  async execute({ actor, filter }: ListKeysQuery): Promise<KeysPage> {
    const now = this.clock.now();
    const rows = await this.keys.page({
      companyId: actor.companyId,
      // Root users and settings:edit holders see the company's keys; everyone else sees their own.
      visibleToOwner: managesAllKeys(actor) ? null : actor.userId,
      userId: filter.userId,
      status: filter.status,
      now,
      before: filter.cursor === undefined ? undefined : decodeCursor(filter.cursor),
      // One more than asked tells whether another page exists.
      limit: filter.limit + 1,
    });
    const page = rows.slice(0, filter.limit);
    return {
      items: page.map(({ position: _, ...row }) => toKeyView(row, now, { warningDays: this.policy.expiryWarningDays, viewerId: actor.userId })),
      nextCursor: rows.length > filter.limit ? encodeCursor(page[page.length - 1].position) : null,
    };
  }
}
