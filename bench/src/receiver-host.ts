import { type ChildProcess, fork } from 'node:child_process';
import { withTimeout } from './support.js';

/** Fan-out receivers connected and counted in a child process (receiver-host-main.ts). */
export interface ReceiverHost {
  /** Deliveries the host has confirmed so far. */
  readonly total: number;
  /** Resolves once the host counted `total` deliveries; rejects after `timeoutMs` or when one was invalid. */
  until(total: number, timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

/** What the host answers over IPC. */
type HostMessage = { type: 'ready' } | { type: 'reached'; total: number } | { type: 'failed'; message: string };

/**
 * Forks a host that connects `count` receivers of `kind` (plain socket.io or typed chatwire clients)
 * to `url`, each joined to the fan-out room, and resolves once they are all in.
 */
export async function startReceiverHost(
  kind: 'baseline' | 'chatwire',
  url: string,
  count: number,
): Promise<ReceiverHost> {
  const main = new URL('./receiver-host-main.ts', import.meta.url).pathname;
  const child: ChildProcess = fork(main, [kind, url, String(count)], {
    execArgv: ['--expose-gc', '--conditions=@chatwire/source', '--import', 'tsx'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const next = (): Promise<HostMessage> =>
    new Promise((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`receiver host exited (${code})`));
      child.once('exit', onExit);
      child.once('message', (message) => {
        child.off('exit', onExit);
        resolve(message as HostMessage);
      });
    });
  const close = async (): Promise<void> => {
    if (child.exitCode === null) child.kill('SIGKILL');
  };
  try {
    const ready = await withTimeout(next(), 120_000, `${kind} receiver host did not connect ${count} receivers`);
    if (ready.type !== 'ready') throw new Error(`${kind} receiver host: ${JSON.stringify(ready)}`);
  } catch (error) {
    await close();
    throw error;
  }
  let total = 0;
  return {
    get total() {
      return total;
    },
    async until(target, timeoutMs) {
      const answer = next();
      child.send({ total: target, timeoutMs });
      const message = await answer;
      if (message.type !== 'reached') throw new Error(`${kind} receivers: ${JSON.stringify(message)}`);
      total = message.total;
    },
    close,
  };
}
