/**
 * Where chatwire reports what happens; `console` fits. Library code never prints by itself.
 *
 * @example
 * ```ts
 * const logger: Logger = console;
 * createServer(contract, { httpServer, logger });
 * ```
 */
export interface Logger {
  /** Details for debugging (each refused event, say). */
  debug(message: string, meta?: Record<string, unknown>): void;
  /** Something worth knowing happened (limits shared again once Redis is back). */
  info(message: string, meta?: Record<string, unknown>): void;
  /** Something went wrong and chatwire coped (a dependency away, a listener that threw). */
  warn(message: string, meta?: Record<string, unknown>): void;
  /** Something failed (a handler threw an unexpected error). */
  error(message: string, meta?: Record<string, unknown>): void;
}

const ignore = (): void => {};

/**
 * A logger that drops everything: the default.
 *
 * @example
 * ```ts
 * createServer(contract, { httpServer, logger: silentLogger }); // the default
 * ```
 */
export const silentLogger: Logger = { debug: ignore, info: ignore, warn: ignore, error: ignore };
