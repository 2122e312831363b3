import { Query } from '@nestjs/cqrs';
import type { Actor, PermissionPreset } from '#keys';

export interface PermissionPresets {
  presets: PermissionPreset[];
}

/** The narrower keys the caller may mint: computed from their own permissions (a preset never adds one). */
export class PermissionPresetsQuery extends Query<PermissionPresets> {
  constructor(readonly actor: Actor) {
    super();
  }
}
