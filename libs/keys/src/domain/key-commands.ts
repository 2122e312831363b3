import type { Actor } from './actor.js';

/**
 * Commands carry everything that is not a pure function of the history: the clock reading,
 * generated ids and the verifier of a freshly generated secret. decide() stays deterministic.
 */
interface CommandBase {
  now: Date;
  correlationId: string;
}

export interface AcknowledgeNotice extends CommandBase {
  type: 'AcknowledgeNotice';
  actor: Actor;
  acknowledgementId: string;
  /** The key id is reserved at acknowledgement, so every lifecycle event names its key. */
  keyId: string;
  noticeVersion: string;
}

export interface MintKey extends CommandBase {
  type: 'MintKey';
  actor: Actor;
  acknowledgementId: string;
  label: string | undefined;
  /** Must be the key id the acknowledgement reserved: the token was generated around it. */
  keyId: string;
  prefix: string;
  /** argon2id verifier of the token's secret, computed before deciding (it is slow by design). */
  verifier: string;
}

export interface RevokeKey extends CommandBase {
  type: 'RevokeKey';
  actor: Actor;
  keyId: string;
}

export interface ExpireKey extends CommandBase {
  type: 'ExpireKey';
  companyId: string;
  keyId: string;
}

export interface DeleteKey extends CommandBase {
  type: 'DeleteKey';
  actor: Actor;
  keyId: string;
}

export type KeyCommand = AcknowledgeNotice | MintKey | RevokeKey | ExpireKey | DeleteKey;
