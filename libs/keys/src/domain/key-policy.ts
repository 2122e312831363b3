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
}

const DAY_MS = 24 * 60 * 60 * 1000;

export const DEFAULT_KEY_POLICY: KeyPolicy = {
  maxActiveKeysPerCompany: 10,
  maxActiveKeysPerCreator: 5,
  keyTtlMs: 90 * DAY_MS,
  acknowledgementTtlMs: 15 * 60 * 1000,
  maxOpenAcknowledgementsPerUser: 3,
  labelMaxLength: 100,
};

export const daysToMs = (days: number): number => days * DAY_MS;

export const KEY_POLICY = Symbol('KeyPolicy');
