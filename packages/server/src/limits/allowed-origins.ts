/**
 * Which browser origins may open a connection: exact origins (`'https://chat.example.com'`) or a
 * predicate. A request without an `Origin` header (a non-browser client, a same-origin poll) reaches
 * the predicate as `undefined`; a list lets it through.
 *
 * @example
 * ```ts
 * const allowedOrigins: AllowedOrigins = (origin) => origin === undefined || origin.endsWith('.example.com');
 * createServer(contract, { httpServer, allowedOrigins });
 * ```
 */
export type AllowedOrigins = readonly string[] | ((origin: string | undefined) => boolean);

/** True when a request with this `Origin` header may open a connection. */
export function originAllowed(allowed: AllowedOrigins, origin: string | undefined): boolean {
  if (typeof allowed === 'function') return allowed(origin);
  return origin === undefined || allowed.includes(origin);
}
