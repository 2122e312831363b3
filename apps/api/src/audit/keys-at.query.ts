import { Query } from '@nestjs/cqrs';
import type { KeyAtInstant } from '#audit';
import type { Actor } from '#keys';

export interface KeysAtView {
  at: string;
  companyId: string;
  keys: KeyAtInstant[];
}

/** The actor's company's keys as they stood at an instant, computed from the history alone. */
export class KeysAtQuery extends Query<KeysAtView> {
  constructor(
    readonly actor: Actor,
    readonly at: Date,
  ) {
    super();
  }
}
