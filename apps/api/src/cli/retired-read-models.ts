import { dropRetiredReadModels, embeddedProjections, retiredReadModels, type RetiredReadModel } from '#projections';
import { EXIT_USAGE, helpRequested, loadCliConfig, openStore, runCli, usageError } from './cli-support.js';

/**
 * The read models an upgrade left unused in the embedded profile's file (keys_list_v1, key_lookup_v1,
 * activity_v1 + activity_keys_v1): `npm run projections:retired` lists them, `-- --drop` drops them.
 */
const USAGE = `
usage: npm run projections:retired -- [--drop]

Lists the read-model tables of earlier versions that KEYGATE_DATA_DIR/keygate.sqlite still holds (an upgrade builds
the new version beside them and leaves them unused), with their rows, checkpoint and parked events.
  --drop       drop them, with their checkpoints and parked events, in one transaction. Only once no process of an
               earlier version uses the file (refused while this version has not built their successors). A
               running server's writes wait for the drop, up to 5 s, then fail: run it at a quiet time, or with
               Keygate stopped. The file keeps its size (SQLite reuses the pages; VACUUM, with Keygate stopped,
               gives them back).
  -h, --help   this text

Embedded profile only (KEYGATE_STORE=kurrent: MongoDB collections of a retired version are dropped by hand,
infra/README.md). Exit status: 0 done, 1 failed, 2 usage.
`;

const describe = (r: RetiredReadModel): string => {
  const tables = r.tables.map((t) => (Number.isNaN(t.rows) ? t.name : `${t.name} (${t.rows} rows)`)).join(', ') || 'no table';
  const checkpoint = r.checkpoint === null ? '' : `, checkpoint at ${r.checkpoint}`;
  const parked = r.parked ? `, ${r.parked} parked or skipped event(s)` : '';
  const unbuilt = r.succeeded ? '' : ` (not droppable yet: start this version once, it builds ${r.successor} from the log)`;
  return `${r.name}: ${tables}${checkpoint}${parked}${unbuilt}`;
};

await runCli(async () => {
  const args = process.argv.slice(2);
  helpRequested(args, USAGE);
  const unknown = args.filter((a) => a !== '--drop');
  if (unknown.length) return usageError(`unknown argument(s): ${unknown.join(' ')}`, USAGE);
  const config = loadCliConfig({ needsAuth: false });
  if (config.store !== 'embedded') {
    process.stderr.write('KEYGATE_STORE=kurrent: retired MongoDB collections are dropped by hand (infra/README.md).\n');
    return EXIT_USAGE;
  }
  const db = openStore(config);
  try {
    if (!args.includes('--drop')) {
      const found = retiredReadModels(db);
      if (found.length === 0) process.stdout.write('No retired read model in this file.\n');
      for (const r of found) process.stdout.write(`${describe(r)}\n`);
      if (found.some((r) => r.succeeded)) process.stdout.write('Drop them with: npm run projections:retired -- --drop\n');
      return 0;
    }
    // The current projections' tables, which the drop refuses to touch whatever its list says (the projections are
    // not attached to the file: nothing is created in it).
    const dropped = dropRetiredReadModels(db, embeddedProjections().flatMap((p) => p.tables));
    if (dropped.length === 0) process.stdout.write('No retired read model in this file: nothing dropped.\n');
    for (const r of dropped) process.stdout.write(`dropped ${describe(r)}\n`);
    return 0;
  } finally {
    db.close();
  }
});
