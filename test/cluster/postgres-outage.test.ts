import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chatContract } from '@chatwire/protocol';
import { createChatServer } from '@chatwire/server';
import { devAuthenticator } from '@chatwire/server/dev';
import { PostgresStore } from '@chatwire/server/postgres';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createTestDatabase } from '../../packages/server/test/support/postgres.js';
import { chatClient, eventually, joinRoom } from '../chat-client/support.js';
import { startLoadBalancer } from '../support/cluster.js';
import { connectClient, connected } from '../support/harness.js';
import { expectComplete, storedTexts } from './support.js';

describe('PostgreSQL unavailable for a moment', { timeout: 60_000 }, () => {
  it('sends fail with a retryable error meanwhile and succeed after; nothing acked is lost', async () => {
    const database = await createTestDatabase();
    onTestFinished(() => database.drop());
    // The chat server reaches PostgreSQL through a proxy the test can cut.
    const url = new URL(database.url);
    const proxy = await startLoadBalancer([Number(url.port || 5432)]);
    url.port = String(proxy.port);
    const store = await PostgresStore.open({
      connectionString: url.toString(),
      poolConfig: { connectionTimeoutMillis: 500, query_timeout: 2000 },
    });
    const httpServer = createHttpServer();
    const chat = createChatServer({ httpServer, store, authenticate: devAuthenticator(), rateLimit: false });
    await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => chat.close());
    const serverUrl = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;

    const ana = await joinRoom(chatClient(serverUrl, 'ana'), 'r');
    const ben = await joinRoom(chatClient(serverUrl, 'ben'), 'r');
    expect((await ana.send('before')).ok).toBe(true);

    // A raw request during the outage sees the retryable error itself.
    const probe = connectClient(chatContract, serverUrl, { auth: { userId: 'probe', name: 'Probe' } });
    await connected(probe);
    expect((await probe.request('room:join', { roomId: 'r' })).ok).toBe(true);
    proxy.pause();
    const refused = await probe.request('message:send', { roomId: 'r', clientMessageId: 'p1', text: 'during' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE', retryAfterMs: expect.any(Number) } });

    // The chat client keeps such sends pending and retries them.
    const during = [ana.send('during 1'), ben.send('during 2')];
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(ana.messages.at(-1)).toMatchObject({ status: 'pending', text: 'during 1' });
    proxy.resume();
    expect((await Promise.all(during)).every((outcome) => outcome.ok)).toBe(true);
    expect((await probe.request('message:send', { roomId: 'r', clientMessageId: 'p1', text: 'during' })).ok).toBe(true);

    const history = await storedTexts(database.url, 'r');
    expect([...history].sort()).toEqual(['before', 'during', 'during 1', 'during 2']);
    await eventually(() => expectComplete([ana, ben], history), 10_000);
  });
});
