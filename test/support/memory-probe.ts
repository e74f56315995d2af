import { fork } from 'node:child_process';
import { onTestFinished } from 'vitest';

/** What the probe server holds after a full GC: heap plus buffers (`external`), and its RSS. */
export interface ProbeMemory {
  heldBytes: number;
  rss: number;
}

/** Starts test/support/memory-probe-server.ts in a child process; killed when the test finishes. */
export async function startMemoryProbe() {
  const main = new URL('./memory-probe-server.ts', import.meta.url).pathname;
  const child = fork(main, {
    execArgv: ['--expose-gc', '--conditions=@chatwire/source', '--import', 'tsx'],
    env: { ...process.env, NODE_ENV: 'test' },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  onTestFinished(() => {
    child.kill('SIGKILL');
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message) => resolve((message as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`memory probe server exited (${code})`)));
  });
  const memory = () =>
    new Promise<ProbeMemory>((resolve) => {
      child.once('message', (message) => resolve(message as ProbeMemory));
      child.send('measure');
    });
  return { port, memory };
}
