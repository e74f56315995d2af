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
  debug(message: string, meta?: Record<string, unknown>): void;
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
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
