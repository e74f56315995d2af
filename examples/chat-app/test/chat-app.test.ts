import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChatClient, ChatRoom } from '@chatwire/client';
import type { ChatUser, Message } from '@chatwire/protocol';
import { MemoryStore } from '@chatwire/server';
import { SqliteStore } from '@chatwire/server/sqlite';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { nextValue } from '../../../test/support/harness.js';
import type { DemoContract } from '../src/chat-contract.js';
import { createChatApp } from '../src/server.js';
import { DEFAULT_DB_PATH, storeFromEnv } from '../src/store-from-env.js';
import { startApp, user } from './support.js';

const exampleDir = fileURLToPath(new URL('..', import.meta.url));

async function joinRoom(chat: ChatClient<DemoContract>, roomId: string): Promise<ChatRoom<DemoContract>> {
  const joined = await chat.join(roomId);
  if (!joined.ok) throw new Error(`join refused: ${joined.error.code} ${joined.error.message}`);
  return joined.data;
}

const names = (users: readonly ChatUser[]) => users.map((u) => u.name).sort();
const texts = (room: ChatRoom<DemoContract>) =>
  room.messages.map((m) => (m.status === 'sent' ? m.text : `${m.text} (${m.status})`));

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'chat-app-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Runs src/main.ts (what `pnpm demo` runs once the page is built); resolves once it listens, with where it says. */
async function runMain(
  env: Record<string, string>,
): Promise<{ child: ChildProcessWithoutNullStreams; url: string; announced: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=@chatwire/source', 'src/main.ts'], {
    cwd: exampleDir,
    env: { ...process.env, ...env },
  });
  onTestFinished(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  let output = '';
  const [announced, port] = await new Promise<[string, string]>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /on (http:\/\/\S+:(\d+))/.exec(output);
      if (match?.[1] !== undefined && match[2] !== undefined) resolve([match[1], match[2]]);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('exit', (code) => reject(new Error(`main.ts exited (${code}) before listening:\n${output}`)));
  });
  return { child, url: `http://127.0.0.1:${port}`, announced };
}

/** SIGTERM, as `docker stop` or Ctrl-C would; resolves with the exit code. */
function stop(child: ChildProcessWithoutNullStreams): Promise<number | null> {
  return new Promise((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}

describe('chat app, end to end (no browser)', () => {
  it('two users join general, see each other, type, chat, react, edit and delete', async () => {
    const { url } = await startApp();
    const [ana, ben] = [user(url, 'Ana'), user(url, 'Ben')];
    const anaRoom = await joinRoom(ana, 'general');
    const benRoom = await joinRoom(ben, 'general');
    await vi.waitFor(() => expect(names(anaRoom.members)).toEqual(['Ana', 'Ben']));
    expect(names(benRoom.members)).toEqual(['Ana', 'Ben']);

    const benSeesTyping = nextValue<ChatUser[]>((fn) => benRoom.on('typing', fn));
    anaRoom.setTyping(true);
    expect(names(await benSeesTyping)).toEqual(['Ana']);

    const atBen = nextValue<Message>((fn) => benRoom.on('message', fn));
    const sent = await anaRoom.send('hello Ben');
    expect(sent.ok).toBe(true);
    expect(await atBen).toMatchObject({ serial: 1, text: 'hello Ben', author: { name: 'Ana', userId: 'ana' } });
    // Storing the message clears its author's typing flag everywhere.
    await vi.waitFor(() => expect(benRoom.typing).toEqual([]));

    const anaSeesTyping = nextValue<ChatUser[]>((fn) => anaRoom.on('typing', fn));
    benRoom.setTyping(true);
    expect(names(await anaSeesTyping)).toEqual(['Ben']);
    await benRoom.send('hi Ana');
    await vi.waitFor(() => expect(texts(anaRoom)).toEqual(['hello Ben', 'hi Ana']));
    expect(anaRoom.typing).toEqual([]);

    expect((await benRoom.react(1, '👍')).ok).toBe(true);
    expect((await anaRoom.edit(1, 'hello Ben (edited)')).ok).toBe(true);
    expect((await benRoom.delete(2)).ok).toBe(true);
    await vi.waitFor(() => {
      const [first, second] = anaRoom.messages;
      expect(first).toMatchObject({ text: 'hello Ben (edited)', reactions: { '👍': ['ben'] } });
      expect(first?.status === 'sent' && first.editedAt).toBeTypeOf('number');
      expect(second?.status === 'sent' && second.deletedAt).toBeTypeOf('number');
    });
    // Only the author may edit: the app keeps the server's default rules.
    expect(await benRoom.edit(1, 'not mine')).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });

    const left = nextValue<ChatUser[]>((fn) => anaRoom.on('presence', fn));
    await benRoom.leave();
    expect(names(await left)).toEqual(['Ana']);
  });

  it('listens on 127.0.0.1 unless told otherwise', async () => {
    const app = await createChatApp({ store: new MemoryStore() });
    await app.listen(0);
    onTestFinished(() => app.close());
    expect(app.httpServer.address()).toMatchObject({ address: '127.0.0.1' });
  });

  it('rooms are created by joining them, and keep their own history', async () => {
    const { url } = await startApp();
    const ana = user(url, 'Ana');
    const general = await joinRoom(ana, 'general');
    const random = await joinRoom(ana, 'random');
    await general.send('in general');
    await random.send('in random');
    expect(texts(general)).toEqual(['in general']);
    expect(texts(random)).toEqual(['in random']);
    const ben = user(url, 'Ben');
    expect(texts(await joinRoom(ben, 'random'))).toEqual(['in random']);
  });

  it('serves the page and its bundle with a strict Content-Security-Policy', async () => {
    const { url } = await startApp();
    const page = await fetch(url);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    // The page as Vite built it: its script is a hashed asset.
    const src = /<script type="module" crossorigin src="(\/assets\/index-[\w-]+\.js)">/.exec(await page.text())?.[1];
    const script = await fetch(`${url}${src}`);
    expect(script.headers.get('content-type')).toMatch(/text\/javascript/);
    expect(script.headers.get('cache-control')).toContain('immutable');
    const code = await script.text();
    expect(code.length).toBeGreaterThan(10_000);
    expect(code).not.toContain('innerHTML');
    expect((await fetch(`${url}/nope`)).status).toBe(404);
  });

  it('main.ts: SQLite by default, history survives a graceful restart on the same file', async () => {
    const dbPath = join(tempDir(), 'nested', 'chat.db');
    const env = { PORT: '0', CHAT_DB: dbPath, HOST: '' };

    const first = await runMain(env);
    // Only this machine can connect unless HOST says otherwise.
    expect(first.announced).toBe(first.url);
    const ana = user(first.url, 'Ana');
    const room = await joinRoom(ana, 'general');
    for (const text of ['one', 'two', 'three']) expect((await room.send(text)).ok).toBe(true);
    expect((await room.edit(2, 'two, edited')).ok).toBe(true);
    ana.close();
    expect(await stop(first.child)).toBe(0);
    expect(existsSync(dbPath)).toBe(true);

    const second = await runMain(env);
    const again = await joinRoom(user(second.url, 'Ben'), 'general');
    expect(texts(again)).toEqual(['one', 'two, edited', 'three']);
    expect(again.messages.map((m) => (m.status === 'sent' ? m.serial : 0))).toEqual([1, 2, 3]);
    expect(await stop(second.child)).toBe(0);
  });

  it('createChatApp keeps history in a SqliteStore across a close and a restart', async () => {
    const path = join(tempDir(), 'chat.db');
    const first = await createChatApp({ store: new SqliteStore({ path }) });
    const firstUrl = `http://127.0.0.1:${await first.listen(0, '127.0.0.1')}`;
    const room = await joinRoom(user(firstUrl, 'Ana'), 'general');
    await room.send('kept');
    await first.close();

    const second = await createChatApp({ store: new SqliteStore({ path }) });
    onTestFinished(() => second.close());
    const secondUrl = `http://127.0.0.1:${await second.listen(0, '127.0.0.1')}`;
    expect(texts(await joinRoom(user(secondUrl, 'Ana'), 'general'))).toEqual(['kept']);
  });

  it('storeFromEnv: SQLite at CHAT_DB (folder created) or data/chat.db, memory with CHAT_STORE=memory', async () => {
    const dbPath = join(tempDir(), 'deep', 'er', 'chat.db');
    const sqlite = await storeFromEnv({ CHAT_DB: dbPath });
    onTestFinished(() => sqlite.store.close());
    expect(sqlite.store).toBeInstanceOf(SqliteStore);
    expect(sqlite.description).toBe(`SQLite at ${dbPath}`);
    expect(existsSync(dbPath)).toBe(true);

    expect((await storeFromEnv({ CHAT_STORE: 'memory' })).store).toBeInstanceOf(MemoryStore);
    await expect(storeFromEnv({ CHAT_STORE: 'mongo' })).rejects.toThrow(/CHAT_STORE must be/);
    expect(DEFAULT_DB_PATH).toBe(join(exampleDir, 'data', 'chat.db'));
  });
});
