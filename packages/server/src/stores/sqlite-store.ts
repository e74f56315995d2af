import { randomUUID } from 'node:crypto';
import { MAX_SERIAL, type Message, type MessagePage } from '@chatwire/protocol';
import Database from 'better-sqlite3';
import type { AppendResult, HistoryQuery, NewMessage, RestrictionKind, RoomRestriction, Store } from '../chat/store.js';
import { type MessageRow, toMessage } from './message-row.js';
import { toggledReactionsJson } from './reactions.js';
import { type RestrictionRow, toRestriction, toRestrictionRow } from './restriction-row.js';

/**
 * Options of {@link SqliteStore}.
 *
 * @example
 * ```ts
 * import { SqliteStore } from '@chatwire/server/sqlite';
 * const store = new SqliteStore({ path: 'data/chat.db' } satisfies SqliteStoreOptions);
 * ```
 */
export interface SqliteStoreOptions {
  /** The database file (created if missing); `':memory:'` for a throwaway one. */
  path: string;
}

/** Each entry runs once, in order (PRAGMA user_version counts them). Never edit one: add the next. */
const MIGRATIONS = [
  `CREATE TABLE IF NOT EXISTS chat_rooms (
  room_id TEXT PRIMARY KEY,
  last_serial INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS chat_messages (
  room_id TEXT NOT NULL,
  serial INTEGER NOT NULL,
  id TEXT NOT NULL,
  client_message_id TEXT NOT NULL,
  author_id TEXT NOT NULL,
  author_name TEXT NOT NULL,
  text TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  edited_at INTEGER,
  deleted_at INTEGER,
  reactions TEXT NOT NULL DEFAULT '{}',
  PRIMARY KEY (room_id, serial)
) WITHOUT ROWID;
CREATE UNIQUE INDEX IF NOT EXISTS chat_messages_client_id ON chat_messages (room_id, author_id, client_message_id);
CREATE TABLE IF NOT EXISTS chat_read_markers (
  room_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  serial INTEGER NOT NULL,
  PRIMARY KEY (room_id, user_id)
) WITHOUT ROWID;`,
  `ALTER TABLE chat_messages ADD COLUMN updated_at INTEGER;
CREATE INDEX chat_messages_updated ON chat_messages (room_id, updated_at) WHERE updated_at IS NOT NULL;`,
  `ALTER TABLE chat_messages ADD COLUMN is_system INTEGER NOT NULL DEFAULT 0;`,
  `CREATE TABLE chat_restrictions (
  room_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  until INTEGER,
  reason TEXT,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (room_id, user_id, kind)
) WITHOUT ROWID;
CREATE INDEX chat_restrictions_listed ON chat_restrictions (room_id, kind, created_at, user_id);`,
];

/**
 * Durable history in one SQLite file (better-sqlite3, WAL): the embedded default for one node.
 * Serials come from a per-room counter updated in the same transaction as the insert.
 * @example const store = new SqliteStore({ path: './chat.db' });
 */
export class SqliteStore implements Store {
  private readonly db: Database.Database;
  private readonly statements;
  private readonly appendTx;
  private readonly toggleTx;

  constructor(options: SqliteStoreOptions) {
    this.db = new Database(options.path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    this.migrate();
    const db = this.db;
    this.statements = {
      byClientId: db.prepare<[string, string, string], MessageRow>(
        'SELECT * FROM chat_messages WHERE room_id = ? AND author_id = ? AND client_message_id = ?',
      ),
      nextSerial: db.prepare<[string], { last_serial: number }>(
        `INSERT INTO chat_rooms (room_id, last_serial) VALUES (?, 1)
         ON CONFLICT (room_id) DO UPDATE SET last_serial = last_serial + 1 RETURNING last_serial`,
      ),
      insert: db.prepare<[string, number, string, string, string, string, string, number, number]>(
        `INSERT INTO chat_messages (room_id, serial, id, client_message_id, author_id, author_name, text, created_at, is_system)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      get: db.prepare<[string, number], MessageRow>('SELECT * FROM chat_messages WHERE room_id = ? AND serial = ?'),
      edit: db.prepare<[{ roomId: string; serial: number; text: string; at: number }], MessageRow>(
        `UPDATE chat_messages SET text = @text, edited_at = @at, updated_at = @at
         WHERE room_id = @roomId AND serial = @serial AND deleted_at IS NULL RETURNING *`,
      ),
      delete: db.prepare<[{ roomId: string; serial: number; at: number }], MessageRow>(
        `UPDATE chat_messages SET text = '', reactions = '{}', deleted_at = COALESCE(deleted_at, @at), updated_at = @at
         WHERE room_id = @roomId AND serial = @serial RETURNING *`,
      ),
      setReactions: db.prepare<[{ roomId: string; serial: number; reactions: string; at: number }], MessageRow>(
        'UPDATE chat_messages SET reactions = @reactions, updated_at = @at WHERE room_id = @roomId AND serial = @serial RETURNING *',
      ),
      updatedSince: db.prepare<[string, number, number], MessageRow>(
        'SELECT * FROM chat_messages WHERE room_id = ? AND updated_at > ? ORDER BY updated_at ASC LIMIT ?',
      ),
      after: db.prepare<[string, number, number], MessageRow>(
        'SELECT * FROM chat_messages WHERE room_id = ? AND serial > ? ORDER BY serial ASC LIMIT ?',
      ),
      before: db.prepare<[string, number, number], MessageRow>(
        'SELECT * FROM chat_messages WHERE room_id = ? AND serial < ? ORDER BY serial DESC LIMIT ?',
      ),
      lastSerial: db.prepare<[string], { last_serial: number }>('SELECT last_serial FROM chat_rooms WHERE room_id = ?'),
      markRead: db.prepare<[string, string, number], { serial: number }>(
        `INSERT INTO chat_read_markers (room_id, user_id, serial) VALUES (?, ?, ?)
         ON CONFLICT (room_id, user_id) DO UPDATE SET serial = max(serial, excluded.serial) RETURNING serial`,
      ),
      readMarkers: db.prepare<[string], { user_id: string; serial: number }>(
        'SELECT user_id, serial FROM chat_read_markers WHERE room_id = ?',
      ),
      restrict: db.prepare<[RestrictionRow]>(
        `INSERT INTO chat_restrictions (room_id, user_id, kind, until, reason, created_at)
         VALUES (@room_id, @user_id, @kind, @until, @reason, @created_at)
         ON CONFLICT (room_id, user_id, kind) DO UPDATE
         SET until = excluded.until, reason = excluded.reason, created_at = excluded.created_at`,
      ),
      lift: db.prepare<[string, string, string]>(
        'DELETE FROM chat_restrictions WHERE room_id = ? AND user_id = ? AND kind = ?',
      ),
      restrictionsOf: db.prepare<[string, string, number], RestrictionRow>(
        `SELECT * FROM chat_restrictions WHERE room_id = ? AND user_id = ? AND (until IS NULL OR until > ?)
         ORDER BY kind`,
      ),
      restrictions: db.prepare<[string, string, number, number], RestrictionRow>(
        `SELECT * FROM chat_restrictions WHERE room_id = ? AND kind = ? AND (until IS NULL OR until > ?)
         ORDER BY created_at, user_id LIMIT ?`,
      ),
    };
    this.appendTx = db.transaction((input: NewMessage): AppendResult => {
      const existing = this.statements.byClientId.get(input.roomId, input.author.userId, input.clientMessageId);
      if (existing !== undefined) return { message: toMessage(existing), created: false };
      const serial = this.statements.nextSerial.get(input.roomId)?.last_serial;
      if (serial === undefined) throw new Error('SQLite returned no serial');
      const id = randomUUID();
      this.statements.insert.run(
        input.roomId,
        serial,
        id,
        input.clientMessageId,
        input.author.userId,
        input.author.name,
        input.text,
        input.createdAt,
        input.system === true ? 1 : 0,
      );
      const message: Message = {
        id,
        roomId: input.roomId,
        serial,
        clientMessageId: input.clientMessageId,
        author: { userId: input.author.userId, name: input.author.name },
        text: input.text,
        createdAt: input.createdAt,
        reactions: {},
      };
      if (input.system === true) message.system = true;
      return { message, created: true };
    });
    this.toggleTx = db.transaction(
      (roomId: string, serial: number, emoji: string, userId: string, at: number, maxKeys: number) => {
        const row = this.statements.get.get(roomId, serial);
        if (row === undefined || row.deleted_at !== null) return row;
        const reactions = toggledReactionsJson(row.reactions, emoji, userId, maxKeys);
        return this.statements.setReactions.get({ roomId, serial, reactions, at });
      },
    );
  }

  async append(message: NewMessage): Promise<AppendResult> {
    return this.appendTx.immediate(message);
  }

  async findByClientMessageId(roomId: string, authorId: string, clientMessageId: string): Promise<Message | undefined> {
    const row = this.statements.byClientId.get(roomId, authorId, clientMessageId);
    return row && toMessage(row);
  }

  async get(roomId: string, serial: number): Promise<Message | undefined> {
    const row = this.statements.get.get(roomId, serial);
    return row && toMessage(row);
  }

  async edit(roomId: string, serial: number, text: string, editedAt: number): Promise<Message | undefined> {
    // A deleted message stays as it is: the tombstone comes back unchanged.
    const row =
      this.statements.edit.get({ roomId, serial, text, at: editedAt }) ?? this.statements.get.get(roomId, serial);
    return row && toMessage(row);
  }

  async delete(roomId: string, serial: number, deletedAt: number): Promise<Message | undefined> {
    const row = this.statements.delete.get({ roomId, serial, at: deletedAt });
    return row && toMessage(row);
  }

  async toggleReaction(
    roomId: string,
    serial: number,
    emoji: string,
    userId: string,
    at: number,
    maxReactionKeys: number,
  ): Promise<Message | undefined> {
    const row = this.toggleTx.immediate(roomId, serial, emoji, userId, at, maxReactionKeys);
    return row && toMessage(row);
  }

  async updatedSince(roomId: string, since: number, limit: number): Promise<Message[]> {
    return this.statements.updatedSince.all(roomId, since, limit).map(toMessage);
  }

  async history(roomId: string, query: HistoryQuery): Promise<MessagePage> {
    if (query.after !== undefined) {
      const rows = this.statements.after.all(roomId, query.after, query.limit + 1);
      return { messages: rows.slice(0, query.limit).map(toMessage), hasMore: rows.length > query.limit };
    }
    const rows = this.statements.before.all(roomId, query.before ?? MAX_SERIAL + 1, query.limit + 1);
    return { messages: rows.slice(0, query.limit).reverse().map(toMessage), hasMore: rows.length > query.limit };
  }

  async lastSerial(roomId: string): Promise<number> {
    return this.statements.lastSerial.get(roomId)?.last_serial ?? 0;
  }

  async markRead(roomId: string, userId: string, serial: number): Promise<number> {
    return this.statements.markRead.get(roomId, userId, serial)?.serial ?? serial;
  }

  async readMarkers(roomId: string): Promise<Record<string, number>> {
    return Object.fromEntries(this.statements.readMarkers.all(roomId).map((row) => [row.user_id, row.serial]));
  }

  async restrict(restriction: RoomRestriction): Promise<void> {
    this.statements.restrict.run(toRestrictionRow(restriction));
  }

  async lift(roomId: string, userId: string, kind: RestrictionKind): Promise<void> {
    this.statements.lift.run(roomId, userId, kind);
  }

  async restrictionsOf(roomId: string, userId: string, now: number): Promise<RoomRestriction[]> {
    return this.statements.restrictionsOf.all(roomId, userId, now).map(toRestriction);
  }

  async restrictions(roomId: string, kind: RestrictionKind, now: number, limit: number): Promise<RoomRestriction[]> {
    return this.statements.restrictions.all(roomId, kind, now, limit).map(toRestriction);
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  private migrate(): void {
    this.db
      .transaction(() => {
        // Read under the write lock: two processes opening a new file together would otherwise both
        // read 0, and the second would apply the migrations again (ALTER TABLE fails the second time).
        const applied = this.db.pragma('user_version', { simple: true }) as number;
        for (const [index, migration] of MIGRATIONS.entries()) {
          if (index < applied) continue;
          this.db.exec(migration);
          this.db.pragma(`user_version = ${index + 1}`);
        }
      })
      .immediate();
  }
}
