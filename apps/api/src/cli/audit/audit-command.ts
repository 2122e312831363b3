import type { EventStore, SqliteDb } from '#event-store';
import type { KeygateConfig } from '#config';

/**
 * One `npm run audit -- <command>` subcommand. The dispatcher (../audit.ts) handles `--help`, loads the
 * configuration and opens the stores only when a command runs, so `--help` works anywhere.
 *
 * Exit codes an auditor's script relies on: 0 clean, 1 a finding (a difference, a broken link), 2 a usage error.
 * A failure to run at all (store unreachable, bad configuration) exits with the codes of the other commands
 * (cli-support.ts): 1, 69 or 78.
 */
export const EXIT_CLEAN = 0;
export const EXIT_FINDING = 1;
export const EXIT_USAGE_ERROR = 2;

export interface AuditCliContext {
  config: KeygateConfig;
  /** The event log: the SQLite file on the embedded profile, KurrentDB on production. Read it through the port. */
  store: EventStore;
  /** Embedded profile only: the SQLite file holding the log and the read models. */
  db: SqliteDb | null;
  /** Writes to stdout, waiting when the pipe is full (constant memory on a large export). */
  write(text: string): Promise<void>;
}

export interface AuditCommand {
  name: string;
  /** One line for the list of commands. */
  summary: string;
  /** The whole `--help` text of this command. */
  help: string;
  /**
   * Runs with the command's own arguments (after its name). Parse them with node:util parseArgs (strict); the
   * dispatcher turns a thrown AuditUsageError into exit 2 with the command's help.
   */
  run(args: string[], open: () => Promise<AuditCliContext>): Promise<number>;
}

/** A bad argument: the dispatcher prints the message and the command's help, and exits 2. */
export class AuditUsageError extends Error {
  override name = 'AuditUsageError';
}
