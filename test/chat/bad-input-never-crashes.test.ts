import { chatContract, type ErrorEventPayload, type Result } from '@chatwire/protocol';
import { describe, expect, it, vi } from 'vitest';
import { connectRaw, nextRaw, rawConnected, sleep } from '../support/harness.js';
import { connectUser, join, nextEvent, ok, record, send, startChat } from './support.js';

const events = Object.keys(chatContract.clientToServer);
const ackedEvents = events.filter((event) => chatContract.clientToServer[event as 'sync'].ack !== undefined);

const nested: Record<string, unknown> = {};
let level = nested;
for (let i = 0; i < 200; i++) {
  const next: Record<string, unknown> = {};
  level.deeper = next;
  level = next;
}

/** Payloads no chat event accepts. */
const garbage: [string, unknown][] = [
  ['a string', 'hello'],
  ['an empty string', ''],
  ['a number', 42],
  ['a float', -0.5],
  ['true', true],
  ['null', null],
  ['an array', [1, 'two', { three: 3 }]],
  ['an empty object', {}],
  ['a deeply nested object', nested],
  // Huge, yet inside one frame (maxHttpBufferSize, 64 KiB): a bigger frame closes the connection instead.
  ['a huge string', 'x'.repeat(60_000)],
  ['a huge room id', { roomId: 'r'.repeat(60_000), text: 'hi', clientMessageId: 'c', serial: 1 }],
  ['a room id with a slash', { roomId: 'user/ana', text: 'hi', clientMessageId: 'c', serial: 1, isTyping: true }],
  ['a room id with a space', { roomId: 'a b', text: 'hi', clientMessageId: 'c', serial: 1, emoji: 'x' }],
  ['wrong types', { roomId: 7, serial: '1', text: ['a'], isTyping: 'yes', rooms: 'all', emoji: 1 }],
  ['a __proto__ key', JSON.parse('{"__proto__": {"polluted": true, "roomId": "lobby"}}')],
];

const send1 = { roomId: 'lobby', clientMessageId: 'c' };

/** Payloads that are nearly right for one event. */
const nearMisses: Record<string, unknown[]> = {
  'room:join': [{ roomId: '' }, { roomId: 'x'.repeat(129) }, { room: 'lobby' }],
  'room:leave': [{ roomId: '' }, { roomId: 'lob by' }],
  'rooms:list': [{ after: '' }, { after: 'a/b' }, { limit: 0 }, { limit: 101 }, { limit: 1.5 }],
  'message:send': [
    { ...send1, text: '' },
    { ...send1, text: 'x'.repeat(4001) },
    { roomId: 'lobby', text: 'no id' },
    { ...send1, text: 42 },
  ],
  'message:edit': [
    { roomId: 'lobby', serial: 0, text: 'x' },
    { roomId: 'lobby', serial: 1.5, text: 'x' },
    { roomId: 'lobby', serial: 1, text: '' },
  ],
  'message:delete': [
    { roomId: 'lobby', serial: 0 },
    { roomId: 'lobby', serial: -1 },
    { roomId: 'lobby', serial: '1' },
  ],
  'reaction:toggle': [
    { roomId: 'lobby', serial: 1, emoji: '' },
    { roomId: 'lobby', serial: 1, emoji: 'x'.repeat(33) },
    { roomId: 'lobby', serial: 0, emoji: 'x' },
  ],
  'history:fetch': [
    { roomId: 'lobby', limit: 101 },
    { roomId: 'lobby', before: 5, after: 1 },
    { roomId: 'lobby', after: -1 },
  ],
  'history:search': [
    { roomId: 'lobby', query: '' },
    { roomId: 'lobby', query: '" * ( )' },
    { roomId: 'lobby', query: 'x'.repeat(201) },
    { roomId: 'lobby', query: 'x', before: 0 },
  ],
  sync: [{ rooms: { lobby: -1 } }, { rooms: { lobby: 0.5 } }, { rooms: [0] }, { rooms: { 'bad room': 1 } }],
  'read:mark': [
    { roomId: 'lobby', serial: 0 },
    { roomId: 'lobby', serial: 1.5 },
  ],
  'typing:set': [{ roomId: 'lobby', isTyping: 'yes' }, { roomId: 'lobby' }],
  'room:moderate': [
    { roomId: 'lobby', userId: 'u2', action: 'smite' },
    { roomId: 'lobby', action: 'kick' },
    { roomId: 'lobby', userId: 'u2', action: 'ban', until: 'tomorrow' },
  ],
};

function rawRequest(
  socket: ReturnType<typeof connectRaw>,
  event: string,
  ...args: unknown[]
): Promise<Result<unknown>> {
  return new Promise((resolve, reject) => {
    socket.timeout(5000).emit(event, ...args, (error: Error | null, result: Result<unknown>) => {
      if (error) reject(error);
      else resolve(result);
    });
  });
}

describe('garbage sent to every chat event', () => {
  it('gets VALIDATION_FAILED (ack) or chatwire:error (no ack), and the server keeps serving', async () => {
    const logger = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };
    // Hundreds of events, refused on purpose: the budgets that would cut this client off are tested in
    // test/integration/event-budget.test.ts.
    const budgets = { eventRateLimit: false, errorReplyRateLimit: false, refusalLimit: false } as const;
    const { url, store } = await startChat({ logger, ...budgets });
    const bob = await connectUser(url, 'bob');
    await join(bob, 'lobby');
    const atBob = ['message:new', 'message:updated', 'typing', 'presence:diff', 'read'].map((event) =>
      record(bob, event as 'typing'),
    );
    const mallory = connectRaw(url, { userId: 'mallory', name: 'Mallory' });
    await rawConnected(mallory);
    const malloryJoined = nextEvent(bob, 'presence:diff', (diff) => diff.joined?.[0]?.userId === 'mallory');
    expect(await rawRequest(mallory, 'room:join', { roomId: 'lobby' })).toMatchObject({ ok: true });
    await malloryJoined;
    const joinedPresence = atBob[3]!.length;

    for (const event of events) {
      const misses = (nearMisses[event] ?? []).map((payload): [string, unknown] => [JSON.stringify(payload), payload]);
      expect(misses.length, event).toBeGreaterThan(0);
      // rooms:list takes {} and ignores unknown keys: there every object is a valid payload.
      const lenient = (payload: unknown) =>
        event === 'rooms:list' && typeof payload === 'object' && payload !== null && !Array.isArray(payload);
      for (const [what, payload] of [...garbage.filter(([, payload]) => !lenient(payload)), ...misses]) {
        const acked = ackedEvents.includes(event);
        if (acked) {
          const result = await rawRequest(mallory, event, payload);
          expect(result, `${event} with ${what}`).toMatchObject({
            ok: false,
            error: { code: 'VALIDATION_FAILED', message: expect.stringContaining(`payload of "${event}"`) },
          });
        }
        // Without an ack, the refusal comes as a chatwire:error event.
        const refused = nextRaw(mallory, 'chatwire:error');
        mallory.emit(event, payload);
        const [error] = (await refused) as [ErrorEventPayload];
        expect(error, `${event} with ${what}, no ack`).toMatchObject({ event, code: 'VALIDATION_FAILED' });
      }
      // No payload, or two of them.
      const none = nextRaw(mallory, 'chatwire:error');
      mallory.emit(event);
      expect((await none)[0]).toMatchObject({ event, code: 'VALIDATION_FAILED' });
      if (ackedEvents.includes(event)) {
        expect(await rawRequest(mallory, event, { roomId: 'lobby' }, { roomId: 'lobby' })).toMatchObject({
          ok: false,
          error: { code: 'VALIDATION_FAILED', message: `Event "${event}" takes exactly one payload argument` },
        });
      }
    }
    expect(await rawRequest(mallory, 'no:such:event', {})).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });

    // Nothing reached the handlers: no message stored, nothing broadcast, no prototype polluted.
    expect(await store.lastSerial('lobby')).toBe(0);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(logger.error).not.toHaveBeenCalled();
    await sleep(100);
    expect(atBob.map((list) => list.length)).toEqual([0, 0, 0, joinedPresence, 0]);

    // The same raw socket, and everyone else, are still served normally.
    expect(mallory.connected).toBe(true);
    expect(
      await rawRequest(mallory, 'message:send', { roomId: 'lobby', clientMessageId: 'ok', text: 'I behave now' }),
    ).toMatchObject({ ok: true, data: { serial: 1, author: { userId: 'mallory' } } });
    const carol = await connectUser(url, 'carol');
    await join(carol, 'lobby');
    const atCarol = nextEvent(carol, 'message:new');
    const sent = await send(bob, 'lobby', 'still here');
    expect(await atCarol).toEqual(sent);
    expect(sent.serial).toBe(2);
    expect(ok(await carol.request('history:fetch', { roomId: 'lobby' })).messages).toHaveLength(2);
  });

  it('a __proto__ room key in sync is dropped, not obeyed', async () => {
    const { url } = await startChat();
    const mallory = connectRaw(url, { userId: 'mallory', name: 'Mallory' });
    await rawConnected(mallory);
    expect(await rawRequest(mallory, 'room:join', { roomId: 'lobby' })).toMatchObject({ ok: true });
    const rooms = JSON.parse('{"__proto__": {"polluted": true}, "lobby": 0}');
    expect(await rawRequest(mallory, 'sync', { rooms })).toEqual({
      ok: true,
      data: {
        rooms: { lobby: { messages: [], discontinuity: false, updated: [], hasMore: false } },
        serverTime: expect.any(Number),
      },
    });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('an oversized frame (over maxHttpBufferSize) drops that connection only', async () => {
    const { url } = await startChat({ maxHttpBufferSize: 10_000 });
    const bob = await connectUser(url, 'bob');
    await join(bob, 'lobby');
    const mallory = connectRaw(url, { userId: 'mallory', name: 'Mallory' });
    await rawConnected(mallory);
    const dropped = new Promise<string>((resolve) => mallory.once('disconnect', resolve));
    mallory.emit('message:send', { roomId: 'lobby', clientMessageId: 'c', text: 'x'.repeat(20_000) });
    expect(await dropped).toBe('transport close');
    expect((await send(bob, 'lobby', 'unaffected')).serial).toBe(1);
  });
});
