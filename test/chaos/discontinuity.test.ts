import type { ChatRoom } from '@chatwire/client';
import type { ChatAuthenticator, HistoryQuery } from '@chatwire/server';
import { devAuthenticator } from '@chatwire/server/dev';
import { SqliteStore } from '@chatwire/server/sqlite';
import { describe, expect, it } from 'vitest';
import { startChat } from '../chat/support.js';
import { chatClient, dropConnections, eventually, joinRoom } from '../chat-client/support.js';
import { gate, nextValue } from '../support/harness.js';

type HistoryHook = (query: HistoryQuery) => Promise<void> | undefined;
type AppendHook = (authorId: string) => Promise<void> | undefined;

/**
 * A chat server on a SqliteStore whose `history` reads first run a hook (to hold or sabotage one) and
 * whose appends run one after storing, with a way to keep ana offline (her handshake waits).
 */
async function startHookedChat(syncLimit: number) {
  const store = new SqliteStore({ path: ':memory:' });
  let hook: HistoryHook = () => undefined;
  let appendHook: AppendHook = () => undefined;
  const history = store.history.bind(store);
  store.history = async (roomId: string, query: HistoryQuery) => {
    await hook(query);
    return history(roomId, query);
  };
  const append = store.append.bind(store);
  store.append = async (message) => {
    const result = await append(message);
    await appendHook(message.author.userId);
    return result;
  };
  let anaMayConnect: Promise<void> = Promise.resolve();
  const dev = devAuthenticator();
  const authenticate: ChatAuthenticator = async (context) => {
    if (context.auth.userId === 'ana') await anaMayConnect;
    return dev(context);
  };
  const { url, chat } = await startChat({ store, authenticate, syncLimit, rateLimit: false });
  return {
    url,
    cutAna: () => dropConnections(chat.server, 'ana'),
    setHook: (next: HistoryHook) => {
      hook = next;
    },
    setAppendHook: (next: AppendHook) => {
      appendHook = next;
    },
    /** Cuts ana and keeps her out until the returned function is called. */
    async takeAnaOffline(): Promise<() => void> {
      const held = gate();
      anaMayConnect = held.promise;
      await dropConnections(chat.server, 'ana');
      return () => held.open();
    },
  };
}

const isLatestPage = (query: HistoryQuery) => query.after === undefined && query.before === undefined;

/** The serials listed, -1 for a message not stored yet. */
const serialsOf = (room: ChatRoom) => room.messages.map((m) => (m.status === 'sent' ? m.serial : -1));

/** Asserts the list is gapless from its first serial up to `last`, and starts at `from` or later. */
function expectTail(room: ChatRoom, from: number, last: number): void {
  const serials = serialsOf(room);
  const first = serials[0] ?? 0;
  expect(first).toBeGreaterThanOrEqual(from);
  expect(serials).toEqual(Array.from({ length: last - first + 1 }, (_, i) => i + first));
}

/** Records the serials of a room's `message` events. */
function messageEvents(room: ChatRoom): number[] {
  const serials: number[] = [];
  room.on('message', (message) => serials.push(message.serial));
  return serials;
}

/**
 * Regression: when history no longer covered a reconnect's gap, the room cleared its list and reloaded
 * the latest page; if that reload failed (a drop cut it, or the store refused once) the room stayed
 * "not loaded" for good: its `lastSerial` never moved again and no reconnect re-joined it.
 */
describe('a reload after a discontinuity that fails', () => {
  async function scenario(sabotage: (cutAna: () => Promise<void>) => Promise<void>) {
    const chat = await startHookedChat(5);
    const ana = chatClient(chat.url, 'ana', { pageSize: 10 });
    const [a, b] = await Promise.all([joinRoom(ana, 'r'), joinRoom(chatClient(chat.url, 'ben'), 'r')]);
    await b.send('first');
    await eventually(() => expect(a.lastSerial).toBe(1));
    let discontinuities = 0;
    a.on('discontinuity', () => discontinuities++);
    const discontinuity = nextValue((fn) => a.on('discontinuity', () => fn(undefined)), 5000);

    const letAnaIn = await chat.takeAnaOffline();
    for (let i = 2; i <= 21; i++) await b.send(`m${i}`);
    let sabotaged = false;
    chat.setHook((query) => {
      if (sabotaged || !isLatestPage(query)) return undefined;
      sabotaged = true;
      return sabotage(chat.cutAna);
    });
    letAnaIn();
    await discontinuity;
    expect(sabotaged).toBe(true);

    for (let i = 22; i <= 25; i++) await b.send(`m${i}`);
    await eventually(() => expect(a.lastSerial).toBe(25));
    // It still follows the room after another drop, and still sends.
    await chat.cutAna();
    await b.send('m26');
    await eventually(() => expect(a.lastSerial).toBe(26));
    expect(await a.send('still sending')).toMatchObject({ ok: true, data: { serial: 27 } });
    // A latest page of 10 (which one depends on when the reload ran), then the rest.
    expectTail(a, 12, 27);
    expect(discontinuities).toBe(1);
  }

  it('is done again after the next reconnect when a drop cuts it', async () => {
    await scenario((cutAna) => cutAna());
  });

  it('is done again while connected when the store refuses it once', async () => {
    await scenario(async () => {
      throw new Error('database is locked');
    });
  });
});

/**
 * Regression: answers to requests made before a discontinuity cleared and reloaded the list were still
 * added to it, below the reloaded page, leaving a hole in the list (and a second 'message' event).
 */
describe('an answer that was under way when a discontinuity reloaded the list', () => {
  it("does not list a retried send's old serial below the reloaded page", async () => {
    const chat = await startHookedChat(2);
    const ana = chatClient(chat.url, 'ana', { pageSize: 5 });
    const [a, b] = await Promise.all([joinRoom(ana, 'r'), joinRoom(chatClient(chat.url, 'ben'), 'r')]);
    const events = messageEvents(a);
    await b.send('first');
    await eventually(() => expect(a.lastSerial).toBe(1));

    // ana's send is stored as serial 2, but a drop takes its ack: she retries it after reconnecting.
    let letAnaIn = () => {};
    const cut = gate();
    chat.setAppendHook(async (authorId) => {
      if (authorId !== 'ana') return;
      chat.setAppendHook(() => undefined);
      letAnaIn = await chat.takeAnaOffline();
      cut.open();
    });
    const sending = a.send('mine');
    await cut.promise;
    for (let i = 3; i <= 12; i++) await b.send(`m${i}`);
    const discontinuity = nextValue((fn) => a.on('discontinuity', () => fn(undefined)), 5000);
    letAnaIn();
    await discontinuity;
    // Stored once, as serial 2: below the reloaded page (8..12), so not listed.
    expect(await sending).toMatchObject({ ok: true, data: { serial: 2, text: 'mine' } });
    await b.send('m13');
    await eventually(() => expect(a.lastSerial).toBe(13));
    expectTail(a, 8, 13);
    expect(new Set(events).size).toBe(events.length);
  });

  it("drops a gap fill's page asked for before the reload", async () => {
    const chat = await startHookedChat(5);
    const ana = chatClient(chat.url, 'ana', { pageSize: 5, gapFillDelayMs: 20 });
    const [a, b] = await Promise.all([joinRoom(ana, 'r'), joinRoom(chatClient(chat.url, 'ben'), 'r')]);
    const events = messageEvents(a);
    await b.send('first');
    await eventually(() => expect(a.lastSerial).toBe(1));

    const letAnaIn = await chat.takeAnaOffline();
    for (let i = 2; i <= 130; i++) await b.send(`m${i}`);
    // Hold ana's sync until a gap fill is under way, and hold the gap fill until ana applied the reload.
    const syncStarted = gate();
    const gapFillStarted = gate();
    const reloadApplied = gate();
    const gapFillRead = gate();
    a.on('discontinuity', () => reloadApplied.open());
    chat.setHook((query) => {
      if (query.after !== undefined && query.limit === 5) {
        syncStarted.open();
        return gapFillStarted.promise;
      }
      if (query.after !== undefined && query.limit === 100 && !gapFillRead.opened) {
        gapFillStarted.open();
        return reloadApplied.promise.then(() => gapFillRead.open());
      }
      return undefined;
    });
    letAnaIn();
    await syncStarted.promise;
    // ana has re-joined: this one reaches her live, far ahead of her last serial, and starts a gap fill.
    await b.send('m131');
    await gapFillRead.promise;
    // The stale page's answer is on ana's socket before this message (socket.io keeps a socket's order).
    await b.send('m132');
    await eventually(() => expect(a.lastSerial).toBe(132));
    expectTail(a, 127, 132);
    expect(new Set(events).size).toBe(events.length);
  });
});
