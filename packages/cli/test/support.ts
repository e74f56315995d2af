import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { type ChatClient, type ChatRoom, createChatClient } from '@chatwire/client';
import { type ChatAuthenticator, createChatServer, MemoryStore, type Store } from '@chatwire/server';
import { devAuthenticator } from '@chatwire/server/dev';
import { expect, onTestFinished } from 'vitest';

const packageDir = fileURLToPath(new URL('../', import.meta.url));

/**
 * A chat server on 127.0.0.1, port 0 (dev authenticator and a MemoryStore unless given); closed when
 * the test finishes.
 */
export async function startChat({
  authenticate = devAuthenticator(),
  store = new MemoryStore(),
}: {
  authenticate?: ChatAuthenticator;
  store?: Store;
} = {}) {
  const httpServer = createHttpServer();
  const chat = createChatServer({ httpServer, store, authenticate });
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => chat.close());
  const { port } = httpServer.address() as AddressInfo;
  return { chat, url: `http://127.0.0.1:${port}` };
}

/** A ChatClient logged in (dev auth) as `name`, its userId the name in lower case; closed when the test finishes. */
export function user(url: string, name: string): ChatClient {
  const chat = createChatClient(url, {
    auth: { name, userId: name.toLowerCase() },
    transports: ['websocket'],
    reconnection: false,
  });
  onTestFinished(() => chat.close());
  return chat;
}

/** Joins `roomId` or fails the test. */
export async function joinRoom(chat: ChatClient, roomId: string): Promise<ChatRoom> {
  const joined = await chat.join(roomId);
  if (!joined.ok) throw new Error(`join ${roomId}: ${joined.error.code} ${joined.error.message}`);
  return joined.data;
}

/** How long a test waits for a line before failing with everything the CLI printed. */
const WAIT_MS = 15_000;

/** Lines a stream printed, and waits for the next one that matches. */
class Lines {
  readonly all: string[] = [];
  /** Lines before this index were matched or passed over by an earlier wait. */
  private seen = 0;
  private partial = '';
  private waiters: (() => void)[] = [];

  constructor(stream: NodeJS.ReadableStream) {
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const parts = (this.partial + chunk).split('\n');
      this.partial = parts.pop() ?? '';
      this.all.push(...parts);
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  /** Resolves with the first line after the last match that matches `pattern`. */
  next(pattern: RegExp | string, describe: () => string): Promise<string> {
    const matches = (line: string) => (typeof pattern === 'string' ? line.includes(pattern) : pattern.test(line));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`No line matched ${String(pattern)} within ${WAIT_MS} ms.\n${describe()}`)),
        WAIT_MS,
      );
      const check = () => {
        for (; this.seen < this.all.length; this.seen++) {
          const line = this.all[this.seen] ?? '';
          if (matches(line)) {
            this.seen++;
            clearTimeout(timer);
            resolve(line);
            return;
          }
        }
        this.waiters.push(check);
      };
      check();
    });
  }
}

/** The `chatwire` bin, run from source (tsx, `@chatwire/source` condition) with these arguments. */
export function runCli(args: readonly string[]) {
  const child: ChildProcessWithoutNullStreams = spawn(
    process.execPath,
    ['--conditions=@chatwire/source', '--import', 'tsx', 'src/main.ts', ...args],
    // Times in UTC, whatever the machine's zone.
    { cwd: packageDir, env: { ...process.env, TZ: 'UTC' } },
  );
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const stdout = new Lines(child.stdout);
  const stderr = new Lines(child.stderr);
  const describe = () => `stdout:\n${stdout.all.join('\n')}\nstderr:\n${stderr.all.join('\n')}`;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    stdout,
    /** Types a line. */
    type(line: string): void {
      child.stdin.write(`${line}\n`);
    },
    /** Resolves with the next stdout line that matches. */
    line(pattern: RegExp | string): Promise<string> {
      return stdout.next(pattern, describe);
    },
    /** Resolves with the next stderr line that matches. */
    errorLine(pattern: RegExp | string): Promise<string> {
      return stderr.next(pattern, describe);
    },
    /** Resolves with the exit code (fails the test if the CLI does not exit in time). */
    async exitCode(): Promise<number | null> {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`The CLI did not exit.\n${describe()}`)), WAIT_MS);
      });
      try {
        return await Promise.race([exited, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** A CLI connected as `name` (dev auth), once it says so. */
export async function connectCli(url: string, name: string, extra: readonly string[] = []) {
  const cli = runCli(['connect', url, '--name', name, ...extra]);
  expect(await cli.line('Connected to')).toContain(`as ${name} (${name.toLowerCase()})`);
  return cli;
}
