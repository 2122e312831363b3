import { Query } from '@nestjs/cqrs';
import type { Actor } from '#keys';
import type { KeyListStatus } from '#projections';
import type { KeyView } from '../key-view.js';

export interface KeysPage {
  items: KeyView[];
  /** Pass as `cursor` for the next page; null on the last one. */
  nextCursor: string | null;
}

export interface KeysFilter {
  status?: KeyListStatus;
  /** Only keys created by this user (within what the actor may see). */
  userId?: string;
  limit: number;
  cursor?: string;
}

export class ListKeysQuery extends Query<KeysPage> {
  constructor(
    readonly actor: Actor,
    readonly filter: KeysFilter = { limit: 100 },
  ) {
    super();
  }
}
