/** Deployment settings the decider enforces. Passed in, so tests and deployments can set them. */
export interface KeyPolicy {
  maxActiveKeysPerCompany: number;
  maxActiveKeysPerCreator: number;
  keyTtlMs: number;
  acknowledgementTtlMs: number;
  labelMaxLength: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

export const DEFAULT_KEY_POLICY: KeyPolicy = {
  maxActiveKeysPerCompany: 10,
  maxActiveKeysPerCreator: 5,
  keyTtlMs: 90 * DAY_MS,
  acknowledgementTtlMs: 15 * 60 * 1000,
  labelMaxLength: 100,
};

export const daysToMs = (days: number): number => days * DAY_MS;
