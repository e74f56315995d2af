/**
 * Typed, validated Socket.IO client for a contract (`createClient`) and the chat client (`ChatClient`, `ChatRoom`), for Node and browsers.
 *
 * @packageDocumentation
 * @module @chatwire/client
 */
export {
  ChatClient,
  type ChatClientEvents,
  type ChatClientOptions,
  createChatClient,
} from './chat/chat-client.js';
export {
  ChatRoom,
  type EditInput,
  type LocalMessage,
  type RoomEvents,
  type RoomMessage,
  type SearchOptions,
  type SendInput,
} from './chat/chat-room.js';
export {
  type ChatStore,
  type ClientSnapshot,
  clientStore,
  type RoomSnapshot,
  roomStore,
} from './chat/store.js';
export {
  ChatwireClient,
  type ChatwireClientOptions,
  type ConnectionStatus,
  createClient,
  type InvalidMessage,
  type RequestArgs,
  type RequestHandler,
  type RequestOptions,
} from './create-client.js';
export type { ListenerErrorHandler } from './emitter.js';
export type { TypedClientSocket } from './types.js';
