/**
 * Named choices of permissions for a narrower key, offered by GET /api/keys/permission-presets and computed from
 * the creator's own permissions (a preset never adds one).
 *
 * The naming rule for "read only": permissions are `resource:action` (the host product's convention, e.g.
 * `orders:read`, `settings:edit`); a permission is kept when its action (the part after the last `:` or `.`) is
 * one of READ_ACTIONS. An allow-list, not a deny-list of write verbs: an action Keygate has never heard of
 * (`orders:cancel`) is left out of a read-only key rather than let in.
 */
export const READ_ACTIONS: readonly string[] = ['read', 'view', 'list', 'get', 'search', 'export'];

export interface PermissionPreset {
  id: 'full' | 'read-only';
  name: string;
  description: string;
  permissions: string[];
}

export const isReadPermission = (permission: string): boolean => {
  const action = permission.slice(Math.max(permission.lastIndexOf(':'), permission.lastIndexOf('.')) + 1);
  return READ_ACTIONS.includes(action.toLowerCase());
};

export const permissionPresets = (permissions: readonly string[]): PermissionPreset[] => [
  {
    id: 'full',
    name: 'Everything you can do',
    description: 'All of your permissions, as they are now.',
    permissions: [...permissions],
  },
  {
    id: 'read-only',
    name: 'Read only',
    description: `Only your permissions whose action is ${READ_ACTIONS.join(', ')} (the part after the last ":"); MCP tools not declared read-only are refused to it.`,
    permissions: permissions.filter(isReadPermission),
  },
];
