import { randomUUID } from 'node:crypto';
// From node:timers, not the global: an app's tests that fake the global timers must not stall its appends.
import { setImmediate } from 'node:timers';
import { MAX_SERIAL, type Message, type MessagePage, type RoomSummary, searchTerms } from '@chatwire/protocol';
import Database from 'better-sqlite3';
import type {
  AddMemberResult,
  AppendResult,
  HistoryQuery,
  MessageChanges,
  NewMessage,
  RestrictionKind,
  RoomRestriction,
  SearchQuery,
  SendCheck,
  Store,
  UserRoomsQuery,
} from '../chat/store.js';
import {
  type MessageRow,
  type MessageRowValues,
  mentionsColumn,
  messageColumns,
  metaColumn,
  type RoomSummaryRow,
  toMessage,
  toMessageOfValues,
  toRoomSummary,
} from './message-row.js';
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
  `ALTER TABLE chat_messages ADD COLUMN reply_to INTEGER;
ALTER TABLE chat_messages ADD COLUMN mentions TEXT;
ALTER TABLE chat_messages ADD COLUMN meta TEXT;`,
  // Search: a contentless FTS5 index (the text lives in chat_messages only) of the messages not
  // deleted, kept in step by triggers. chat_messages has no rowid: chat_search_docs gives each message
  // the integer the index knows it by, growing with the serial within a room (AUTOINCREMENT, assigned
  // in the transaction that takes the serial), so the index pages newest first by itself. The room is a
  // word of its own column ('r' + hex of its id), so a query looks at one room's matches only.
  `CREATE TABLE chat_search_docs (
  doc INTEGER PRIMARY KEY AUTOINCREMENT,
  room_id TEXT NOT NULL,
  serial INTEGER NOT NULL,
  UNIQUE (room_id, serial)
);
CREATE VIRTUAL TABLE chat_search USING fts5(
  room, body, content = '', prefix = '1 2 3',
  tokenize = "unicode61 remove_diacritics 0 categories 'L* N* Co M*'"
);
CREATE TRIGGER chat_search_insert AFTER INSERT ON chat_messages BEGIN
  INSERT INTO chat_search_docs (room_id, serial) VALUES (new.room_id, new.serial);
  INSERT INTO chat_search (rowid, room, body)
    SELECT last_insert_rowid(), 'r' || hex(new.room_id), new.text WHERE new.deleted_at IS NULL;
END;
CREATE TRIGGER chat_search_update AFTER UPDATE OF text, deleted_at ON chat_messages BEGIN
  INSERT INTO chat_search (chat_search, rowid, room, body)
    SELECT 'delete', doc, 'r' || hex(old.room_id), old.text FROM chat_search_docs
    WHERE room_id = old.room_id AND serial = old.serial AND old.deleted_at IS NULL;
  INSERT INTO chat_search (rowid, room, body)
    SELECT doc, 'r' || hex(new.room_id), new.text FROM chat_search_docs
    WHERE room_id = new.room_id AND serial = new.serial AND new.deleted_at IS NULL;
END;
CREATE TRIGGER chat_search_delete AFTER DELETE ON chat_messages BEGIN
  INSERT INTO chat_search (chat_search, rowid, room, body)
    SELECT 'delete', doc, 'r' || hex(old.room_id), old.text FROM chat_search_docs
    WHERE room_id = old.room_id AND serial = old.serial AND old.deleted_at IS NULL;
  DELETE FROM chat_search_docs WHERE room_id = old.room_id AND serial = old.serial;
END;
INSERT INTO chat_search_docs (room_id, serial) SELECT room_id, serial FROM chat_messages ORDER BY room_id, serial;
INSERT INTO chat_search (rowid, room, body)
  SELECT d.doc, 'r' || hex(m.room_id), m.text FROM chat_search_docs d
  JOIN chat_messages m ON m.room_id = d.room_id AND m.serial = d.serial WHERE m.deleted_at IS NULL;`,
  `CREATE TABLE chat_members (
  user_id TEXT NOT NULL,
  room_id TEXT NOT NULL,
  PRIMARY KEY (user_id, room_id)
) WITHOUT ROWID;
CREATE INDEX chat_members_room ON chat_members (room_id, user_id);`,
  // Search indexing leaves the send path: a new message only gets its doc number; the store indexes the
  // docs past `indexed` in batches (one FTS5 segment for many messages, not one per message), and before
  // every search, so a search still finds every message stored before it. Edits and deletes touch the
  // index only for docs it holds already; a later batch indexes the others as they are then.
  `CREATE TABLE chat_search_state (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  indexed INTEGER NOT NULL
);
INSERT INTO chat_search_state (id, indexed) SELECT 1, coalesce(max(doc), 0) FROM chat_search_docs;
DROP TRIGGER chat_search_insert;
CREATE TRIGGER chat_search_insert AFTER INSERT ON chat_messages BEGIN
  INSERT INTO chat_search_docs (room_id, serial) VALUES (new.room_id, new.serial);
END;
DROP TRIGGER chat_search_update;
CREATE TRIGGER chat_search_update AFTER UPDATE OF text, deleted_at ON chat_messages BEGIN
  INSERT INTO chat_search (chat_search, rowid, room, body)
    SELECT 'delete', doc, 'r' || hex(old.room_id), old.text FROM chat_search_docs
    WHERE room_id = old.room_id AND serial = old.serial AND old.deleted_at IS NULL
      AND doc <= (SELECT indexed FROM chat_search_state);
  INSERT INTO chat_search (rowid, room, body)
    SELECT doc, 'r' || hex(new.room_id), new.text FROM chat_search_docs
    WHERE room_id = new.room_id AND serial = new.serial AND new.deleted_at IS NULL
      AND doc <= (SELECT indexed FROM chat_search_state);
END;
DROP TRIGGER chat_search_delete;
CREATE TRIGGER chat_search_delete AFTER DELETE ON chat_messages BEGIN
  INSERT INTO chat_search (chat_search, rowid, room, body)
    SELECT 'delete', doc, 'r' || hex(old.room_id), old.text FROM chat_search_docs
    WHERE room_id = old.room_id AND serial = old.serial AND old.deleted_at IS NULL
      AND doc <= (SELECT indexed FROM chat_search_state);
  DELETE FROM chat_search_docs WHERE room_id = old.room_id AND serial = old.serial;
END;`,
];

/** An append waiting for its batch's commit. */
interface PendingAppend {
  message: NewMessage;
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}

/** New messages a store appends before it indexes them for search in one batch. */
const SEARCH_BATCH = 64;

/** Past every rowid of chat_search_docs (SQLite's largest integer). */
const MAX_DOC = 2n ** 63n - 1n;

/** `value` as an FTS5 string: in double quotes, each inner one doubled. */
const ftsString = (value: string) => `"${value.replaceAll('"', '""')}"`;

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
  private readonly addMemberTx;
  private readonly indexTx;
  private readonly appendBatchTx;
  /** Appends waiting for the next batch commit. */
  private appends: PendingAppend[] = [];
  /** Messages this store appended since it last indexed for search. */
  private appended = 0;

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
      insert: db.prepare<
        [
          string,
          number,
          string,
          string,
          string,
          string,
          string,
          number,
          number,
          number | null,
          string | null,
          string | null,
        ],
        MessageRow
      >(
        `INSERT INTO chat_messages
           (room_id, serial, id, client_message_id, author_id, author_name, text, created_at, is_system, reply_to, mentions, meta)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
      ),
      get: db.prepare<[string, number], MessageRow>('SELECT * FROM chat_messages WHERE room_id = ? AND serial = ?'),
      edit: db.prepare<
        [
          {
            roomId: string;
            serial: number;
            text: string;
            at: number;
            setMentions: number;
            mentions: string | null;
            meta: string | null;
          },
        ],
        MessageRow
      >(
        `UPDATE chat_messages SET text = @text, edited_at = @at, updated_at = @at,
           mentions = CASE WHEN @setMentions = 1 THEN @mentions ELSE mentions END, meta = COALESCE(@meta, meta)
         WHERE room_id = @roomId AND serial = @serial AND deleted_at IS NULL RETURNING *`,
      ),
      delete: db.prepare<[{ roomId: string; serial: number; at: number }], MessageRow>(
        `UPDATE chat_messages SET text = '', reactions = '{}', mentions = NULL, meta = NULL,
           deleted_at = COALESCE(deleted_at, @at), updated_at = @at
         WHERE room_id = @roomId AND serial = @serial RETURNING *`,
      ),
      setReactions: db.prepare<[{ roomId: string; serial: number; reactions: string; at: number }], MessageRow>(
        'UPDATE chat_messages SET reactions = @reactions, updated_at = @at WHERE room_id = @roomId AND serial = @serial RETURNING *',
      ),
      // The reads of many messages get arrays of values (raw): no object with named keys per row.
      updatedSince: db
        .prepare<[string, number, number], MessageRowValues>(
          `SELECT ${messageColumns()} FROM chat_messages WHERE room_id = ? AND updated_at > ? ORDER BY updated_at ASC LIMIT ?`,
        )
        .raw(),
      after: db
        .prepare<[string, number, number], MessageRowValues>(
          `SELECT ${messageColumns()} FROM chat_messages WHERE room_id = ? AND serial > ? ORDER BY serial ASC LIMIT ?`,
        )
        .raw(),
      before: db
        .prepare<[string, number, number], MessageRowValues>(
          `SELECT ${messageColumns()} FROM chat_messages WHERE room_id = ? AND serial < ? ORDER BY serial DESC LIMIT ?`,
        )
        .raw(),
      // The index first (CROSS JOIN keeps that order), newest match first, so LIMIT stops it early.
      search: db
        .prepare<[{ match: string; roomId: string; before: number; limit: number }], MessageRowValues>(
          `SELECT ${messageColumns('m')} FROM chat_search s
         CROSS JOIN chat_search_docs d ON d.doc = s.rowid
         CROSS JOIN chat_messages m ON m.room_id = d.room_id AND m.serial = d.serial
         WHERE chat_search MATCH @match AND d.room_id = @roomId AND d.serial < @before
           AND s.rowid < (SELECT coalesce(min(doc), ${MAX_DOC}) FROM chat_search_docs
                          WHERE room_id = @roomId AND serial >= @before)
         ORDER BY s.rowid DESC LIMIT @limit`,
        )
        .raw(),
      unindexed: db.prepare<[], { one: number }>(
        'SELECT 1 AS one FROM chat_search_docs WHERE doc > (SELECT indexed FROM chat_search_state) LIMIT 1',
      ),
      indexPending: db.prepare(
        `INSERT INTO chat_search (rowid, room, body)
         SELECT d.doc, 'r' || hex(m.room_id), m.text FROM chat_search_docs d
         CROSS JOIN chat_messages m ON m.room_id = d.room_id AND m.serial = d.serial
         WHERE d.doc > (SELECT indexed FROM chat_search_state) AND m.deleted_at IS NULL`,
      ),
      markIndexed: db.prepare(
        'UPDATE chat_search_state SET indexed = max(indexed, (SELECT coalesce(max(doc), 0) FROM chat_search_docs))',
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
      isMember: db.prepare<[string, string], { one: number }>(
        'SELECT 1 AS one FROM chat_members WHERE user_id = ? AND room_id = ?',
      ),
      memberships: db.prepare<[string], { count: number }>(
        'SELECT count(*) AS count FROM chat_members WHERE user_id = ?',
      ),
      addMember: db.prepare<[string, string]>('INSERT INTO chat_members (user_id, room_id) VALUES (?, ?)'),
      removeMember: db.prepare<[string, string]>('DELETE FROM chat_members WHERE user_id = ? AND room_id = ?'),
      // The unread count stops at maxUnread rows: at most that many reads per room past the marker.
      userRooms: db.prepare<[{ userId: string; after: string; limit: number; maxUnread: number }], RoomSummaryRow>(
        `SELECT m.room_id AS member_room_id,
           COALESCE(r.last_serial, 0) AS room_last_serial,
           COALESCE(rm.serial, 0) AS read_serial,
           (SELECT count(*) FROM (SELECT 1 FROM chat_messages x
              WHERE x.room_id = m.room_id AND x.serial > COALESCE(rm.serial, 0)
                AND x.author_id <> m.user_id AND x.deleted_at IS NULL
              LIMIT @maxUnread)) AS unread,
           lm.*
         FROM chat_members m
         LEFT JOIN chat_rooms r ON r.room_id = m.room_id
         LEFT JOIN chat_read_markers rm ON rm.room_id = m.room_id AND rm.user_id = m.user_id
         LEFT JOIN chat_messages lm ON lm.room_id = m.room_id AND lm.serial = r.last_serial
         WHERE m.user_id = @userId AND m.room_id > @after
         ORDER BY m.room_id LIMIT @limit`,
      ),
      roomMembers: db.prepare<[string, number], { user_id: string }>(
        'SELECT user_id FROM chat_members WHERE room_id = ? LIMIT ?',
      ),
    };
    this.appendTx = db.transaction((input: NewMessage): AppendResult => {
      const existing = this.statements.byClientId.get(input.roomId, input.author.userId, input.clientMessageId);
      if (existing !== undefined) return { message: toMessage(existing), created: false };
      const serial = this.statements.nextSerial.get(input.roomId)?.last_serial;
      if (serial === undefined) throw new Error('SQLite returned no serial');
      const row = this.statements.insert.get(
        input.roomId,
        serial,
        randomUUID(),
        input.clientMessageId,
        input.author.userId,
        input.author.name,
        input.text,
        input.createdAt,
        input.system === true ? 1 : 0,
        input.replyTo ?? null,
        mentionsColumn(input.mentions),
        metaColumn(input.meta),
      );
      if (row === undefined) throw new Error('SQLite returned no row');
      if (input.system !== true) this.statements.markRead.get(input.roomId, input.author.userId, serial);
      this.appended += 1;
      if (this.appended >= SEARCH_BATCH) this.indexForSearch();
      return { message: toMessage(row), created: true };
    });
    this.toggleTx = db.transaction(
      (roomId: string, serial: number, emoji: string, userId: string, at: number, maxKeys: number) => {
        const row = this.statements.get.get(roomId, serial);
        if (row === undefined || row.deleted_at !== null) return row;
        const reactions = toggledReactionsJson(row.reactions, emoji, userId, maxKeys);
        return this.statements.setReactions.get({ roomId, serial, reactions, at });
      },
    );
    // A failing append rolls back to its savepoint only (a nested transaction): the others still commit.
    this.appendBatchTx = db.transaction((batch: readonly PendingAppend[]) =>
      batch.map(({ message }) => {
        try {
          return { ok: true as const, value: this.appendTx(message) };
        } catch (error) {
          return { ok: false as const, error };
        }
      }),
    );
    this.indexTx = db.transaction(() => {
      if (this.statements.unindexed.get() !== undefined) this.indexForSearch();
    });
    this.addMemberTx = db.transaction((roomId: string, userId: string, maxRooms: number): AddMemberResult => {
      if (this.statements.isMember.get(userId, roomId) !== undefined) return 'member';
      if ((this.statements.memberships.get(userId)?.count ?? 0) >= maxRooms) return 'full';
      this.statements.addMember.run(userId, roomId);
      return 'added';
    });
  }

  /**
   * Appends wait for the end of the event loop's current turn and go in as one transaction (each in a
   * savepoint of its own): a commit is most of an append's cost, and concurrent sends share one.
   */
  async append(message: NewMessage): Promise<AppendResult> {
    return new Promise((resolve, reject) => {
      this.appends.push({ message, resolve, reject });
      if (this.appends.length === 1) setImmediate(() => this.commitAppends());
    });
  }

  async sendCheck(roomId: string, authorId: string, clientMessageId: string, now: number): Promise<SendCheck> {
    const row = this.statements.byClientId.get(roomId, authorId, clientMessageId);
    return { stored: row && toMessage(row), restrictions: await this.restrictionsOf(roomId, authorId, now) };
  }

  async get(roomId: string, serial: number): Promise<Message | undefined> {
    const row = this.statements.get.get(roomId, serial);
    return row && toMessage(row);
  }

  async edit(
    roomId: string,
    serial: number,
    text: string,
    editedAt: number,
    changes: MessageChanges = {},
  ): Promise<Message | undefined> {
    const edit = {
      roomId,
      serial,
      text,
      at: editedAt,
      setMentions: changes.mentions === undefined ? 0 : 1,
      mentions: mentionsColumn(changes.mentions),
      meta: metaColumn(changes.meta),
    };
    // A deleted message stays as it is: the tombstone comes back unchanged.
    const row = this.statements.edit.get(edit) ?? this.statements.get.get(roomId, serial);
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
    return this.statements.updatedSince.all(roomId, since, limit).map(toMessageOfValues);
  }

  async history(roomId: string, query: HistoryQuery): Promise<MessagePage> {
    if (query.after !== undefined) {
      const rows = this.statements.after.all(roomId, query.after, query.limit + 1);
      return { messages: rows.slice(0, query.limit).map(toMessageOfValues), hasMore: rows.length > query.limit };
    }
    const rows = this.statements.before.all(roomId, query.before ?? MAX_SERIAL + 1, query.limit + 1);
    return {
      messages: rows.slice(0, query.limit).reverse().map(toMessageOfValues),
      hasMore: rows.length > query.limit,
    };
  }

  async search(roomId: string, query: string, options: SearchQuery): Promise<MessagePage> {
    const terms = searchTerms(query);
    if (terms.length === 0) return { messages: [], hasMore: false };
    // What this or another process appended since the last batch, so that the search sees it.
    this.indexTx.immediate();
    // Every word an FTS5 string with a prefix star: nothing in it is query syntax.
    const words = terms.map((term) => `${ftsString(term)}*`).join(' AND ');
    const room = ftsString(`r${Buffer.from(roomId).toString('hex')}`);
    const rows = this.statements.search.all({
      match: `room : ${room} AND body : (${words})`,
      roomId,
      before: options.before ?? MAX_SERIAL + 1,
      limit: options.limit + 1,
    });
    return { messages: rows.slice(0, options.limit).map(toMessageOfValues), hasMore: rows.length > options.limit };
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

  async addMember(roomId: string, userId: string, maxRooms: number): Promise<AddMemberResult> {
    return this.addMemberTx.immediate(roomId, userId, maxRooms);
  }

  async removeMember(roomId: string, userId: string): Promise<boolean> {
    return this.statements.removeMember.run(userId, roomId).changes > 0;
  }

  async userRooms(userId: string, query: UserRoomsQuery): Promise<RoomSummary[]> {
    const { limit, maxUnread } = query;
    return this.statements.userRooms.all({ userId, after: query.after ?? '', limit, maxUnread }).map(toRoomSummary);
  }

  async roomMembers(roomId: string, limit: number): Promise<string[]> {
    return this.statements.roomMembers.all(roomId, limit).map((row) => row.user_id);
  }

  async close(): Promise<void> {
    this.commitAppends();
    if (this.db.open) this.db.close();
  }

  /** Commits the appends waiting, each answered with its result or its own error. */
  private commitAppends(): void {
    const batch = this.appends;
    if (batch.length === 0) return;
    this.appends = [];
    let results: Array<{ ok: true; value: AppendResult } | { ok: false; error: unknown }>;
    try {
      results = this.appendBatchTx.immediate(batch);
    } catch (error) {
      for (const pending of batch) pending.reject(error);
      return;
    }
    for (const [index, result] of results.entries()) {
      const pending = batch[index];
      if (result.ok) pending?.resolve(result.value);
      else pending?.reject(result.error);
    }
  }

  /** Indexes for search every message not indexed yet (inside a write transaction). */
  private indexForSearch(): void {
    this.statements.indexPending.run();
    this.statements.markIndexed.run();
    this.appended = 0;
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
