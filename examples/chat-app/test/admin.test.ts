import { type ChatClient, createClient } from '@chatwire/client';
import { type Logger, silentLogger } from '@chatwire/server';
import { describe, expect, it, onTestFinished } from 'vitest';
import { connected } from '../../../test/support/harness.js';
import { adminContract } from '../src/admin-contract.js';
import type { DemoContract } from '../src/chat-contract.js';
import { startApp, user } from './support.js';

const adminToken = 'admin-secret-for-tests';

/** The demo with `token` as its admin token; closed when the test finishes. */
function startAdminApp(token: string | undefined, logger: Logger = silentLogger) {
  return startApp({ adminToken: token, logger });
}

/** An admin client with `token`; closed when the test finishes. */
function adminClient(url: string, token: string) {
  const client = createClient(adminContract, `${url}/admin`, {
    auth: { token },
    transports: ['websocket'],
    reconnection: false,
  });
  onTestFinished(() => client.close());
  return client;
}

async function join(chat: ChatClient<DemoContract>, roomId: string) {
  const joined = await chat.join(roomId);
  if (!joined.ok) throw new Error(`join refused: ${joined.error.code}`);
  return joined.data;
}

describe('the /admin namespace of the demo', () => {
  it('refuses a wrong token, and everyone when no ADMIN_TOKEN is set, with UNAUTHORIZED', async () => {
    const { url } = await startAdminApp(adminToken);
    await expect(connected(adminClient(url, 'wrong'))).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await expect(connected(adminClient(url, ''))).rejects.toMatchObject({ code: 'UNAUTHORIZED' });

    const off = await startAdminApp(undefined);
    await expect(connected(adminClient(off.url, adminToken))).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await expect(connected(adminClient(off.url, ''))).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('chat.of adds a namespace, and refuses a path that is taken (the chat itself, /admin) or not a path', async () => {
    const { app } = await startAdminApp(adminToken);
    for (const path of ['/', '/admin', 'admin']) {
      expect(() => app.chat.of(path, adminContract)).toThrow(TypeError);
    }
    const typed = app.chat.of('/typed', adminContract);
    expect(() => typed.on('room:members', () => [])).not.toThrow();
  });

  it('lists rooms and members, logs and counts the joins, and kicks a user while the chat keeps working', async () => {
    const logged: Record<string, unknown>[] = [];
    const { url } = await startAdminApp(adminToken, {
      ...silentLogger,
      debug: (message, meta) => logged.push({ message, ...meta }),
    });
    const ana = user(url, 'Ana');
    const bob = user(url, 'Bob');
    await join(ana, 'general');
    await join(bob, 'general');
    await join(bob, 'random');
    const admin = adminClient(url, adminToken);
    await connected(admin);

    const rooms = await admin.request('rooms:list');
    expect(rooms.ok && [...rooms.data].sort((a, b) => a.roomId.localeCompare(b.roomId))).toEqual([
      { roomId: 'general', members: 2 },
      { roomId: 'random', members: 1 },
    ]);
    const members = await admin.request('room:members', { roomId: 'general' });
    expect(members.ok && members.data.map((m) => m.userId).sort()).toEqual(['ana', 'bob']);
    const metrics = await admin.request('metrics:get');
    expect(metrics.ok && metrics.data.events['room:join']).toEqual({ ok: 3 });
    const joins = logged.filter((entry) => entry.event === 'room:join');
    expect(joins).toHaveLength(3);
    expect(joins[0]).toMatchObject({ message: 'chat event', code: 'ok', durationMs: expect.any(Number) });

    const bobGone = new Promise<void>((resolve) => {
      bob.on('status', (status) => {
        if (status !== 'connected') resolve();
      });
    });
    expect(await admin.request('user:kick', { userId: 'bob' })).toEqual({ ok: true, data: { kicked: true } });
    await bobGone;
    expect(bob.status).not.toBe('connected');

    // The chat keeps working beside it: Ana still sends, and Bob's kick shows in the rooms.
    const sent = await ana.rooms.get('general')?.send('still here');
    expect(sent?.ok).toBe(true);
    const after = await admin.request('room:members', { roomId: 'general' });
    expect(after.ok && after.data.map((m) => m.userId)).toEqual(['ana']);
    const left = await admin.request('rooms:list');
    expect(left.ok && left.data).toEqual([{ roomId: 'general', members: 1 }]);
  });

  it('kicks, bans and mutes a user in one room, lists and lifts bans and mutes', async () => {
    const { url } = await startAdminApp(adminToken);
    const ana = user(url, 'Ana');
    const bob = user(url, 'Bob');
    await join(ana, 'general');
    const bobRoom = await join(bob, 'general');
    await join(bob, 'random');
    const admin = adminClient(url, adminToken);
    await connected(admin);
    const members = async (roomId: string) => {
      const answer = await admin.request('room:members', { roomId });
      return answer.ok ? answer.data.map((m) => m.userId).sort() : answer.error.code;
    };

    const kicked = new Promise((resolve) => bobRoom.on('removed', resolve));
    expect(await admin.request('room:kick', { roomId: 'general', userId: 'bob', reason: 'Off topic' })).toEqual({
      ok: true,
      data: {},
    });
    expect(await kicked).toEqual({ roomId: 'general', kind: 'kicked', reason: 'Off topic' });
    expect(await members('general')).toEqual(['ana']);
    // Only that room: Bob is still connected and in 'random'.
    expect(bob.status).toBe('connected');
    expect(await members('random')).toEqual(['bob']);

    await join(bob, 'general');
    expect(
      (await admin.request('room:ban', { roomId: 'general', userId: 'bob', minutes: 10, reason: 'Spam' })).ok,
    ).toBe(true);
    expect(await members('general')).toEqual(['ana']);
    expect(await bob.join('general')).toMatchObject({ ok: false, error: { code: 'BANNED' } });
    expect((await admin.request('room:mute', { roomId: 'general', userId: 'ana' })).ok).toBe(true);
    expect(await ana.rooms.get('general')?.send('hello?')).toMatchObject({ ok: false, error: { code: 'MUTED' } });
    const listed = await admin.request('room:restrictions', { roomId: 'general' });
    expect(listed).toEqual({
      ok: true,
      data: {
        bans: [{ userId: 'bob', until: expect.any(Number), reason: 'Spam', createdAt: expect.any(Number) }],
        mutes: [{ userId: 'ana', createdAt: expect.any(Number) }],
      },
    });

    expect((await admin.request('room:unban', { roomId: 'general', userId: 'bob' })).ok).toBe(true);
    expect((await admin.request('room:unmute', { roomId: 'general', userId: 'ana' })).ok).toBe(true);
    expect(await bob.join('general')).toMatchObject({ ok: true });
    expect(await ana.rooms.get('general')?.send('hello again')).toMatchObject({ ok: true });
    expect(await admin.request('room:restrictions', { roomId: 'general' })).toEqual({
      ok: true,
      data: { bans: [], mutes: [] },
    });
  });
});
