export interface KeyLookupEntry {
  keyId: string;
  companyId: string;
  userId: string;
  userName: string;
  creatorRole: 'root' | 'user';
  permissions: string[];
  verifier: string;
  status: 'active' | 'revoked' | 'expired' | 'deleted';
  expiresAt: string;
}

/** Port: the guard's lookup table, as stored. */
export interface KeyLookupReadModel {
  get(keyId: string): Promise<KeyLookupEntry | null>;
  all(): Promise<KeyLookupEntry[]>;
}

export const KEY_LOOKUP_READ_MODEL = Symbol('KeyLookupReadModel');
