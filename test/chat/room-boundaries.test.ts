import { describe, expect, it } from 'vitest';
import { gate, sleep } from '../support/harness.js';
import { connectUser, join, record, send, startChat } from './support.js';

describe('room boundaries (regressions)', () => {
  it('concurrent joins cannot get past maxRoomsPerSocket', async () => {
    const { url } = await startChat({ maxRoomsPerSocket: 2, authorizeRoom: async () => true });
    const ana = await connectUser(url, 'ana');
    const results = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((roomId) => ana.request('room:join', { roomId })));
    expect(results.filter((r) => r.ok)).toHaveLength(2);
    expect(results.filter((r) => !r.ok).map((r) => !r.ok && r.error.code)).toEqual([
      'TOO_MANY_ROOMS',
      'TOO_MANY_ROOMS',
      'TOO_MANY_ROOMS',
    ]);
  });

  it('a chat room named like another socket’s id does not reach that socket', async () => {
    const { url } = await startChat();
    const victim = await connectUser(url, 'victim');
    const heard = record(victim, 'message:new');
    const presence = record(victim, 'presence:diff');
    const mallory = await connectUser(url, 'mallory');
    const roomId = victim.id!;
    await join(mallory, roomId);
    await send(mallory, roomId, 'for your socket only?');
    await sleep(150);
    expect(heard).toEqual([]);
    expect(presence).toEqual([]);
  });

  it('a read marker past the last message is capped to it', async () => {
    const { url } = await startChat();
    const ana = await connectUser(url, 'ana');
    await join(ana, 'r');
    const reads = record(ana, 'read');
    expect(await ana.request('read:mark', { roomId: 'r', serial: 5 })).toEqual({ ok: true, data: {} });
    await send(ana, 'r', 'one');
    await send(ana, 'r', 'two');
    await ana.request('read:mark', { roomId: 'r', serial: 1_000_000 });
    await sleep(100);
    expect(reads).toEqual([{ roomId: 'r', userId: 'ana', serial: 2 }]);
    await send(ana, 'r', 'three');
    await ana.request('read:mark', { roomId: 'r', serial: 3 });
    await sleep(100);
    expect(reads.at(-1)).toEqual({ roomId: 'r', userId: 'ana', serial: 3 });
  });
});

describe('a delete racing an edit (regression)', () => {
  /** A chat whose moderation check holds each edit until the test opens `editMayWrite`. */
  async function setup() {
    const editChecked = gate();
    const editMayWrite = gate();
    const { url, store } = await startChat({
      authorizeRoom: ({ user, action }) => action !== 'moderate' || user.userId === 'mod',
      // A slow moderation check holds the edit between its checks and its write.
      moderate: async ({ text, kind }) => {
        if (kind === 'edit') {
          editChecked.open();
          await editMayWrite.promise;
        }
        return { text };
      },
    });
    const author = await connectUser(url, 'author');
    const mod = await connectUser(url, 'mod');
    await join(author, 'r');
    await join(mod, 'r');
    const { serial } = await send(author, 'r', 'something bad');
    const edit = author.request('message:edit', { roomId: 'r', serial, text: 'still bad' });
    await editChecked.promise;
    const remove = () => mod.request('message:delete', { roomId: 'r', serial });
    return { store, serial, edit, editMayWrite, remove };
  }

  it('a delete that lands while the edit is held: the edit answers CONFLICT and the message stays deleted', async () => {
    const { store, serial, edit, editMayWrite, remove } = await setup();
    expect(await remove()).toMatchObject({ ok: true });
    editMayWrite.open();
    expect(await edit).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect(await store.get('r', serial)).toMatchObject({ text: '', deletedAt: expect.any(Number) });
  });

  it('a delete that lands after the edit: both succeed and the message ends deleted', async () => {
    const { store, serial, edit, editMayWrite, remove } = await setup();
    editMayWrite.open();
    expect(await edit).toMatchObject({ ok: true, data: { text: 'still bad' } });
    expect(await remove()).toMatchObject({ ok: true });
    expect(await store.get('r', serial)).toMatchObject({ text: '', deletedAt: expect.any(Number) });
  });
});

describe('keys that reach into prototypes, and serials beyond what stores index (regressions)', () => {
  it('refuses __proto__-like room ids and reactions, and accepts other method names as emoji', async () => {
    const { url } = await startChat();
    const ana = await connectUser(url, 'ana');
    for (const roomId of ['__proto__', 'constructor', 'prototype']) {
      expect(await ana.request('room:join', { roomId })).toMatchObject({
        ok: false,
        error: { code: 'VALIDATION_FAILED' },
      });
    }
    await join(ana, 'r');
    const { serial } = await send(ana, 'r', 'react to me');
    for (const emoji of ['__proto__', 'constructor']) {
      const refused = await ana.request('reaction:toggle', { roomId: 'r', serial, emoji });
      expect(refused).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    }
    const toggled = await ana.request('reaction:toggle', { roomId: 'r', serial, emoji: 'toString' });
    expect(toggled).toMatchObject({ ok: true, data: { reactions: { toString: ['ana'] } } });
  });

  it('refuses serials past 2^31 - 1 as invalid input, not as a storage failure', async () => {
    const { url } = await startChat();
    const ana = await connectUser(url, 'ana');
    await join(ana, 'r');
    const big = 2 ** 31;
    for (const [event, payload] of [
      ['history:fetch', { roomId: 'r', before: big }],
      ['history:fetch', { roomId: 'r', after: big }],
      ['sync', { rooms: { r: big } }],
      ['message:edit', { roomId: 'r', serial: big, text: 'x' }],
    ] as const) {
      expect(await ana.request(event, payload as never)).toMatchObject({
        ok: false,
        error: { code: 'VALIDATION_FAILED' },
      });
    }
  });
});
