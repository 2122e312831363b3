import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { managesAllKeys } from '#keys';
import { ACTIVITY_READ_MODEL, type ActivityReadModel } from '#projections';
import { decodeCursor, encodeCursor } from '../paging/position-cursor.js';
import { GetActivityQuery, type ActivityPage } from './get-activity.query.js';

// The feed sorts on each entry's newest position (paging/position-cursor.ts), and a roll-up of uses moves up as it
// grows: a walk never repeats an entry nor goes out of order, sees once every entry that does not change meanwhile,
// and an entry that grows during the walk is not on its later pages but at the top of a fresh first page, with its
// new figures.
@QueryHandler(GetActivityQuery)
export class GetActivityHandler implements IQueryHandler<GetActivityQuery> {
  constructor(@Inject(ACTIVITY_READ_MODEL) private readonly activity: ActivityReadModel) {}

  async execute({ actor, filter }: GetActivityQuery): Promise<ActivityPage> {
    const rows = await this.activity.query({
      companyId: actor.companyId,
      visibleToOwner: managesAllKeys(actor) ? null : actor.userId,
      keyId: filter.keyId,
      actorUserId: filter.userId,
      before: filter.cursor === undefined ? undefined : decodeCursor(filter.cursor),
      // One more than asked tells whether another page exists.
      limit: filter.limit + 1,
    });
    const page = rows.slice(0, filter.limit);
    return {
      items: page.map(({ position: _, ...entry }) => entry),
      nextCursor: rows.length > filter.limit ? encodeCursor(page[page.length - 1].position) : null,
    };
  }
}
