/** Deployment settings the decider enforces. Passed in, so tests and deployments can set them. */
export interface KeyPolicy {
  maxActiveKeysPerCompany: number;
  maxActiveKeysPerCreator: number;
  keyTtlMs: number;
  acknowledgementTtlMs: number;
  /**
   * Unexpired, unused acknowledgements one user may hold in one company. Each reserves a key id and is folded
   * on every command of the company's keyring, so an unbounded number let one user slow down every colleague.
   */
  maxOpenAcknowledgementsPerUser: number;
  labelMaxLength: number;
  /** The longest overlap a rotation may ask for (the old key works that long beside the new one). */
  maxRotationOverlapMs: number;
  /** Days before expiry at which KeyExpiring is written, once each (e.g. 14, 7, 1). */
  expiryWarningDays: readonly number[];
}

const DAY_MS = 24 * 60 * 60 * 1000;

export const DEFAULT_KEY_POLICY: KeyPolicy = {
  maxActiveKeysPerCompany: 10,
  maxActiveKeysPerCreator: 5,
  keyTtlMs: 90 * DAY_MS,
  acknowledgementTtlMs: 15 * 60 * 1000,
  maxOpenAcknowledgementsPerUser: 3,
  labelMaxLength: 100,
  maxRotationOverlapMs: 7 * DAY_MS,
  expiryWarningDays: [14, 7, 1],
};

/** The overlap a rotation gets when it names none. */
export const DEFAULT_ROTATION_OVERLAP_MS = DAY_MS;

export const daysToMs = (days: number): number => days * DAY_MS;

export const KEY_POLICY = Symbol('KeyPolicy');
