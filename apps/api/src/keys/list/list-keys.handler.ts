import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { managesAllKeys } from '#keys';
import { KEYGATE_RUNTIME, type KeygateRuntime } from '#runtime';
import { toKeyView, type KeyView } from '../key-view.js';
import { ListKeysQuery } from './list-keys.query.js';

@QueryHandler(ListKeysQuery)
export class ListKeysHandler implements IQueryHandler<ListKeysQuery> {
  constructor(@Inject(KEYGATE_RUNTIME) private readonly runtime: KeygateRuntime) {}

  async execute({ actor }: ListKeysQuery): Promise<KeyView[]> {
    const { keys, clock } = this.runtime;
    // Root users and settings:edit holders see the company's keys; everyone else sees their own.
    const rows = await keys.list(actor.companyId, managesAllKeys(actor) ? null : actor.userId);
    const now = clock.now();
    return rows.map((row) => toKeyView(row, now));
  }
}
