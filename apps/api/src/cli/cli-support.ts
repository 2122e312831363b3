import { existsSync } from 'node:fs';
import { openSqlite, sqliteFileIn, type SqliteDb } from '#event-store';
import { ConfigError, dataDirProblem, exitOnStartupError, loadConfig, StartupError, type KeygateConfig, type LoadConfigOptions } from '#config';

// What the operator commands (token, projections:rebuild, projections:parked) share: --help, the configuration
// checked as the servers check it, a data directory that must hold a Keygate store, and a non-zero exit on failure.

/** Exit codes: 0 done, 1 the command failed, 2 a usage error, 78 configuration (ConfigError), 69 a store unreachable. */
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/** Prints `help` and exits 0 when the arguments ask for it (-h, --help, help). */
export const helpRequested = (args: readonly string[], help: string): void => {
  if (args.some((a) => a === '-h' || a === '--help') || args[0] === 'help') {
    process.stdout.write(`${help.trim()}\n`);
    process.exit(0);
  }
};

export const usageError = (message: string, usage: string): never => {
  process.stderr.write(`${message}\n${usage.trim()}\n`);
  process.exit(EXIT_USAGE);
};

/** loadConfig, with its ConfigError printed cleanly. The data directory is the command's to check (openStore). */
export const loadCliConfig = (options: LoadConfigOptions = {}): KeygateConfig => {
  try {
    return loadConfig(process.env, { ...options, dataDir: 'none' });
  } catch (error) {
    return exitOnStartupError(error);
  }
};

/**
 * The embedded store of KEYGATE_DATA_DIR. A command pointed at the wrong directory must not quietly create an
 * empty store there and report "nothing parked": a directory with no keygate.sqlite is refused.
 */
export const openStore = (config: KeygateConfig): SqliteDb => {
  const file = sqliteFileIn(config.dataDir);
  if (!existsSync(file)) {
    throw new StartupError(
      `KEYGATE_DATA_DIR=${JSON.stringify(config.dataDir)} holds no Keygate store (no ${file}). ` +
        'Set KEYGATE_DATA_DIR to the directory the server uses (default ./data, from where npm runs).',
      EXIT_FAILED,
    );
  }
  const problem = dataDirProblem(config.dataDir);
  if (problem) throw new ConfigError([problem]);
  return openSqlite(file);
};

/** Runs a command's body: a StartupError prints its message alone; any other error its message, exit 1. */
export const runCli = async (body: () => Promise<number>): Promise<void> => {
  let code: number;
  try {
    code = await body();
  } catch (error) {
    if (error instanceof StartupError) exitOnStartupError(error);
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    code = EXIT_FAILED;
  }
  process.exitCode = code;
};
