// Healthcheck of the compose service "mongodb", run by mongosh inside the container.
// Keygate's MongoDB is a single-node replica set (the projector's transactions need one). On the first
// run, with an empty volume, it initiates the set; it exits 0 only once this node is PRIMARY.
// The set's name comes from the server's own --replSet option; the member's address, the name the other
// containers reach it by, from REPLICA_SET_MEMBER in docker-compose.yml. Clients connect to the members
// listed in the set's configuration, not to the seed in their URL, so that address must resolve for them.
const NOT_YET_INITIALIZED = 94;

try {
  rs.status();
} catch (error) {
  if (error.code !== NOT_YET_INITIALIZED) throw error;
  const member = process.env.REPLICA_SET_MEMBER;
  if (!member) throw new Error('REPLICA_SET_MEMBER is not set: the address to announce for this node');
  // `--replSet` on the command line is parsed as replication.replSet, a config file's as replSetName.
  const { replication } = db.adminCommand({ getCmdLineOpts: 1 }).parsed;
  const name = replication.replSet ?? replication.replSetName;
  rs.initiate({ _id: name, members: [{ _id: 0, host: member }] });
}

if (!db.hello().isWritablePrimary) quit(1);
