import { Query } from '@nestjs/cqrs';
import type { Actor } from '#keys';
import type { KeyView } from '../key-view.js';

export class ListKeysQuery extends Query<KeyView[]> {
  constructor(readonly actor: Actor) {
    super();
  }
}
