import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { keysAt, readCompanyHistory } from '#audit';
import { EVENT_STORE, type EventStore } from '#event-store';
import { requireRoot } from './audit-events.handler.js';
import { KeysAtQuery, type KeysAtView } from './keys-at.query.js';

@QueryHandler(KeysAtQuery)
export class KeysAtHandler implements IQueryHandler<KeysAtQuery> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute({ actor, at }: KeysAtQuery): Promise<KeysAtView> {
    requireRoot(actor);
    const history = await readCompanyHistory(this.store, actor.companyId, at);
    return { at: at.toISOString(), companyId: actor.companyId, keys: keysAt(history.events, at) };
  }
}
