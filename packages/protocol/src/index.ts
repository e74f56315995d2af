/**
 * Zod-validated event contracts (`defineContract`), the result envelope, error codes and the chat contract.
 *
 * @packageDocumentation
 * @module @chatwire/protocol
 */
export {
  type ChatContract,
  type ChatUser,
  chatContract,
  chatUserSchema,
  emojiSchema,
  MAX_PAGE_SIZE,
  MAX_REACTION_USERS,
  MAX_REASON_LENGTH,
  MAX_SERIAL,
  MAX_TEXT_LENGTH,
  type Message,
  type MessagePage,
  messageSchema,
  messageTextSchema,
  type PresenceDiff,
  type ReactionChange,
  type RoomRemoval,
  roomIdSchema,
  roomRemovalSchema,
  SYSTEM_AUTHOR,
  serialSchema,
} from './chat/contract.js';
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
