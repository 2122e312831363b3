import type { ActivityReadModel, KeysReadModel } from '#projections';

/**
 * The embedded read models as the API reads them: every query first waits for `fresh` (the projection runner's
 * fresh(): the log applied as far as its head when the query came), because the runner holds passes of uses back
 * to fold them together (issue 11). Someone who got an answer from the MCP endpoint and then opens the keys list
 * or the activity feed sees that use; a query when nothing is held back costs a read of the log's head and of the
 * checkpoints. A query while uses are held back ends the wait (their pass runs then, after any group commit in flight):
 * reads keep their freshness at the price of that pass, so a load of reads makes passes of uses more frequent again.
 */
export const freshKeys = (model: KeysReadModel, fresh: () => Promise<void>): KeysReadModel => ({
  list: async (companyId, userId) => (await fresh(), model.list(companyId, userId)),
  page: async (query) => (await fresh(), model.page(query)),
  get: async (companyId, keyId) => (await fresh(), model.get(companyId, keyId)),
  // The sweeper's queries read lifecycle state only, which no pause holds back (only passes of uses alone wait), and
  // every command they lead to is decided on the keyring's own stream: waiting would only end a pause of uses once
  // per sweep for nothing.
  lapsed: (now, limit) => model.lapsed(now, limit),
  overlapsEnded: (now, limit) => model.overlapsEnded(now, limit),
  expiryWarningsDue: (now, days, limit) => model.expiryWarningsDue(now, days, limit),
});

export const freshActivity = (model: ActivityReadModel, fresh: () => Promise<void>): ActivityReadModel => ({
  query: async (q) => (await fresh(), model.query(q)),
});
