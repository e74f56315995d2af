import { z } from 'zod';
import { type ClientEventSpec, ERROR_EVENT, type ServerEventSpec } from '../contract/define-contract.js';
import type { AnyContract } from '../contract/types.js';
import { ERROR_CODES, errorPayloadSchema, RETRYABLE_CODES } from '../errors.js';

/**
 * A JSON Schema (draft 7, the base of AsyncAPI's default schema format), as zod's `z.toJSONSchema` makes it.
 *
 * @example
 * ```ts
 * const schemas: Record<string, JsonSchema> = toAsyncAPI(chatContract, info).components.schemas;
 * ```
 */
export type JsonSchema = { [keyword: string]: unknown };

/**
 * An AsyncAPI Reference Object: a JSON pointer into the same document.
 *
 * @example
 * ```ts
 * const ref: AsyncAPIReference = { $ref: '#/channels/root' };
 * ```
 */
export interface AsyncAPIReference {
  $ref: string;
}

/**
 * The AsyncAPI Info Object: what {@link toAsyncAPI} takes to title the document.
 *
 * @example
 * ```ts
 * const info: AsyncAPIInfo = { title: 'Chat', version: '1.0.0', description: 'Rooms and messages.' };
 * const doc = toAsyncAPI(chatContract, info);
 * ```
 */
export interface AsyncAPIInfo {
  /** The API's title. */
  title: string;
  /** The API's version (not the AsyncAPI version). */
  version: string;
  /** CommonMark description of the API. */
  description?: string;
  termsOfService?: string;
  contact?: { name?: string; url?: string; email?: string };
  license?: { name: string; url?: string };
}

/**
 * An AsyncAPI Server Object: where the Socket.IO server listens.
 *
 * @example
 * ```ts
 * const production: AsyncAPIServer = { host: 'chat.example.com', protocol: 'wss', pathname: '/socket.io' };
 * const doc = toAsyncAPI(chatContract, info, { servers: { production } });
 * ```
 */
export interface AsyncAPIServer {
  /** Host and optional port, e.g. `chat.example.com` or `localhost:3000`. */
  host: string;
  /** The protocol the client speaks, e.g. `wss` or `https` (Socket.IO starts with either). */
  protocol: string;
  protocolVersion?: string;
  /** The HTTP path of the Socket.IO server, `/socket.io` by default in Socket.IO. */
  pathname?: string;
  title?: string;
  description?: string;
}

/**
 * An AsyncAPI Message Object: one Socket.IO event's argument, or an acknowledgement's.
 *
 * @example
 * ```ts
 * const messages: AsyncAPIMessage[] = Object.values(toAsyncAPI(chatContract, info).components.messages);
 * ```
 */
export interface AsyncAPIMessage {
  /** The Socket.IO event name, exactly as it travels on the wire. */
  name: string;
  title: string;
  summary?: string;
  description?: string;
  contentType: 'application/json';
  /** Left out for an event sent without an argument. */
  payload?: AsyncAPIReference | JsonSchema;
}

/**
 * An AsyncAPI Channel Object: the Socket.IO namespace.
 *
 * @example
 * ```ts
 * const channel: AsyncAPIChannel | undefined = toAsyncAPI(chatContract, info, { namespace: '/chat' }).channels['chat'];
 * ```
 */
export interface AsyncAPIChannel {
  /** The namespace path, e.g. `/` or `/chat`. */
  address: string;
  title: string;
  description: string;
  messages: Record<string, AsyncAPIReference>;
  /** The schema of the handshake `auth` object (Socket.IO CONNECT packet); AsyncAPI has no field for it. */
  'x-socketio-auth'?: AsyncAPIReference;
}

/**
 * An AsyncAPI Operation Object, from the client's point of view.
 *
 * @example
 * ```ts
 * const sends: AsyncAPIOperation[] = Object.values(doc.operations).filter((operation) => operation.action === 'send');
 * ```
 */
export interface AsyncAPIOperation {
  /** `send`: an event the client emits; `receive`: one the server emits. */
  action: 'send' | 'receive';
  channel: AsyncAPIReference;
  title: string;
  summary?: string;
  description: string;
  messages: AsyncAPIReference[];
  /** The acknowledgement, for an event that has one: the result envelope the other side answers with. */
  reply?: { channel: AsyncAPIReference; messages: AsyncAPIReference[] };
}

/**
 * An AsyncAPI 3.0 document, as {@link toAsyncAPI} makes it: plain JSON data, ready for a YAML or JSON writer.
 *
 * @example
 * ```ts
 * const doc: AsyncAPIDocument = toAsyncAPI(chatContract, { title: 'Chat', version: '1.0.0' });
 * ```
 */
export interface AsyncAPIDocument {
  asyncapi: '3.0.0';
  id?: string;
  info: AsyncAPIInfo;
  servers?: Record<string, AsyncAPIServer>;
  defaultContentType: 'application/json';
  channels: Record<string, AsyncAPIChannel>;
  operations: Record<string, AsyncAPIOperation>;
  components: {
    schemas: Record<string, JsonSchema>;
    messages: Record<string, AsyncAPIMessage>;
  };
}

/**
 * Options of {@link toAsyncAPI}.
 *
 * @example
 * ```ts
 * const options: ToAsyncAPIOptions = { namespace: '/chat', id: 'urn:example:chat' };
 * const doc = toAsyncAPI(chatContract, info, options);
 * ```
 */
export interface ToAsyncAPIOptions {
  /**
   * The Socket.IO namespace the contract is served on: the channel's address.
   * @default '/'
   */
  namespace?: string;
  /** The document's channel id (its key under `channels`). @default 'root' for `/`, else the namespace without its slash */
  channelId?: string;
  /** Where the server listens; left out when not given (AsyncAPI does not require servers). */
  servers?: Record<string, AsyncAPIServer>;
  /** The document's `id` (a URI, e.g. `urn:example:chat`). */
  id?: string;
}

/**
 * zod types JSON Schema cannot express: `unrepresentable: 'any'` turns them into `{}` (anything),
 * and the converter marks them with `x-zod-type` so that a reader knows why.
 */
const unrepresentable = new Set([
  'bigint',
  'date',
  'symbol',
  'undefined',
  'void',
  'map',
  'set',
  'nan',
  'custom',
  'function',
  'promise',
  'transform',
]);

/**
 * What a refinement (`refine`, `superRefine`) checks, as far as its error message says: JSON Schema
 * cannot express it. A message made by a function is asked for with an empty issue, and may not say.
 */
function refinementMessage(check: z.core.$ZodCheck): string {
  const { error } = check._zod.def;
  try {
    const made: unknown = error?.({ code: 'custom', input: undefined } as never);
    if (typeof made === 'string') return made;
    if (typeof made === 'object' && made !== null && 'message' in made && typeof made.message === 'string') {
      return made.message;
    }
  } catch {
    // A message function that needs a real issue: say only that a check exists.
  }
  return 'a custom check';
}

const schemaPrefix = '#/components/schemas/';
const definitionPrefix = '#/definitions/';

/** Component names AsyncAPI allows (`^[\w\d.\-_]+$`). */
function componentName(name: string): string {
  return name.replace(/[^\w.-]/g, '_');
}

/**
 * The component schemas of one document. Each zod schema is converted on its own (input side: what a
 * sender may put on the wire, which is what the receiver validates); the definitions zod hoists (a
 * schema with a `meta({ id })`, a recursive one) become components too, their `$ref`s rewritten.
 */
class SchemaBook {
  readonly schemas: Record<string, JsonSchema> = {};
  /** Each component's JSON as zod made it, to share one component between identical definitions. */
  private readonly raw = new Map<string, string>();

  add(name: string, schema: z.core.$ZodType): AsyncAPIReference {
    const {
      $schema: _dialect,
      definitions,
      ...root
    } = z.toJSONSchema(schema, {
      target: 'draft-7',
      io: 'input',
      unrepresentable: 'any',
      cycles: 'ref',
      reused: 'inline',
      override: (context) => {
        const def = context.zodSchema._zod.def;
        if (unrepresentable.has(def.type)) context.jsonSchema['x-zod-type'] = def.type;
        const refinements = ('checks' in def ? (def.checks ?? []) : [])
          .filter((check) => check._zod.def.check === 'custom')
          .map(refinementMessage);
        if (refinements.length > 0) context.jsonSchema['x-refinements'] = refinements;
      },
    }) as JsonSchema & { definitions?: Record<string, JsonSchema> };
    const rootName = this.claim(name, JSON.stringify(root), true);
    const renames = new Map<string, string>();
    for (const [definition, body] of Object.entries(definitions ?? {})) {
      const local = definition.startsWith('__');
      renames.set(
        definition,
        this.claim(
          local ? `${rootName}.${definition.slice(2)}` : componentName(definition),
          JSON.stringify(body),
          local,
        ),
      );
    }
    const rewrite = (node: unknown): unknown => {
      if (Array.isArray(node)) return node.map(rewrite);
      if (typeof node !== 'object' || node === null) return node;
      return Object.fromEntries(
        Object.entries(node).map(([key, value]) => {
          if (key !== '$ref' || typeof value !== 'string') return [key, rewrite(value)];
          if (value === '#') return [key, schemaPrefix + rootName];
          if (!value.startsWith(definitionPrefix)) return [key, value];
          return [key, schemaPrefix + (renames.get(value.slice(definitionPrefix.length)) ?? rootName)];
        }),
      );
    };
    for (const [definition, body] of Object.entries(definitions ?? {})) {
      this.schemas[renames.get(definition)!] = rewrite(body) as JsonSchema;
    }
    const rewritten = rewrite(root) as JsonSchema;
    // A schema that is only a shared definition (one with a meta id) is referred to by that name.
    if (typeof rewritten.$ref === 'string' && Object.keys(rewritten).length === 1) {
      this.raw.delete(rootName);
      return { $ref: rewritten.$ref };
    }
    this.schemas[rootName] = rewritten;
    return { $ref: schemaPrefix + rootName };
  }

  /** A free component name near `base`; a shared one (not `fresh`) is reused when its JSON is the same. */
  private claim(base: string, json: string, fresh: boolean): string {
    for (let n = 1; ; n++) {
      const name = n === 1 ? base : `${base}_${n}`;
      const taken = this.raw.get(name);
      if (taken === undefined) {
        this.raw.set(name, json);
        return name;
      }
      if (!fresh && taken === json) return name;
    }
  }
}

/** A name per event usable in component keys and JSON pointers, distinct within one direction. */
function eventKeys(names: string[]): Map<string, string> {
  const keys = new Map<string, string>();
  const used = new Set<string>();
  for (const name of names) {
    let key = componentName(name);
    for (let n = 2; used.has(key); n++) key = `${componentName(name)}_${n}`;
    used.add(key);
    keys.set(name, key);
  }
  return keys;
}

/** True when JSON's `undefined` (a missing key) passes `schema`: then `data` may be left out of an ok envelope. */
function acceptsUndefined(schema: z.core.$ZodType): boolean {
  return z.safeParse(schema, undefined).success;
}

/**
 * Describes a contract as an AsyncAPI 3.0 document, from the client's point of view: each client →
 * server event is a `send` operation, each server → client event a `receive` operation, on one channel
 * (the Socket.IO namespace). An event with an ack has a `reply`: the result envelope
 * `{ ok: true, data } | { ok: false, error }` the other side answers with in Socket.IO's ACK packet.
 * The handshake `auth` schema is the channel's `x-socketio-auth`; the error payload and chatwire's
 * error codes are components (`ErrorPayload`, `ErrorCode`).
 *
 * Schemas come from zod's `z.toJSONSchema` (JSON Schema draft 7), input side: what a sender may
 * send, which is what the receiver accepts (a field with a default is optional). Not expressed:
 * refinements (`refine`, `superRefine`), listed by their error messages under `x-refinements`;
 * transforms, described by their input; types JSON has no form for (`bigint`, `date`, `map`, …),
 * which become `{}` with `x-zod-type`; and `socketData`, which never travels. Nothing throws.
 * @param contract Any contract made with `defineContract`.
 * @param info The document's title, version and description.
 * @param options The namespace, servers and document id.
 * @example
 * import { chatContract } from '@chatwire/protocol';
 * import { toAsyncAPI } from '@chatwire/protocol/asyncapi';
 * import { stringify } from 'yaml';
 *
 * const doc = toAsyncAPI(chatContract, { title: 'Chat', version: '1.0.0' }, { namespace: '/chat' });
 * writeFileSync('chat.yaml', stringify(doc, { aliasDuplicateObjects: false }));
 */
export function toAsyncAPI(
  contract: AnyContract,
  info: AsyncAPIInfo,
  options: ToAsyncAPIOptions = {},
): AsyncAPIDocument {
  const namespace = options.namespace ?? '/';
  const channelId = options.channelId ?? (namespace === '/' ? 'root' : componentName(namespace.replace(/^\//, '')));
  const channel: AsyncAPIReference = { $ref: `#/channels/${channelId}` };
  const book = new SchemaBook();
  const messages: Record<string, AsyncAPIMessage> = {};
  const channelMessages: Record<string, AsyncAPIReference> = {};
  const operations: Record<string, AsyncAPIOperation> = {};

  const errorPayload = book.add('ErrorPayload', errorPayloadSchema);
  book.schemas.ErrorCode = {
    type: 'string',
    enum: [...ERROR_CODES],
    description: `The error codes chatwire itself uses; apps may use other strings. Worth retrying (after \`retryAfterMs\` when given): ${RETRYABLE_CODES.join(', ')}.`,
    'x-retryable': [...RETRYABLE_CODES],
  };
  const errorPayloadJson = book.schemas.ErrorPayload as JsonSchema & { properties: Record<string, JsonSchema> };
  errorPayloadJson.properties.code = {
    anyOf: [{ $ref: `${schemaPrefix}ErrorCode` }, errorPayloadJson.properties.code],
  };

  /** Adds a message to the components and the channel; returns the channel's reference to it. */
  const addMessage = (key: string, message: AsyncAPIMessage): AsyncAPIReference => {
    messages[key] = message;
    channelMessages[key] = { $ref: `#/components/messages/${key}` };
    return { $ref: `#/channels/${channelId}/messages/${key}` };
  };

  /** The reply message of an event with an ack: the result envelope around the ack data. */
  const addReply = (key: string, event: string, ack: z.core.$ZodType, answerer: string): AsyncAPIReference => {
    const data = book.add(`${key}.data`, ack);
    return addMessage(`${key}.reply`, {
      name: event,
      title: `Answer to ${event}`,
      summary: `The ${answerer}'s acknowledgement: the result envelope, { ok: true, data } or { ok: false, error }.`,
      contentType: 'application/json',
      payload: {
        oneOf: [
          {
            type: 'object',
            properties: { ok: { type: 'boolean', const: true }, data },
            required: acceptsUndefined(ack) ? ['ok'] : ['ok', 'data'],
          },
          {
            type: 'object',
            properties: { ok: { type: 'boolean', const: false }, error: errorPayload },
            required: ['ok', 'error'],
          },
        ],
      },
    });
  };

  const addEvents = (action: 'send' | 'receive', events: Record<string, ClientEventSpec | ServerEventSpec>) => {
    const keys = eventKeys(Object.keys(events));
    for (const [event, spec] of Object.entries(events)) {
      const key = `${action}.${keys.get(event)!}`;
      const sender = action === 'send' ? 'client' : 'server';
      const receiver = action === 'send' ? 'server' : 'client';
      const message: AsyncAPIMessage = {
        name: event,
        title: event,
        contentType: 'application/json',
        ...(spec.payload === undefined
          ? { description: `Sent without an argument: \`["${event}"]\`.` }
          : { payload: book.add(`${key}.payload`, spec.payload) }),
      };
      const operation: AsyncAPIOperation = {
        action,
        channel,
        title: event,
        description:
          spec.ack === undefined
            ? `The ${sender} emits "${event}" without an acknowledgement id.` +
              (action === 'send' ? ` A refusal comes back as a "${ERROR_EVENT}" event.` : '')
            : `The ${sender} emits "${event}" with an acknowledgement id; the ${receiver} answers in the ACK packet of that id with the reply.`,
        messages: [addMessage(key, message)],
      };
      if (spec.ack !== undefined) {
        operation.reply = { channel, messages: [addReply(key, event, spec.ack, receiver)] };
      }
      operations[key] = operation;
    }
  };

  addEvents('send', contract.clientToServer);
  addEvents('receive', contract.serverToClient);
  const errorEventKey = `receive.${componentName(ERROR_EVENT)}`;
  operations[errorEventKey] = {
    action: 'receive',
    channel,
    title: ERROR_EVENT,
    description: 'The server refused an event the client emitted without an acknowledgement id: which event, and why.',
    messages: [
      addMessage(errorEventKey, {
        name: ERROR_EVENT,
        title: ERROR_EVENT,
        contentType: 'application/json',
        // errorEventSchema is errorPayloadSchema plus `event`: said so, to share ErrorPayload's codes.
        payload: {
          allOf: [errorPayload, { type: 'object', properties: { event: { type: 'string' } }, required: ['event'] }],
        },
      }),
    ],
  };

  const auth = contract.auth === undefined ? undefined : book.add('HandshakeAuth', contract.auth);
  const channelObject: AsyncAPIChannel = {
    address: namespace,
    title: `Socket.IO namespace ${namespace}`,
    description: [
      `Socket.IO v4 namespace \`${namespace}\`. Each message is the one argument of a Socket.IO EVENT packet \`["<name>", payload]\`, where <name> is the message's \`name\`.`,
      'A `send` operation is an event the client emits, a `receive` operation one the server emits. An operation with a `reply` is emitted with an acknowledgement id, and the other side answers in the ACK packet of that id with the reply message: the result envelope `{ "ok": true, "data": … }` or `{ "ok": false, "error": ErrorPayload }`.',
      auth === undefined
        ? 'The contract does not check the handshake `auth` object.'
        : 'The client sends the handshake `auth` object (schema: `x-socketio-auth`, component `HandshakeAuth`) in its CONNECT packet.',
      'A refused handshake is answered with a CONNECT_ERROR packet whose `data` is an `ErrorPayload`.',
    ].join('\n\n'),
    messages: channelMessages,
    ...(auth === undefined ? {} : { 'x-socketio-auth': auth }),
  };

  return {
    asyncapi: '3.0.0',
    ...(options.id === undefined ? {} : { id: options.id }),
    info: { ...info },
    ...(options.servers === undefined ? {} : { servers: options.servers }),
    defaultContentType: 'application/json',
    channels: { [channelId]: channelObject },
    operations,
    components: { schemas: book.schemas, messages },
  };
}
