/** What a user id in a direct room id may hold: room id characters except `:`, which separates the two. */
const directUserId = /^[\w\-.@#]+$/;

/**
 * The prefix of every direct (1:1) room id.
 *
 * @example
 * ```ts
 * const isDirect = roomId.startsWith(DIRECT_ROOM_PREFIX);
 * ```
 */
export const DIRECT_ROOM_PREFIX = 'dm:';

/**
 * The id of the direct (1:1) room of users `a` and `b`: `dm:{first}:{second}`, the two ids sorted by
 * UTF-16 code units (the same as bytes here, since the ids are ASCII), so both users get the same id.
 * Ids that could make two pairs share a room (containing `:`), that are not room id characters
 * (letters, digits, `_ - . @ #`) or that make the id longer than 128 characters throw a TypeError:
 * such users need rooms of the app's own naming.
 * @example directRoomId('ben', 'ana') // 'dm:ana:ben'
 */
export function directRoomId(a: string, b: string): string {
  for (const id of [a, b]) {
    if (!directUserId.test(id)) throw new TypeError(`directRoomId: "${id}" cannot be part of a direct room id`);
  }
  const [first, second] = a < b ? [a, b] : [b, a];
  const roomId = `${DIRECT_ROOM_PREFIX}${first}:${second}`;
  if (roomId.length > 128) throw new TypeError('directRoomId: the user ids are too long for a room id');
  return roomId;
}

/**
 * The two users of a direct room id, in order; undefined when `roomId` is not one that
 * {@link directRoomId} makes (a `dm:` id in any other shape is nobody's direct room).
 *
 * @example
 * ```ts
 * directRoomUsers('dm:ana:ben'); // ['ana', 'ben']
 * directRoomUsers('general'); // undefined
 * ```
 */
export function directRoomUsers(roomId: string): [string, string] | undefined {
  if (!roomId.startsWith(DIRECT_ROOM_PREFIX)) return undefined;
  const parts = roomId.slice(DIRECT_ROOM_PREFIX.length).split(':');
  if (parts.length !== 2) return undefined;
  const [first = '', second = ''] = parts;
  if (!directUserId.test(first) || !directUserId.test(second) || !(first <= second)) return undefined;
  return [first, second];
}
