import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { exportRecords, type AuditRecord } from '#audit';
import { EVENT_STORE, type EventStore } from '#event-store';
import { forbidden, type Actor } from '#keys';
import { AuditEventsQuery } from './audit-events.query.js';

/** The history is the company's root users' to examine: other users see their own keys in the activity feed. */
export const requireRoot = (actor: Actor): void => {
  if (actor.role !== 'root') throw forbidden("Only the company's root users may read its audit history.");
};

@QueryHandler(AuditEventsQuery)
export class AuditEventsHandler implements IQueryHandler<AuditEventsQuery> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute({ actor, filter }: AuditEventsQuery): Promise<AsyncIterable<AuditRecord>> {
    requireRoot(actor);
    // The company comes from the actor's token, never from the request: no parameter can reach another company.
    return exportRecords(this.store, { ...filter, companyId: actor.companyId });
  }
}
