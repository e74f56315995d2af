/**
 * socket.io room names of the chat layer. Chat room ids cannot contain '/', so these never collide
 * with each other, with socket ids (every socket's own room), or with an app's own rooms.
 */

/** The socket.io room of chat room `roomId`. */
export const roomKey = (roomId: string) => `room/${roomId}`;

/** The room every socket of a user joins, for reaching all their tabs. */
export const userRoom = (userId: string) => `user/${userId}`;
