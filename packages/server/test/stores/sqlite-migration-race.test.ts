import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '@chatwire/server/sqlite';
import Database from 'better-sqlite3';
import { describe, expect, it, onTestFinished } from 'vitest';

const script = new URL('./fixtures/open-sqlite-store.ts', import.meta.url).pathname;

/** A process that opens a SqliteStore on `path`; `opening` resolves when it is about to. */
function opener(path: string) {
  const child = spawn(process.execPath, ['--conditions=@chatwire/source', '--import', 'tsx', script, path], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  onTestFinished(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  let output = '';
  let signalOpening: () => void = () => {};
  const opening = new Promise<void>((resolve) => {
    signalOpening = resolve;
  });
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
    if (output.includes('opening')) signalOpening();
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise<{ code: number | null; output: string }>((resolve) =>
    child.once('exit', (code) => resolve({ code, output })),
  );
  return { opening, exited };
}

describe('SqliteStore opened by two processes at once on a new file', { timeout: 60_000 }, () => {
  it('migrates once: both open, and the schema is the latest', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'chatwire-sqlite-race-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    const path = join(dir, 'chat.db');

    // The gate: a third connection holds the write lock, so both processes get only as far as reading
    // the schema version before they queue for the lock.
    const gate = new Database(path);
    onTestFinished(() => {
      if (gate.open) gate.close();
    });
    gate.pragma('journal_mode = WAL');
    gate.exec('BEGIN IMMEDIATE');
    const racers = [opener(path), opener(path)];
    await Promise.all(racers.map((racer) => racer.opening));
    // Let both reach the lock (what they do before it takes no I/O wait).
    await new Promise((resolve) => setTimeout(resolve, 500));
    gate.exec('COMMIT');
    gate.close();

    const results = await Promise.all(racers.map((racer) => racer.exited));
    for (const result of results) expect(result).toMatchObject({ code: 0, output: expect.stringContaining('opened') });
    const store = new SqliteStore({ path });
    onTestFinished(() => store.close());
    const author = { userId: 'a', name: 'A' };
    await store.append({ roomId: 'r', clientMessageId: 'c', author, text: 't', createdAt: 1 });
    await store.edit('r', 1, 'edited', 5);
    expect((await store.updatedSince('r', 0, 10)).map((m) => m.text)).toEqual(['edited']);
  });
});
