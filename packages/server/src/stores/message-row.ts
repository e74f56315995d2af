import type { Message, MessageMeta, RoomSummary } from '@chatwire/protocol';

/** A message as the SQL stores keep it (PostgreSQL returns bigint columns as strings). */
export interface MessageRow {
  room_id: string;
  serial: number;
  id: string;
  client_message_id: string;
  author_id: string;
  author_name: string;
  text: string;
  created_at: number | string;
  edited_at: number | string | null;
  deleted_at: number | string | null;
  /** JSON: emoji → user ids, in the order they reacted */
  reactions: string;
  /** when it last changed after it was sent (edit, delete, reaction) */
  updated_at?: number | string | null;
  /** 1 (SQLite) or true (PostgreSQL) on a system message */
  is_system?: number | boolean | null;
  /** the serial of the message it replies to */
  reply_to?: number | null;
  /** JSON: ids of the users it mentions (null: none) */
  mentions?: string | null;
  /** JSON: the app's fields (null: none) */
  meta?: string | null;
}

/** A message's columns, in the order {@link messageRowOf} reads them. */
export const MESSAGE_COLUMNS = [
  'room_id',
  'serial',
  'id',
  'client_message_id',
  'author_id',
  'author_name',
  'text',
  'created_at',
  'edited_at',
  'deleted_at',
  'reactions',
  'updated_at',
  'is_system',
  'reply_to',
  'mentions',
  'meta',
] as const satisfies readonly (keyof MessageRow)[];

/** {@link MESSAGE_COLUMNS} as a select list, each prefixed by `alias.` if given. */
export function messageColumns(alias?: string): string {
  return MESSAGE_COLUMNS.map((column) => (alias === undefined ? column : `${alias}.${column}`)).join(', ');
}

/** A message row as an array of values, in the order of {@link MESSAGE_COLUMNS}. */
export type MessageRowValues = ValuesOf<typeof MESSAGE_COLUMNS>;
type ValuesOf<K extends readonly (keyof MessageRow)[]> = {
  -readonly [I in keyof K]: K[I] extends keyof MessageRow ? Exclude<MessageRow[K[I]], undefined> : never;
};

/**
 * The row of {@link MESSAGE_COLUMNS}' values (better-sqlite3's raw mode): a driver that builds an
 * object per row with named keys spends about as long on that as on the query itself.
 */
export function messageRowOf(values: MessageRowValues): MessageRow {
  const [
    room_id,
    serial,
    id,
    client_message_id,
    author_id,
    author_name,
    text,
    created_at,
    edited_at,
    deleted_at,
    reactions,
    updated_at,
    is_system,
    reply_to,
    mentions,
    meta,
  ] = values;
  return {
    room_id,
    serial,
    id,
    client_message_id,
    author_id,
    author_name,
    text,
    created_at,
    edited_at,
    deleted_at,
    reactions,
    updated_at,
    is_system,
    reply_to,
    mentions,
    meta,
  };
}

/** The message a row of {@link MESSAGE_COLUMNS}' values holds. */
export function toMessageOfValues(values: MessageRowValues): Message {
  return toMessage(messageRowOf(values));
}

/** The `mentions` column for these ids: JSON, or null for none. */
export function mentionsColumn(mentions: string[] | undefined): string | null {
  return mentions === undefined || mentions.length === 0 ? null : JSON.stringify(mentions);
}

/** The `meta` column: JSON, or null for none. */
export function metaColumn(meta: MessageMeta | undefined): string | null {
  return meta === undefined ? null : JSON.stringify(meta);
}

/** The message a row holds. */
export function toMessage(row: MessageRow): Message {
  const message: Message = {
    id: row.id,
    roomId: row.room_id,
    serial: row.serial,
    clientMessageId: row.client_message_id,
    author: { userId: row.author_id, name: row.author_name },
    text: row.text,
    createdAt: Number(row.created_at),
    reactions: JSON.parse(row.reactions) as Record<string, string[]>,
  };
  if (row.edited_at !== null) message.editedAt = Number(row.edited_at);
  if (row.deleted_at !== null) message.deletedAt = Number(row.deleted_at);
  if (row.updated_at !== null && row.updated_at !== undefined) message.updatedAt = Number(row.updated_at);
  if (row.is_system === true || row.is_system === 1) message.system = true;
  if (row.reply_to !== null && row.reply_to !== undefined) message.replyTo = row.reply_to;
  if (row.mentions !== null && row.mentions !== undefined) message.mentions = JSON.parse(row.mentions) as string[];
  if (row.meta !== null && row.meta !== undefined) message.meta = JSON.parse(row.meta) as MessageMeta;
  return message;
}

/** A `userRooms` row: the membership's figures beside the room's last message (its columns null when none). */
export type RoomSummaryRow = {
  member_room_id: string;
  room_last_serial: number;
  read_serial: number;
  unread: number | string;
} & ({ [K in keyof MessageRow]: MessageRow[K] } | { [K in keyof MessageRow]: null });

/** The room summary a `userRooms` row holds. */
export function toRoomSummary(row: RoomSummaryRow): RoomSummary {
  const summary: RoomSummary = {
    roomId: row.member_room_id,
    lastSerial: Number(row.room_last_serial),
    readSerial: Number(row.read_serial),
    unread: Number(row.unread),
  };
  if (row.id !== null) summary.lastMessage = toMessage(row);
  return summary;
}
