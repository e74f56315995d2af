/** Marks the stand-in `auth` of a CONNECT packet whose payload was not a JSON object. */
const MALFORMED_AUTH = Symbol('chatwire.malformedAuth');

/** The CONNECT packet socket.io gets in place of one whose payload is not a JSON object. */
export interface MalformedConnect {
  type: 0;
  nsp: string;
  data: { [MALFORMED_AUTH]: string };
}

/**
 * A CONNECT packet (`0[/nsp,]payload`) whose payload is there but is not a JSON object (a string, an
 * array, `null`, bad JSON), as a packet with a stand-in `auth`: socket.io's parser would throw and
 * close the connection without a word, and the namespace then refuses it with a CONNECT_ERROR.
 * Undefined for every other chunk (left to the parser).
 */
export function malformedConnect(chunk: unknown): MalformedConnect | undefined {
  if (typeof chunk !== 'string' || !chunk.startsWith('0')) return undefined;
  let nsp = '/';
  let payload = chunk.slice(1);
  if (payload.startsWith('/')) {
    const comma = payload.indexOf(',');
    // No comma: a namespace alone, no payload.
    if (comma < 0) return undefined;
    nsp = payload.slice(0, comma);
    payload = payload.slice(comma + 1);
  }
  // Nothing (auth {}), or a digit: socket.io-parser reads an ack id there; left to it.
  if (payload === '' || /^\d/.test(payload)) return undefined;
  let auth: unknown;
  try {
    auth = JSON.parse(payload);
  } catch {
    return { type: 0, nsp, data: { [MALFORMED_AUTH]: 'invalid JSON' } };
  }
  if (Object.prototype.toString.call(auth) === '[object Object]') return undefined;
  const kind = auth === null ? 'null' : Array.isArray(auth) ? 'an array' : `a ${typeof auth}`;
  return { type: 0, nsp, data: { [MALFORMED_AUTH]: kind } };
}

/** What the handshake `auth` was instead of a JSON object, when {@link malformedConnect} stood in for it. */
export function malformedAuth(auth: unknown): string | undefined {
  if (typeof auth !== 'object' || auth === null || !Object.hasOwn(auth, MALFORMED_AUTH)) return undefined;
  return (auth as MalformedConnect['data'])[MALFORMED_AUTH];
}
