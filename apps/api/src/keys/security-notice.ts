/** Shown before every mint; its version is recorded in KeyAcknowledged so auditors know what was agreed to. */
export const NOTICE_VERSION = '2026-11-01';

export const securityNotice = (ttlDays: number): string[] => [
  'An API key lets any program that holds it act as you, with the permissions you have at the moment you create it.',
  'The key is shown once, right after you create it. Keygate stores only a one-way verifier and cannot show it again.',
  'Keep the key secret like a password: never commit it to a repository, paste it into a chat or share it with anyone.',
  'AI assistants using this key can read and change the data you can access, without asking you before each action.',
  `The key expires after ${ttlDays} days. Revoke it at once if it may have leaked or you no longer need it.`,
  'Every use of the key is recorded in the activity feed under your name.',
];
