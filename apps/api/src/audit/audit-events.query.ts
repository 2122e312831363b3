import { Query } from '@nestjs/cqrs';
import type { AuditRecord } from '#audit';
import type { Actor } from '#keys';

/** The actor's company's history as audit records, with the digests covering them (streamed, never buffered). */
export class AuditEventsQuery extends Query<AsyncIterable<AuditRecord>> {
  constructor(
    readonly actor: Actor,
    readonly filter: { keyId?: string; from?: Date; to?: Date },
  ) {
    super();
  }
}
