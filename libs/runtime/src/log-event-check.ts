import { AUDIT_DIGEST_TYPE, auditDigestProblem } from '#audit';
import type { NewEvent } from '#event-store';
import { checkEventForLog, MalformedEventError } from '#keys';

/** The store's append check: key events against their schemas, digests against theirs; nothing else enters the log. */
export const checkLogEvent = (event: NewEvent): void => {
  if (event.type !== AUDIT_DIGEST_TYPE) return checkEventForLog(event);
  const problem = auditDigestProblem(event.data);
  if (problem) throw new MalformedEventError(problem);
};
