import type { SqliteDb } from '#event-store';
import { ACTIVITY_TABLE } from './activity-feed.projection.sqlite.js';
import type { ActivityQuery, ActivityReadModel, ActivityRow } from './activity-read-model.js';

type Stored = Omit<ActivityRow, 'count' | 'firstAt' | 'lastAt' | 'outcomes' | 'tool' | 'client'> & {
  bucketId: string | null;
  tool: string | null;
  clientName: string | null;
  clientVersion: string | null;
  count: number | null;
  firstAt: string | null;
  lastAt: string | null;
  ok: number | null;
  error: number | null;
  denied: number | null;
};

/** A lifecycle entry as it was; a roll-up with its machine-readable fields. */
const activityRowOf = ({ bucketId, tool, clientName, clientVersion, count, firstAt, lastAt, ok, error, denied, ...row }: Stored): ActivityRow =>
  bucketId === null
    ? row
    : {
        ...row, count: count!, firstAt: firstAt!, lastAt: lastAt!, outcomes: { ok: ok!, error: error!, denied: denied! }, tool,
        client: { name: clientName, version: clientVersion },
      };

export class SqliteActivityReadModel implements ActivityReadModel {
  private readonly statement;

  constructor(db: SqliteDb) {
    // Optional filters as "@x IS NULL OR column = @x": one prepared statement; the company prefix of the
    // indexes narrows the scan.
    this.statement = db.prepare(
        `SELECT position, event_id AS id, at, type, key_id AS keyId, key_label AS keyLabel,
                actor_user_id AS actorUserId, actor_name AS actorName, detail,
                bucket_id AS bucketId, tool, client_name AS clientName, client_version AS clientVersion, count,
                first_at AS firstAt, last_at AS lastAt, ok, error, denied
         FROM ${ACTIVITY_TABLE}
         WHERE company_id = @companyId
           AND (@owner IS NULL OR key_owner_user_id = @owner)
           AND (@keyId IS NULL OR key_id = @keyId)
           AND (@actor IS NULL OR actor_user_id = @actor)
           AND (@before IS NULL OR position < @before)
         ORDER BY position DESC LIMIT @limit`,
    );
  }

  async query(q: ActivityQuery): Promise<ActivityRow[]> {
    const rows = this.statement.all({
        companyId: q.companyId,
        owner: q.visibleToOwner,
        keyId: q.keyId ?? null,
        actor: q.actorUserId ?? null,
        before: q.before ?? null,
        limit: q.limit,
      }) as Stored[];
    return rows.map(activityRowOf);
  }
}
