import { randomUUID } from 'node:crypto';
import { createClient } from '@chatwire/client';
import { type ChatUser, defineChatContract, MAX_MENTIONS, type MessageOf } from '@chatwire/protocol';
import { describe, expect, it, onTestFinished } from 'vitest';
import { z } from 'zod';
import { chatClient, eventually, joinRoom } from '../chat-client/support.js';
import { connected, nextValue } from '../support/harness.js';
import { connectUser, join, ok, send, startChat, unchecked, userOf } from './support.js';

/** Attachments are meta the app defines: here a list of links to files. */
const attachment = z.object({
  url: z.url(),
  name: z.string().min(1).max(200),
  size: z.number().int().min(0),
  type: z.string().min(1).max(100),
});
const contract = defineChatContract({
  meta: z.object({ attachments: z.array(attachment).max(10).optional(), pinned: z.boolean().optional() }),
  maxMetaBytes: 512,
});
type AppMessage = MessageOf<typeof contract>;

const image = { url: 'https://files.example/cat.png', name: 'cat.png', size: 1234, type: 'image/png' };

/** A typed client of `contract`, connected as `user`. */
async function connectApp(url: string, user: string | ChatUser) {
  const client = createClient(contract, url, { transports: ['websocket'], reconnection: false, auth: userOf(user) });
  onTestFinished(() => client.close());
  const session = nextValue((fn) => client.on('session', fn), 5000);
  await connected(client);
  await session;
  return client;
}

async function startApp() {
  return startChat({ contract });
}

describe('rich messages: replyTo, mentions and meta', () => {
  it('sends a reply with mentions and attachments to the room, and history and sync give it back', async () => {
    const { url } = await startApp();
    const ana = await connectApp(url, 'ana');
    const ben = await connectApp(url, 'ben');
    ok(await ana.request('room:join', { roomId: 'r' }));
    ok(await ben.request('room:join', { roomId: 'r' }));
    const first = ok(await ana.request('message:send', { roomId: 'r', clientMessageId: 'c1', text: 'hi' }));
    const arrives = nextValue<AppMessage>((fn) => ana.on('message:new', fn));
    const reply = ok(
      await ben.request('message:send', {
        roomId: 'r',
        clientMessageId: 'c2',
        text: '@ana look',
        replyTo: first.serial,
        mentions: ['ana'],
        meta: { attachments: [image] },
      }),
    );
    expect(reply).toMatchObject({ serial: 2, replyTo: 1, mentions: ['ana'], meta: { attachments: [image] } });
    expect(await arrives).toEqual(reply);
    const page = ok(await ana.request('history:fetch', { roomId: 'r' }));
    expect(page.messages[1]).toEqual(reply);
    const synced = ok(await ana.request('sync', { rooms: { r: 1 } }));
    expect(synced.rooms.r?.messages).toEqual([reply]);
    // A message without them carries none.
    expect(Object.keys(first)).not.toContain('meta');
    expect(Object.keys(first)).not.toContain('replyTo');
    expect(Object.keys(first)).not.toContain('mentions');
  });

  it('refuses a reply to a message that is not in the room (NOT_FOUND) or deleted (CONFLICT), storing nothing', async () => {
    const { url, store } = await startApp();
    const ana = await connectApp(url, 'ana');
    ok(await ana.request('room:join', { roomId: 'r' }));
    ok(await ana.request('room:join', { roomId: 'other' }));
    ok(await ana.request('message:send', { roomId: 'other', clientMessageId: 'o1', text: 'elsewhere' }));
    ok(await ana.request('message:send', { roomId: 'other', clientMessageId: 'o2', text: 'elsewhere' }));
    ok(await ana.request('message:send', { roomId: 'r', clientMessageId: 'r1', text: 'here' }));
    const sendReply = (replyTo: number) =>
      ana.request('message:send', { roomId: 'r', clientMessageId: randomUUID(), text: 'reply', replyTo });
    // Serial 2 exists in "other" only.
    expect(await sendReply(2)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    ok(await ana.request('message:delete', { roomId: 'r', serial: 1 }));
    expect(await sendReply(1)).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect(await store.lastSerial('r')).toBe(1);
  });

  it('checks mentions on the server: storable ids, each once, at most MAX_MENTIONS', async () => {
    const { url, store } = await startApp();
    const ana = await connectApp(url, 'ana');
    ok(await ana.request('room:join', { roomId: 'r' }));
    const sendRaw = (mentions: unknown) =>
      unchecked(ana, 'message:send', { roomId: 'r', clientMessageId: randomUUID(), text: 'x', mentions });
    const many = Array.from({ length: MAX_MENTIONS + 1 }, (_, i) => `u${i}`);
    for (const bad of [['ben', 'ben'], many, ['a\u0000b'], [''], 'ben', [7]]) {
      expect(await sendRaw(bad)).toMatchObject({
        ok: false,
        error: {
          code: 'VALIDATION_FAILED',
          issues: [expect.objectContaining({ path: expect.arrayContaining(['mentions']) })],
        },
      });
    }
    expect(await sendRaw(many.slice(0, MAX_MENTIONS))).toMatchObject({ ok: true });
    expect(await store.lastSerial('r')).toBe(1);
  });

  it("checks meta against the app's schema and size on the server: VALIDATION_FAILED with the issues", async () => {
    const { url, store } = await startApp();
    const ana = await connectApp(url, 'ana');
    ok(await ana.request('room:join', { roomId: 'r' }));
    const sendRaw = (meta: unknown) =>
      unchecked(ana, 'message:send', { roomId: 'r', clientMessageId: randomUUID(), text: 'x', meta });
    const badUrl = await sendRaw({ attachments: [{ ...image, url: 'not a url' }] });
    expect(badUrl).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    expect(!badUrl.ok && badUrl.error.issues?.map((issue) => issue.path)).toEqual([['meta', 'attachments', 0, 'url']]);
    // Within the schema (10 attachments) but more than maxMetaBytes (512) of JSON.
    const big = { attachments: Array.from({ length: 10 }, (_, i) => ({ ...image, name: `file-${i}.png` })) };
    expect(await sendRaw(big)).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION_FAILED', issues: [expect.objectContaining({ path: ['meta'] })] },
    });
    expect(await sendRaw('not an object')).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    expect(await store.lastSerial('r')).toBe(0);
    expect(await sendRaw({ attachments: big.attachments.slice(0, 2) })).toMatchObject({ ok: true });
  });

  it('refuses meta in a chat whose contract has no meta schema', async () => {
    const { url, store } = await startChat();
    const ana = await connectUser(url, 'ana');
    await join(ana, 'r');
    const refused = await unchecked(ana, 'message:send', {
      roomId: 'r',
      clientMessageId: 'c',
      text: 'x',
      meta: { any: 'thing' },
    });
    expect(refused).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    expect(await store.lastSerial('r')).toBe(0);
    // The typed client does not even let it be written (rich-messages.test-d.ts checks the types).
    // @ts-expect-error the plain chat contract has no meta
    const typed = await ana.request('message:send', { roomId: 'r', clientMessageId: 'd', text: 'x', meta: { a: 1 } });
    expect(typed).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    // Replies and mentions need no schema.
    const first = await send(ana, 'r', 'first');
    const reply = ok(
      await ana.request('message:send', {
        roomId: 'r',
        clientMessageId: 'e',
        text: 'y',
        replyTo: first.serial,
        mentions: ['ben'],
      }),
    );
    expect(reply).toMatchObject({ replyTo: 1, mentions: ['ben'] });
  });

  it('lets the author change mentions and meta with an edit; left out, they stay', async () => {
    const { url } = await startApp();
    const ana = await connectApp(url, 'ana');
    const ben = await connectApp(url, 'ben');
    ok(await ana.request('room:join', { roomId: 'r' }));
    ok(await ben.request('room:join', { roomId: 'r' }));
    ok(
      await ana.request('message:send', {
        roomId: 'r',
        clientMessageId: 'c',
        text: 'v1',
        mentions: ['ben'],
        meta: { attachments: [image] },
      }),
    );
    const textOnly = ok(await ana.request('message:edit', { roomId: 'r', serial: 1, text: 'v2' }));
    expect(textOnly).toMatchObject({ text: 'v2', mentions: ['ben'], meta: { attachments: [image] } });
    const updated = nextValue<AppMessage>((fn) => ben.on('message:updated', (m) => m.text === 'v3' && fn(m)));
    const edited = ok(
      await ana.request('message:edit', { roomId: 'r', serial: 1, text: 'v3', mentions: [], meta: { pinned: true } }),
    );
    expect(edited).toMatchObject({ text: 'v3', meta: { pinned: true } });
    expect(edited.mentions).toBeUndefined();
    expect(await updated).toEqual(edited);
    const tooBig = await ana.request('message:edit', {
      roomId: 'r',
      serial: 1,
      text: 'v4',
      meta: { attachments: Array.from({ length: 10 }, () => image) },
    });
    expect(tooBig).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
  });
});

describe('rich messages on the ChatClient', () => {
  it('sends { text, replyTo, mentions, meta }: pending carries them, the other client gets them typed', async () => {
    const { url } = await startApp();
    const ana = chatClient(url, 'ana', { contract });
    const ben = chatClient(url, 'ben', { contract });
    const anaRoom = await joinRoom(ana, 'r');
    const benRoom = await joinRoom(ben, 'r');
    ok(await anaRoom.send('plain text still works'));
    const sending = anaRoom.send({ text: 'see', replyTo: 1, mentions: ['ben'], meta: { attachments: [image] } });
    expect(anaRoom.messages.at(-1)).toMatchObject({
      status: 'pending',
      text: 'see',
      replyTo: 1,
      mentions: ['ben'],
      meta: { attachments: [image] },
    });
    expect(ok(await sending)).toMatchObject({ serial: 2, meta: { attachments: [image] } });
    await eventually(() => expect(benRoom.messages.at(-1)).toMatchObject({ status: 'sent', serial: 2, replyTo: 1 }));
    const received = benRoom.messages.at(-1);
    if (received?.status !== 'sent') throw new Error('not received');
    expect(received.meta?.attachments?.[0]?.url).toBe(image.url);
    expect(received.mentions).toEqual(['ben']);
    const edited = ok(await anaRoom.edit(2, { text: 'see this', meta: { pinned: true } }));
    expect(edited).toMatchObject({ text: 'see this', meta: { pinned: true }, mentions: ['ben'] });
  });

  it('marks a send with meta outside the schema failed with VALIDATION_FAILED, before it leaves', async () => {
    const { url, store } = await startApp();
    const ana = chatClient(url, 'ana', { contract });
    const room = await joinRoom(ana, 'r');
    const result = await room.send({ text: 'x', meta: { attachments: [{ ...image, size: -1 }] } });
    expect(result).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    expect(room.messages.at(-1)).toMatchObject({ status: 'failed', error: { code: 'VALIDATION_FAILED' } });
    expect(await store.lastSerial('r')).toBe(0);
  });

  it("checks meta on the way in too: a message the client's schema refuses is not listed", async () => {
    // The server's schema is looser than the client's (say, an older app version on the client).
    const loose = defineChatContract({ meta: z.object({ n: z.number() }) });
    const strict = defineChatContract({ meta: z.object({ n: z.number().max(5) }) });
    const { url } = await startChat({ contract: loose });
    const invalid: unknown[] = [];
    const ana = chatClient(url, 'ana', { contract: strict, onInvalid: (message) => invalid.push(message) });
    const ben = chatClient(url, 'ben', { contract: loose });
    const anaRoom = await joinRoom(ana, 'r');
    const benRoom = await joinRoom(ben, 'r');
    ok(await benRoom.send({ text: 'too big for ana', meta: { n: 10 } }));
    ok(await benRoom.send({ text: 'fine', meta: { n: 1 } }));
    await eventually(() => expect(anaRoom.messages.map((m) => m.text)).toContain('fine'));
    expect(anaRoom.messages.map((m) => m.text)).not.toContain('too big for ana');
    expect(invalid).toContainEqual(expect.objectContaining({ event: 'message:new' }));
  });
});
