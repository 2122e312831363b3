import { parseArgs } from 'node:util';
import { SqliteEventStore } from '#event-store';
import { embeddedReadSide, type ParkedEvent, type ParkedEvents } from '#projections';
import { StartupError, withoutCredentials } from '#config';
import { EXIT_USAGE, helpRequested, loadCliConfig, openStore, runCli, usageError } from './cli-support.js';

/**
 * What an operator does about events a projection parked (see libs/projections parking/):
 *
 *   npm run projections:parked -- list [--all] [--json]      the parked events (--all: skipped ones too)
 *   npm run projections:parked -- retry <projection>         once the code is fixed: rebuild it, parking again what still fails
 *   npm run projections:parked -- skip <projection> [pos…]   accept the loss, on record (/health is no longer degraded by them)
 *
 * Embedded profile: on the SQLite file. Production (KEYGATE_STORE=kurrent): on MongoDB; there a retry is a
 * blue/green rebuild (infra/README.md), because the projector's own loop holds its position in memory.
 */
const USAGE = 'usage: projections:parked -- list [--all] [--json] | retry <projection> | skip <projection> [position …]';
const HELP = `
${USAGE}

What a projection could not apply and parked (README "Parked events"):
  list [--all] [--json]       the parked events (--all: skipped ones too; --json: one JSON object a line)
  retry <projection>          once the code is fixed: rebuild it, parking again what still fails (embedded only)
  skip <projection> [pos …]   accept the loss, on record: /health is no longer degraded by them
  -h, --help                  this text

Embedded profile: KEYGATE_DATA_DIR/keygate.sqlite (a directory without one is refused). Production
(KEYGATE_STORE=kurrent): MongoDB at MONGODB_URL; there a retry is a blue/green rebuild (infra/README.md).
Exit status: 0 done, 1 failed, 2 usage.
`;

const print = (entries: ParkedEvent[], json: boolean) => {
  if (json) return entries.forEach((e) => process.stdout.write(`${JSON.stringify(e)}\n`));
  if (entries.length === 0) return process.stdout.write('no parked events\n');
  for (const e of entries) {
    process.stdout.write(`${e.projection}\t${e.position}\t${e.type}\t${e.eventId}\t${e.status}\t${e.parkedAt}\t${e.error}\n`);
  }
};

/** skip's positions (none: all of the projection's), checked before anything is opened. */
const positionsOf = (args: string[]): number[] | undefined => {
  if (args.length === 0) return undefined;
  const positions = args.map(Number);
  if (!positions.every((p) => Number.isSafeInteger(p) && p > 0)) return usageError(`positions must be positive integers: ${args.join(' ')}`, USAGE);
  return positions;
};

/**
 * A command's own arguments, strictly: an option it does not take (a typo of --json, --all after retry) is a usage
 * error, never ignored. list takes --all and --json and no name; retry one name; skip a name and positions.
 */
const argumentsOf = (command: string, rest: string[]) => {
  try {
    const { values, positionals } = parseArgs({
      args: rest,
      options: command === 'list' ? { all: { type: 'boolean' }, json: { type: 'boolean' } } : {},
      allowPositionals: true,
      strict: true,
    });
    const most = command === 'list' ? 0 : command === 'retry' ? 1 : Infinity;
    if (positionals.length > most) return usageError(`${command} takes ${most === 0 ? 'no' : 'one'} name; unexpected: ${positionals.slice(most).join(' ')}`, USAGE);
    return { all: values.all === true, json: values.json === true, name: positionals[0], positions: command === 'skip' ? positionsOf(positionals.slice(1)) : undefined };
  } catch (error) {
    // parseArgs throws TypeErrors with an ERR_PARSE_ARGS_* code for unknown or malformed options.
    if (!String((error as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS')) throw error;
    return usageError((error as Error).message, USAGE);
  }
};

const main = async (): Promise<number> => {
  const [command, ...rest] = process.argv.slice(2);
  helpRequested(process.argv.slice(2), HELP);
  if (!['list', 'retry', 'skip'].includes(command ?? '')) {
    process.stderr.write(`${USAGE}\n`);
    return EXIT_USAGE;
  }
  const args = argumentsOf(command, rest);
  const config = loadCliConfig({ needsAuth: false });
  let parked: ParkedEvents;
  let names: readonly string[];
  let retry: (name: string) => Promise<void>;
  let close: () => Promise<void>;
  if (config.store === 'kurrent') {
    const { MongoClient } = await import('mongodb');
    const { MongoParkedEvents, defaultMongoProjections } = await import('#projections/mongo');
    // Not the driver's 30 s of silence and its long error: one bounded attempt, and a message naming the URL.
    const mongo = await new MongoClient(config.mongodbUrl!, { serverSelectionTimeoutMS: 10_000 }).connect().catch((error: Error) => {
      throw new StartupError(`MongoDB at ${withoutCredentials(config.mongodbUrl!)} (MONGODB_URL) did not answer: ${error.message.split('\n')[0]}`, 69);
    });
    parked = new MongoParkedEvents(mongo.db(config.mongodbDatabase));
    names = defaultMongoProjections(config.readModelVersion).map((p) => p.name);
    retry = async () => {
      throw new Error('on the production profile, retry with a blue/green rebuild (KEYGATE_READ_MODEL_VERSION, infra/README.md)');
    };
    close = () => mongo.close();
  } else {
    const db = openStore(config);
    const { runner } = embeddedReadSide(db, new SqliteEventStore(db));
    parked = runner.parked;
    names = runner.projections.map((p) => p.name);
    retry = async (name) => {
      runner.rebuild(name);
      const still = runner.parked.listSync({ projection: name });
      process.stdout.write(`${name}: rebuilt; ${still.length} event(s) still parked\n`);
    };
    close = async () => void db.close();
  }
  try {
    const known = (name: string | undefined): string => {
      if (!name || !names.includes(name)) throw new Error(`name a projection: ${names.join(', ')}`);
      return name;
    };
    switch (command) {
      case 'list':
        print(await parked.list({ includeSkipped: args.all }), args.json);
        return 0;
      case 'retry':
        await retry(known(args.name));
        return 0;
      case 'skip': {
        const n = await parked.skip(known(args.name), args.positions);
        process.stdout.write(`${n} parked event(s) marked skipped\n`);
        return 0;
      }
      default:
        process.stderr.write(`${USAGE}\n`);
        return EXIT_USAGE;
    }
  } finally {
    await close();
  }
};

// A failure prints its message (a StartupError alone, without a stack) and exits non-zero (runCli).
await runCli(main);
