import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';

export type SqliteDb = Database.Database;

export const SQLITE_FILE_NAME = 'keygate.sqlite';

/**
 * Opens (creating if needed) the embedded profile's single SQLite file: events and read models together.
 *
 * - WAL: readers never block the writer, and several processes can share the file.
 * - synchronous=FULL: a commit is fsynced before it returns, so an acknowledged write survives a power
 *   loss, not only a process crash (NORMAL would lose the last commits on an OS crash).
 * - busy_timeout: a second process waits for the write lock instead of failing at once.
 */
export const openSqlite = (file: string): SqliteDb => {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  return db;
};

export const sqliteFileIn = (dataDir: string): string => join(dataDir, SQLITE_FILE_NAME);
