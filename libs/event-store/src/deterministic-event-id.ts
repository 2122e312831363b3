import { createHash } from 'node:crypto';

/**
 * A UUID-shaped id derived from the command id and the event's index in the command's output:
 * the same command retried produces the same ids, and the store's uniqueness check refuses the copy.
 */
export const eventIdFor = (commandId: string, index: number): string => {
  const h = createHash('sha256').update(`${commandId}:${index}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16], 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
};
