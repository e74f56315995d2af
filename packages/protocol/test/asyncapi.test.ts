import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type AsyncAPIDocument, type JsonSchema, toAsyncAPI } from '../src/asyncapi.js';
import { defineContract, ERROR_CODES } from '../src/index.js';

const User = z.object({ id: z.string(), name: z.string() }).meta({ id: 'User' });
type Tree = { label: string; children: Tree[] };
const tree: z.ZodType<Tree> = z.lazy(() => z.object({ label: z.string(), children: z.array(tree) }));

const contract = defineContract({
  clientToServer: {
    'room:join': {
      payload: z.object({
        roomId: z.string().min(1),
        limit: z.number().int().default(20),
        note: z.string().optional(),
      }),
      ack: z.object({ members: z.array(User), since: z.date() }),
    },
    'room:leave': { payload: z.object({ roomId: z.string() }), ack: z.object({}).optional() },
    typing: { payload: z.object({ on: z.boolean() }).refine((value) => value.on !== undefined, 'Say on or off') },
    ping: {},
    room_join: { payload: z.object({ big: z.bigint(), length: z.string().transform((text) => text.length) }) },
  },
  serverToClient: {
    'user:joined': { payload: User },
    tree: { payload: tree },
    confirm: { payload: z.object({ text: z.string() }), ack: z.object({ yes: z.boolean() }) },
  },
  auth: z.object({ token: z.string().min(1) }),
  socketData: z.object({ secret: z.string() }),
});

const doc = toAsyncAPI(contract, { title: 'Test', version: '1.2.3' }, { namespace: '/app' });

/** Follows a local `$ref` (`#/a/b`) through the document; throws when it points nowhere. */
function resolve(ref: string): unknown {
  let node: unknown = doc;
  for (const part of ref.replace(/^#\//, '').split('/')) {
    const key = part.replaceAll('~1', '/').replaceAll('~0', '~');
    if (typeof node !== 'object' || node === null || !(key in node)) throw new Error(`${ref} points nowhere`);
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** The message object an operation's message reference leads to (channel message → component). */
function messageOf(reference: { $ref: string }) {
  const viaChannel = resolve(reference.$ref) as { $ref: string };
  return resolve(viaChannel.$ref) as AsyncAPIDocument['components']['messages'][string];
}

/** The schema a `{ $ref }` (or inline schema) stands for. */
function schemaOf(schema: unknown): JsonSchema {
  const node = schema as JsonSchema;
  return typeof node.$ref === 'string' ? (resolve(node.$ref) as JsonSchema) : node;
}

/** A schema's `properties`; throws when it has none. */
function props(schema: JsonSchema | undefined): Record<string, JsonSchema> {
  if (schema?.properties === undefined) throw new Error(`no properties in ${JSON.stringify(schema)}`);
  return schema.properties as Record<string, JsonSchema>;
}

function operation(key: string) {
  const found = doc.operations[key];
  if (found === undefined) throw new Error(`no operation ${key}: ${Object.keys(doc.operations).join(', ')}`);
  return found;
}

describe('toAsyncAPI', () => {
  it('makes an AsyncAPI 3.0 document with one channel whose address is the namespace', () => {
    expect(doc.asyncapi).toBe('3.0.0');
    expect(doc.info).toEqual({ title: 'Test', version: '1.2.3' });
    expect(doc.defaultContentType).toBe('application/json');
    expect(Object.keys(doc.channels)).toEqual(['app']);
    expect(doc.channels.app?.address).toBe('/app');
  });

  it('has a send operation per client event and a receive operation per server event, named by event', () => {
    const byAction = (action: string) =>
      Object.values(doc.operations)
        .filter((op) => op.action === action)
        .map((op) => messageOf(op.messages[0]!).name);
    expect(byAction('send')).toEqual(['room:join', 'room:leave', 'typing', 'ping', 'room_join']);
    expect(byAction('receive')).toEqual(['user:joined', 'tree', 'confirm', 'chatwire:error']);
    for (const op of Object.values(doc.operations)) expect(op.channel).toEqual({ $ref: '#/channels/app' });
  });

  it('keeps events whose names clash once made component-safe apart', () => {
    expect(messageOf(operation('send.room_join').messages[0]!).name).toBe('room:join');
    expect(messageOf(operation('send.room_join_2').messages[0]!).name).toBe('room_join');
  });

  it('gives an event with an ack a reply: the result envelope around the ack data, or an ErrorPayload', () => {
    const join = operation('send.room_join');
    expect(join.reply?.channel).toEqual({ $ref: '#/channels/app' });
    const reply = messageOf(join.reply!.messages[0]!);
    expect(reply.name).toBe('room:join');
    const [success, failure] = schemaOf(reply.payload).oneOf as JsonSchema[];
    expect(success?.required).toEqual(['ok', 'data']);
    expect(props(success).ok).toMatchObject({ const: true });
    const data = schemaOf(props(success).data);
    expect(data.required).toEqual(['members', 'since']);
    expect(failure?.required).toEqual(['ok', 'error']);
    expect(props(failure).ok).toMatchObject({ const: false });
    const error = schemaOf(props(failure).error);
    expect(error.required).toEqual(['code', 'message']);
    expect(Object.keys(error.properties as object)).toEqual(['code', 'message', 'issues', 'retryAfterMs']);
  });

  it('lets data be left out of an ok envelope when the ack data may be undefined', () => {
    const reply = messageOf(operation('send.room_leave').reply!.messages[0]!);
    const [success] = schemaOf(reply.payload).oneOf as JsonSchema[];
    expect(success?.required).toEqual(['ok']);
  });

  it('has no reply for an event without an ack, and no payload for an event without one', () => {
    expect(operation('send.typing').reply).toBeUndefined();
    expect(operation('send.ping').reply).toBeUndefined();
    expect(messageOf(operation('send.ping').messages[0]!).payload).toBeUndefined();
  });

  it('gives a server request a reply: the client answers with the result envelope', () => {
    const confirm = operation('receive.confirm');
    expect(confirm.action).toBe('receive');
    const [success] = schemaOf(messageOf(confirm.reply!.messages[0]!).payload).oneOf as JsonSchema[];
    expect(schemaOf(props(success).data).required).toEqual(['yes']);
  });

  it('describes what a sender sends: optional and defaulted fields are not required', () => {
    const payload = schemaOf(messageOf(operation('send.room_join').messages[0]!).payload);
    expect(payload.required).toEqual(['roomId']);
    expect(props(payload).limit).toMatchObject({ type: 'integer', default: 20 });
    expect(payload.additionalProperties).toBeUndefined();
  });

  it('marks what JSON Schema cannot say instead of throwing: refinements, bigint, dates, transforms', () => {
    const typing = schemaOf(messageOf(operation('send.typing').messages[0]!).payload);
    expect(typing['x-refinements']).toEqual(['Say on or off']);
    const odd = schemaOf(messageOf(operation('send.room_join_2').messages[0]!).payload);
    expect(props(odd).big).toEqual({ 'x-zod-type': 'bigint' });
    // A transform is described by its input: what the sender sends.
    expect(props(odd).length).toEqual({ type: 'string' });
    const since = (schemaOf(doc.components.schemas['send.room_join.data']).properties as Record<string, JsonSchema>)
      .since;
    expect(since).toEqual({ 'x-zod-type': 'date' });
  });

  it('shares a schema with a meta id as one component, and keeps recursive schemas as components', () => {
    expect(doc.components.schemas.User).toMatchObject({ type: 'object', required: ['id', 'name'] });
    const joined = messageOf(operation('receive.user_joined').messages[0]!);
    expect(schemaOf(joined.payload)).toBe(doc.components.schemas.User);
    const treeSchema = schemaOf(messageOf(operation('receive.tree').messages[0]!).payload);
    const children = props(treeSchema).children as { items: { $ref: string } };
    expect(resolve(children.items.$ref)).toBe(treeSchema);
  });

  it('describes the handshake auth, the chatwire:error event and the error codes', () => {
    expect(schemaOf(doc.channels.app?.['x-socketio-auth'])).toMatchObject({ required: ['token'] });
    expect(JSON.stringify(doc)).not.toContain('secret');
    const errorEvent = messageOf(operation('receive.chatwire_error').messages[0]!);
    expect(errorEvent.name).toBe('chatwire:error');
    expect(doc.components.schemas.ErrorCode).toMatchObject({ type: 'string', enum: [...ERROR_CODES] });
  });

  it('has only references that resolve, and operation messages that are the channel’s', () => {
    const walk = (node: unknown): void => {
      if (typeof node !== 'object' || node === null) return;
      if ('$ref' in node && typeof node.$ref === 'string') resolve(node.$ref);
      for (const value of Object.values(node)) walk(value);
    };
    walk(doc);
    for (const op of Object.values(doc.operations)) {
      for (const message of [...op.messages, ...(op.reply?.messages ?? [])]) {
        expect(message.$ref.startsWith('#/channels/app/messages/')).toBe(true);
      }
    }
  });

  it('takes a contract without auth, on the main namespace', () => {
    const plain = toAsyncAPI(defineContract({ clientToServer: { hi: {} }, serverToClient: {} }), {
      title: 'Plain',
      version: '1',
    });
    expect(plain.channels.root?.address).toBe('/');
    expect(plain.channels.root?.['x-socketio-auth']).toBeUndefined();
    expect(plain.components.schemas.HandshakeAuth).toBeUndefined();
  });
});
