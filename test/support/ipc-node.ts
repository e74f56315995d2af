import { fork } from 'node:child_process';
import { onTestFinished } from 'vitest';
import type { IpcAnswer, IpcOperation } from './ipc-chat-node.js';

/**
 * A chat node (ipc-chat-node.ts) in a child process on `redisUrl`: `call` runs an operation there;
 * `exited` resolves with the node's output if it exits, so a crash is observable; `logged` is what its
 * logger wrote (JSON lines).
 */
export async function startIpcNode(redisUrl: string) {
  const script = new URL('./ipc-chat-node.ts', import.meta.url).pathname;
  const child = fork(script, {
    execArgv: ['--conditions=@chatwire/source', '--import', 'tsx'],
    env: { ...process.env, REDIS_URL: redisUrl, NODE_ENV: 'test' },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<string>((resolve) =>
    child.once('exit', (code, signal) => resolve(`exit ${code ?? signal}\n${output}`)),
  );
  onTestFinished(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGKILL');
    await exited;
  });
  const port = await Promise.race([
    new Promise<number>((resolve) => {
      child.on('message', (message: { ready?: number }) => {
        if (message.ready !== undefined) resolve(message.ready);
      });
    }),
    exited.then((out) => Promise.reject(new Error(`node exited before it listened: ${out}`))),
  ]);
  let nextId = 0;
  const pending = new Map<number, (answer: IpcAnswer) => void>();
  child.on('message', ({ id, ...answer }: { id?: number } & IpcAnswer) => {
    if (id === undefined) return;
    pending.get(id)?.(answer as IpcAnswer);
    pending.delete(id);
  });
  return {
    url: `http://127.0.0.1:${port}`,
    exited,
    alive: () => child.exitCode === null && child.signalCode === null,
    logged: () => output,
    /** Runs `operation` on the node; rejects if the node dies first. */
    call(operation: IpcOperation): Promise<IpcAnswer> {
      const id = nextId++;
      const answered = new Promise<IpcAnswer>((resolve) => {
        pending.set(id, resolve);
        child.send({ id, ...operation });
      });
      return Promise.race([answered, exited.then((out) => Promise.reject(new Error(`node died: ${out}`)))]);
    },
  };
}
