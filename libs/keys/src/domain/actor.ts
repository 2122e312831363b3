/** A signed-in person of the host product, as its identity provider describes them. */
export interface Actor {
  userId: string;
  name: string;
  companyId: string;
  role: 'root' | 'user';
  permissions: readonly string[];
}

export const SETTINGS_EDIT = 'settings:edit';

/** Root users and holders of settings:edit manage every key of their company. */
export const managesAllKeys = (actor: Actor): boolean =>
  actor.role === 'root' || actor.permissions.includes(SETTINGS_EDIT);

/** The actor the expiry sweeper writes under. */
export const SYSTEM_ACTOR = { userId: 'system', name: 'Keygate' } as const;
