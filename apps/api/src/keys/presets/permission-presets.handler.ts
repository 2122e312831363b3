import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { permissionPresets } from '#keys';
import { PermissionPresetsQuery, type PermissionPresets } from './permission-presets.query.js';

@QueryHandler(PermissionPresetsQuery)
export class PermissionPresetsHandler implements IQueryHandler<PermissionPresetsQuery> {
  async execute({ actor }: PermissionPresetsQuery): Promise<PermissionPresets> {
    return { presets: permissionPresets(actor.permissions) };
  }
}
