/**
 * Typed, validated Socket.IO server for a contract (`createServer`) and the chat server (`createChatServer`).
 *
 * @packageDocumentation
 * @module @chatwire/server
 */
export {
  type AuthenticatedUser,
  type ChatAuthenticator,
  type JwtAuthenticatorOptions,
  type JwtCheckOptions,
  type JwtClaims,
  type JwtKeySource,
  jwtAuthenticator,
  type SignTokenOptions,
  signToken,
} from './chat/authenticators.js';
export {
  ChatServer,
  type ChatServerOptions,
  createChatServer,
  type KickOptions,
  type MessageDraft,
  type ModerationResult,
  type RestrictionListOptions,
  type RestrictOptions,
  type RoomAction,
  type RoomAuthorization,
  type ServerMessage,
  type ServerSendOptions,
} from './chat/chat-server.js';
export type { ConnectionCap } from './chat/connection-cap.js';
export type { ChatActor, ChatHook, ChatHookName, ChatHooks } from './chat/hooks.js';
export { type Limits, memoryLimits } from './chat/limits.js';
export {
  MemoryPresence,
  type Presence,
  type PresenceChange,
  type PresenceHost,
  type PresenceSnapshot,
} from './chat/presence.js';
export type {
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
} from './chat/store.js';
export { ChatwireServer, type ChatwireServerOptions, createServer } from './create-server.js';
export {
  type ChatwireMetrics,
  type EventRecord,
  type RoomCounts,
  type SpanAttributeValue,
  type SpanTracer,
  type StoreCallRecord,
  type TracerSpan,
  UNKNOWN_EVENT,
} from './instrumentation.js';
export type { AllowedOrigins } from './limits/allowed-origins.js';
export type { RateLimit, RateLimiter } from './limits/rate-limiter.js';
export { type Logger, silentLogger } from './logger.js';
export {
  type AuthenticateContext,
  ChatwireNamespace,
  type ChatwireNamespaceOptions,
  type DisconnectContext,
  type DisconnectHook,
  type EventContext,
  type EventMiddleware,
  type EventOutcome,
  type Handler,
  type HandlerContext,
  type Middleware,
} from './namespace.js';
export type { Emitter, Operator, Room } from './operator.js';
export type {
  BroadcastAnswers,
  ServerAnswer,
  ServerEmitArgs,
  ServerRequestArgs,
  ServerRequestOptions,
} from './outgoing.js';
export type { ChatwireSocket } from './socket.js';
export { MemoryStore, type MemoryStoreOptions } from './stores/memory-store.js';
export type { Handshake, NoServerSideEvents, TypedIoNamespace, TypedIoServer, TypedIoSocket } from './types.js';
