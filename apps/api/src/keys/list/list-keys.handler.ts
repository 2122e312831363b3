import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { managesAllKeys } from '#keys';
import { KEYS_READ_MODEL, type KeysReadModel } from '#projections';
import { CLOCK, type Clock } from '#runtime';
import { toKeyView, type KeyView } from '../key-view.js';
import { ListKeysQuery } from './list-keys.query.js';

@QueryHandler(ListKeysQuery)
export class ListKeysHandler implements IQueryHandler<ListKeysQuery> {
  constructor(
    @Inject(KEYS_READ_MODEL) private readonly keys: KeysReadModel,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ actor }: ListKeysQuery): Promise<KeyView[]> {
    // Root users and settings:edit holders see the company's keys; everyone else sees their own.
    const rows = await this.keys.list(actor.companyId, managesAllKeys(actor) ? null : actor.userId);
    const now = this.clock.now();
    return rows.map((row) => toKeyView(row, now));
  }
}
