export {
  type AuthenticateContext,
  ChatwireServer,
  type ChatwireServerOptions,
  createServer,
  type Handler,
  type HandlerContext,
  type Middleware,
} from './create-server.js';
export { type Logger, silentLogger } from './logger.js';
export type { Emitter, Operator, Room } from './operator.js';
export type { ServerEmitArgs } from './outgoing.js';
export type { ChatwireSocket } from './socket.js';
export type { Handshake, NoServerSideEvents, TypedIoServer, TypedIoSocket, TypedServerEvents } from './types.js';
