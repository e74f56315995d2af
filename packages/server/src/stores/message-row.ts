import type { Message, RoomSummary } from '@chatwire/protocol';

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
