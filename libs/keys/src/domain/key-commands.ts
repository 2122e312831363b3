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
  /** A narrower key: a subset of the creator's permissions. Absent: all of them. */
  permissions?: readonly string[];
}

/** Replaces a key: a new key (id, prefix and verifier made before deciding) while the old one works a while longer. */
export interface RotateKey extends CommandBase {
  type: 'RotateKey';
  actor: Actor;
  keyId: string;
  newKeyId: string;
  prefix: string;
  verifier: string;
  overlapMs: number;
}

export interface SuspendKey extends CommandBase {
  type: 'SuspendKey';
  actor: Actor;
  keyId: string;
}

export interface ResumeKey extends CommandBase {
  type: 'ResumeKey';
  actor: Actor;
  keyId: string;
}

/** Offboarding: every live key one user created, revoked in one command. */
export interface RevokeUserKeys extends CommandBase {
  type: 'RevokeUserKeys';
  actor: Actor;
  userId: string;
}

/** The sweeper, when a rotated key's overlap has ended. */
export interface RetireRotatedKey extends CommandBase {
  type: 'RetireRotatedKey';
  companyId: string;
  keyId: string;
}

/** The sweeper, when a live key is within a warning threshold of its expiry. */
export interface WarnExpiry extends CommandBase {
  type: 'WarnExpiry';
  companyId: string;
  keyId: string;
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

export type KeyCommand =
  | AcknowledgeNotice
  | MintKey
  | RotateKey
  | RevokeKey
  | SuspendKey
  | ResumeKey
  | RevokeUserKeys
  | RetireRotatedKey
  | WarnExpiry
  | ExpireKey
  | DeleteKey;
