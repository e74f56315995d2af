import { chatContract } from '@chatwire/protocol';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { eventually } from '../chat-client/support.js';
import { startRedis } from '../support/cluster.js';
import { connectClient, connected, sleep } from '../support/harness.js';
import type { IpcAnswer, IpcOperation } from '../support/ipc-chat-node.js';
import { startIpcNode } from '../support/ipc-node.js';

type IpcNode = Awaited<ReturnType<typeof startIpcNode>>;

/** Every call that goes through the Redis adapter: the chat server's own and socket.io's escape hatch. */
const OPERATIONS: IpcOperation[] = [
  { op: 'disconnectUser', userId: 'nobody' },
  { op: 'members', roomId: 'r' },
  { op: 'roomEmit', roomId: 'r' },
  { op: 'emitWithAck', timeoutMs: 300 },
  { op: 'fetchSockets' },
  { op: 'socketsJoin', room: 'extra' },
  { op: 'serverSideEmit' },
  { op: 'serverSideEmitWithAck' },
];

/** Runs every operation on both nodes at once: the answers by operation, node a's first. */
async function everyOperation(nodes: IpcNode[]): Promise<Record<string, IpcAnswer[]>> {
  const answers: Record<string, IpcAnswer[]> = {};
  await Promise.all(
    OPERATIONS.map(async (operation) => {
      answers[operation.op] = await Promise.all(nodes.map((node) => node.call(operation)));
    }),
  );
  return answers;
}

/** The calls the chat server documents as answering `UNAVAILABLE` while Redis is away (or cannot take writes). */
function expectUnavailable(answers: Record<string, IpcAnswer[]>, ops: string[]): void {
  for (const op of ops) {
    for (const answer of answers[op] ?? []) expect(answer, op).toMatchObject({ ok: false, code: 'UNAVAILABLE' });
  }
}

/** Waits until each node has logged a failed adapter command, then gives late rejections their turn. */
async function expectSurvived(nodes: IpcNode[], since: number[]): Promise<void> {
  await eventually(() => {
    nodes.forEach((node, i) => {
      expect(node.alive(), node.logged()).toBe(true);
      expect(node.logged().slice(since[i]), 'adapter failures are logged').toContain('Redis adapter');
    });
  }, 10_000);
  // ioredis fails queued commands on each failed reconnection (every 2 s at most): past two of them.
  await sleep(4500);
  for (const node of nodes) expect(node.alive(), node.logged()).toBe(true);
}

describe('Redis away while the adapter is in use', { timeout: 90_000 }, () => {
  it('no cluster-wide call crashes a node; the chat calls answer UNAVAILABLE; all work again after', async () => {
    const redis = await startRedis();
    const nodes = [await startIpcNode(redis.url), await startIpcNode(redis.url)];
    const [a, b] = nodes as [IpcNode, IpcNode];
    const [ana, ben] = [
      connectClient(chatContract, a.url, { auth: { userId: 'ana', name: 'Ana' } }),
      connectClient(chatContract, b.url, { auth: { userId: 'ben', name: 'Ben' } }),
    ];
    await Promise.all([connected(ana), connected(ben)]);
    for (const client of [ana, ben]) expect((await client.request('room:join', { roomId: 'r' })).ok).toBe(true);
    const everyoneThere = () =>
      eventually(async () => {
        for (const node of nodes) {
          expect(await node.call({ op: 'members', roomId: 'r' })).toEqual({ ok: true, value: ['ana', 'ben'] });
        }
      }, 20_000);
    await everyoneThere();

    // Writes paused: PUBSUB NUMSUB still answers, so requests go on to PUBLISH, which hangs.
    const admin = new Redis(redis.url);
    await admin.call('CLIENT', 'PAUSE', '60000', 'WRITE');
    let since = nodes.map((node) => node.logged().length);
    // Presence is read from Redis, which still answers reads: only the calls that must write fail.
    expectUnavailable(await everyOperation(nodes), ['disconnectUser']);
    await expectSurvived(nodes, since);
    await admin.call('CLIENT', 'UNPAUSE');
    admin.disconnect();
    await everyoneThere();

    const cat = connectClient(chatContract, a.url, { auth: { userId: 'cat', name: 'Cat' } });
    await connected(cat);
    await redis.stop();
    since = nodes.map((node) => node.logged().length);
    expectUnavailable(await everyOperation(nodes), ['disconnectUser', 'members']);
    // The other nodes could not be told, this one's sockets are gone all the same.
    const catGone = new Promise<void>((resolve) => cat.onStatus((status) => status === 'disconnected' && resolve()));
    expect(await a.call({ op: 'disconnectUser', userId: 'cat' })).toMatchObject({ ok: false, code: 'UNAVAILABLE' });
    await catGone;
    await expectSurvived(nodes, since);

    await redis.start();
    await everyoneThere();
    const answers = await everyOperation(nodes);
    expect(answers.fetchSockets).toEqual([
      { ok: true, value: 2 },
      { ok: true, value: 2 },
    ]);
    expect(answers.serverSideEmitWithAck).toEqual([
      { ok: true, value: 1 },
      { ok: true, value: 1 },
    ]);
    const benGone = new Promise<void>((resolve) => ben.onStatus((status) => status === 'disconnected' && resolve()));
    expect(await a.call({ op: 'disconnectUser', userId: 'ben' })).toEqual({ ok: true, value: null });
    await benGone;
    await eventually(async () => {
      expect(await a.call({ op: 'members', roomId: 'r' })).toEqual({ ok: true, value: ['ana'] });
    });
  });

  it('a node started while Redis is down stays up and joins the cluster once Redis is back', async () => {
    const redis = await startRedis();
    await redis.stop();
    const a = await startIpcNode(redis.url);
    // Its subscription to the adapter's channels failed.
    await eventually(() => {
      expect(a.alive(), a.logged()).toBe(true);
      expect(a.logged()).toMatch(/Redis adapter command failed","command":"subscribe/);
    }, 10_000);
    await sleep(4500);
    expect(a.alive(), a.logged()).toBe(true);

    await redis.start();
    const b = await startIpcNode(redis.url);
    const [ana, ben] = [
      connectClient(chatContract, a.url, { auth: { userId: 'ana', name: 'Ana' } }),
      connectClient(chatContract, b.url, { auth: { userId: 'ben', name: 'Ben' } }),
    ];
    await Promise.all([connected(ana), connected(ben)]);
    await eventually(async () => {
      for (const client of [ana, ben]) expect((await client.request('room:join', { roomId: 'r' })).ok).toBe(true);
    }, 20_000);
    // Node a's subscription was made again: each node's request reaches the other and is answered.
    await eventually(async () => {
      for (const node of [a, b]) expect(await node.call({ op: 'fetchSockets' })).toEqual({ ok: true, value: 2 });
    }, 20_000);
  });
});
