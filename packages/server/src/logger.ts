/**
 * Where chatwire reports what happens, as `logger.warn(message, meta)`. `console` and pino loggers
 * fit as they are (a pino logger, which takes `(meta, message)`, is called that way, with
 * `meta.error` as its `err`); so does any object with these four methods. Library code never
 * prints by itself.
 * @example createChatServer({ httpServer, store, authenticate, logger: pino() });
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
 * createChatServer({ httpServer, store, authenticate, logger: silentLogger });
 * ```
 */
export const silentLogger: Logger = { debug: ignore, info: ignore, warn: ignore, error: ignore };

/** Set on every pino logger and its children, public across pino versions. */
const pinoMarker = Symbol.for('pino.serializers');

type Level = keyof Logger;

/**
 * pino reads `(message, meta)` as a message and a printf argument, dropping `meta`: hand it
 * `(meta, message)`, with `meta.error` as `err`, the key its serializers turn into type, message and stack.
 */
function fromPino(pino: Logger): Logger {
  const forward =
    (level: Level) =>
    (message: string, meta?: Record<string, unknown>): void => {
      const log = pino[level] as (this: Logger, ...args: unknown[]) => void;
      if (meta === undefined) {
        log.call(pino, message);
        return;
      }
      const { error, ...rest } = meta;
      log.call(pino, error === undefined ? meta : { ...rest, err: error }, message);
    };
  return { debug: forward('debug'), info: forward('info'), warn: forward('warn'), error: forward('error') };
}

/**
 * The logger chatwire calls, from a `logger` option: none is silent, a pino logger is called
 * `(meta, message)`, anything else (`console`, winston…) as it is.
 */
export function toLogger(logger: Logger | undefined): Logger {
  if (logger === undefined) return silentLogger;
  return pinoMarker in logger ? fromPino(logger) : logger;
}
