import type { RestrictionKind, RoomRestriction } from '../chat/store.js';

/** A ban or mute as the SQL stores keep it (PostgreSQL returns bigint columns as strings). */
export interface RestrictionRow {
  room_id: string;
  user_id: string;
  kind: string;
  until: number | string | null;
  reason: string | null;
  created_at: number | string;
}

/** The restriction a row holds. */
export function toRestriction(row: RestrictionRow): RoomRestriction {
  const restriction: RoomRestriction = {
    roomId: row.room_id,
    userId: row.user_id,
    kind: row.kind as RestrictionKind,
    createdAt: Number(row.created_at),
  };
  if (row.until !== null) restriction.until = Number(row.until);
  if (row.reason !== null) restriction.reason = row.reason;
  return restriction;
}

/** The row that holds a restriction. */
export function toRestrictionRow(restriction: RoomRestriction): RestrictionRow {
  return {
    room_id: restriction.roomId,
    user_id: restriction.userId,
    kind: restriction.kind,
    until: restriction.until ?? null,
    reason: restriction.reason ?? null,
    created_at: restriction.createdAt,
  };
}
