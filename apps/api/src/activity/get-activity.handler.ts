import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { invalid, managesAllKeys } from '#keys';
import { ACTIVITY_READ_MODEL, type ActivityReadModel } from '#projections';
import { GetActivityQuery, type ActivityPage } from './get-activity.query.js';

// The cursor is opaque to clients: the log position of the last entry they saw; the next page holds the entries
// strictly below it. A position is never reused, so a cursor stays valid whatever happens to the entries. The
// feed sorts on each entry's newest position, and a roll-up of uses moves up as it grows: a walk never repeats
// an entry nor goes out of order, sees once every entry that does not change meanwhile, and an entry that grows
// during the walk is not on its later pages but at the top of a fresh first page, with its new figures.
const encodeCursor = (position: number) => Buffer.from(`p${position}`).toString('base64url');
const decodeCursor = (cursor: string): number => {
  const m = /^p(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!m) throw invalid('The cursor is not one this API returned; start again without it.');
  return Number(m[1]);
};

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
