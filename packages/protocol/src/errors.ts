import * as z from 'zod/mini';

/**
 * The error codes chatwire itself uses. Apps may add their own string codes. `UNAVAILABLE` (a
 * dependency such as the database is down) and `RATE_LIMITED` are worth retrying, after
 * `retryAfterMs` when given; so are `TIMEOUT` and `DISCONNECTED`. The chat's refusals: `NOT_MEMBER`
 * (join the room first), `FORBIDDEN` (not allowed: the app's room policy said no, or not the
 * author), `BANNED` and `MUTED` (a moderator's ban or mute in that room; `retryAfterMs` says when
 * it ends, if it does), `MODERATED` (the app's moderation refused the text), `TOO_MANY_ROOMS` (the
 * connection is in as many rooms as it may be).
 *
 * @example
 * ```ts
 * const builtin = (code: string): code is BuiltinErrorCode => (ERROR_CODES as readonly string[]).includes(code);
 * ```
 */
export const ERROR_CODES = [
  'VALIDATION_FAILED',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'NOT_MEMBER',
  'BANNED',
  'MUTED',
  'MODERATED',
  'TOO_MANY_ROOMS',
  'NOT_FOUND',
  'CONFLICT',
  'RATE_LIMITED',
  'PAYLOAD_TOO_LARGE',
  'TIMEOUT',
  'DISCONNECTED',
  'UNAVAILABLE',
  'INTERNAL',
] as const;

/**
 * Codes that mean "try again": the same request may succeed later.
 *
 * @example
 * ```ts
 * RETRYABLE_CODES.includes('UNAVAILABLE'); // true
 * ```
 */
export const RETRYABLE_CODES: readonly string[] = ['TIMEOUT', 'DISCONNECTED', 'RATE_LIMITED', 'UNAVAILABLE'];

/**
 * True when a request that failed with `error` may succeed if sent again (after `retryAfterMs`).
 *
 * @example
 * ```ts
 * if (!result.ok && isRetryable(result.error)) setTimeout(retry, result.error.retryAfterMs ?? 1000);
 * ```
 */
export function isRetryable(error: { code: string }): boolean {
  return RETRYABLE_CODES.includes(error.code);
}

/**
 * One of chatwire's own error codes.
 *
 * @example
 * ```ts
 * const code: BuiltinErrorCode = 'NOT_FOUND';
 * ```
 */
export type BuiltinErrorCode = (typeof ERROR_CODES)[number];

/**
 * An error code: a built-in one, or an app's own (any other string).
 *
 * @example
 * ```ts
 * const code: ErrorCode = 'ROOM_FULL'; // an app's own code
 * ```
 */
export type ErrorCode = BuiltinErrorCode | (string & {});

/**
 * One problem found while validating a payload, as it travels on the wire.
 *
 * @example
 * ```ts
 * const where = (issue: ValidationIssue) => `${issue.path.join('.')}: ${issue.message}`;
 * ```
 */
export interface ValidationIssue {
  path: (string | number)[];
  message: string;
  code: string;
}

/**
 * The error half of the result envelope, exactly as it travels on the wire.
 *
 * @example
 * ```ts
 * const error: ErrorPayload = { code: 'RATE_LIMITED', message: 'Slow down', retryAfterMs: 500 };
 * ```
 */
export interface ErrorPayload {
  code: ErrorCode;
  message: string;
  issues?: ValidationIssue[] | undefined;
  retryAfterMs?: number | undefined;
}

/**
 * Zod schema of {@link ValidationIssue}.
 *
 * @example
 * ```ts
 * const issue = validationIssueSchema.parse({ path: ['text'], message: 'Too long', code: 'too_big' });
 * ```
 */
export const validationIssueSchema = z.object({
  path: z.array(z.union([z.string(), z.number()])),
  message: z.string(),
  code: z.string(),
});

/**
 * Zod schema of {@link ErrorPayload}.
 *
 * @example
 * ```ts
 * const error = errorPayloadSchema.parse({ code: 'FORBIDDEN', message: 'No' });
 * ```
 */
export const errorPayloadSchema = z.object({
  code: z.string().check(z.minLength(1)),
  message: z.string(),
  issues: z.optional(z.array(validationIssueSchema)),
  retryAfterMs: z.optional(z.number().check(z.nonnegative())),
});

/**
 * Payload of the `chatwire:error` event: which event was refused, and why.
 *
 * @example
 * ```ts
 * client.onError((error: ErrorEventPayload) => console.warn(`${error.event} refused: ${error.code}`));
 * ```
 */
export interface ErrorEventPayload extends ErrorPayload {
  event: string;
}

/**
 * Zod schema of {@link ErrorEventPayload}.
 *
 * @example
 * ```ts
 * const refused = errorEventSchema.parse({ event: 'say', code: 'VALIDATION_FAILED', message: 'Bad payload' });
 * ```
 */
export const errorEventSchema = z.object({ ...errorPayloadSchema.shape, event: z.string() });

/**
 * Options for {@link ChatwireError}.
 *
 * @example
 * ```ts
 * throw new ChatwireError('RATE_LIMITED', 'Slow down', { retryAfterMs: 1000 } satisfies ChatwireErrorOptions);
 * ```
 */
export interface ChatwireErrorOptions {
  issues?: ValidationIssue[] | undefined;
  retryAfterMs?: number | undefined;
  cause?: unknown;
}

/**
 * The one error class of chatwire. Thrown by handlers to answer the sender with a typed error, and
 * raised by clients and servers for invalid input, timeouts and lost connections.
 * @example throw new ChatwireError('FORBIDDEN', 'Only the author may edit a message');
 */
export class ChatwireError extends Error {
  override readonly name = 'ChatwireError';
  readonly code: ErrorCode;
  readonly issues: ValidationIssue[] | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(code: ErrorCode, message: string, options: ChatwireErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.issues = options.issues;
    this.retryAfterMs = options.retryAfterMs;
  }

  /** The wire form of this error, as sent in an error envelope or a `chatwire:error` event. */
  toPayload(): ErrorPayload {
    const payload: ErrorPayload = { code: this.code, message: this.message };
    if (this.issues !== undefined) payload.issues = this.issues;
    if (this.retryAfterMs !== undefined) payload.retryAfterMs = this.retryAfterMs;
    return payload;
  }

  /** Rebuilds an error from its wire form. */
  static fromPayload(payload: ErrorPayload, cause?: unknown): ChatwireError {
    return new ChatwireError(payload.code, payload.message, {
      issues: payload.issues,
      retryAfterMs: payload.retryAfterMs,
      cause,
    });
  }
}

/**
 * True for a {@link ChatwireError}, also one from another copy of this package (checks `name` and
 * `code`, not only `instanceof`).
 *
 * @example
 * ```ts
 * try {
 *   await save();
 * } catch (error) {
 *   if (isChatwireError(error) && error.code === 'UNAVAILABLE') retryLater();
 * }
 * ```
 */
export function isChatwireError(value: unknown): value is ChatwireError {
  if (value instanceof ChatwireError) return true;
  return (
    value instanceof Error && value.name === 'ChatwireError' && typeof (value as { code?: unknown }).code === 'string'
  );
}

/**
 * Turns zod's issues into the wire form (`path`, `message`, `code`).
 *
 * @example
 * ```ts
 * const parsed = schema.safeParse(input);
 * if (!parsed.success) return err({ code: 'VALIDATION_FAILED', message: 'Bad input', issues: toValidationIssues(parsed.error) });
 * ```
 */
export function toValidationIssues(error: z.core.$ZodError): ValidationIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map((key) => (typeof key === 'number' ? key : String(key))),
    message: issue.message,
    code: issue.code,
  }));
}
