/**
 * Zod-validated event contracts (`defineContract`), the result envelope, error codes and the chat contract.
 *
 * @packageDocumentation
 * @module @chatwire/protocol
 */
export {
  type AnyChatContract,
  type ChatContract,
  type ChatContractOf,
  type ChatContractSpec,
  type ChatUser,
  chatContract,
  chatUserSchema,
  defineChatContract,
  emojiSchema,
  MAX_MENTIONS,
  MAX_PAGE_SIZE,
  MAX_REACTION_USERS,
  MAX_REASON_LENGTH,
  MAX_ROOMS_PAGE,
  MAX_SERIAL,
  MAX_TEXT_LENGTH,
  MAX_UNREAD,
  type Message,
  type MessageOf,
  type MessagePage,
  type MetaOf,
  mentionsSchema,
  messageSchema,
  messageTextSchema,
  type PresenceDiff,
  type ReactionChange,
  type RoomRemoval,
  type RoomSummary,
  roomIdSchema,
  roomRemovalSchema,
  roomSummarySchema,
  SYSTEM_AUTHOR,
  searchQuerySchema,
  serialSchema,
  type WideChatContract,
} from './chat/contract.js';
export { DIRECT_ROOM_PREFIX, directRoomId, directRoomUsers } from './chat/direct-rooms.js';
export { DEFAULT_MAX_META_BYTES, type MessageMeta, type MetaSchema } from './chat/meta.js';
export { MAX_SEARCH_LIMIT, MAX_SEARCH_QUERY_LENGTH, MAX_SEARCH_TERMS, searchTerms } from './chat/search.js';
export {
  type ClientEventSpec,
  type Contract,
  type ContractSpec,
  defineContract,
  ERROR_EVENT,
  RESERVED_EVENTS,
  type ServerEventSpec,
} from './contract/define-contract.js';
export type {
  AckInput,
  AckOutput,
  AnyContract,
  AuthInput,
  AuthOutput,
  ClientEvent,
  ClientEventName,
  ClientToServerEvents,
  EmitEventName,
  HasAck,
  PayloadArgs,
  PayloadInput,
  PayloadOutput,
  RequestEventName,
  ServerEmitEventName,
  ServerEvent,
  ServerEventName,
  ServerRequestEventName,
  ServerToClientEvents,
  SocketDataOf,
} from './contract/types.js';
export {
  type BuiltinErrorCode,
  ChatwireError,
  type ChatwireErrorOptions,
  ERROR_CODES,
  type ErrorCode,
  type ErrorEventPayload,
  type ErrorPayload,
  errorEventSchema,
  errorPayloadSchema,
  isChatwireError,
  isRetryable,
  RETRYABLE_CODES,
  toValidationIssues,
  type ValidationIssue,
  validationIssueSchema,
} from './errors.js';
export { err, ok, type Result, resultSchema } from './result.js';
export { type ParseOutcome, parsePayload, parseResultEnvelope } from './validate.js';
