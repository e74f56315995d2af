import { type ChildProcess, spawn } from 'node:child_process';
import { type AddressInfo, createConnection, createServer, type Server, type Socket } from 'node:net';
import { onTestFinished } from 'vitest';

/** A free TCP port on loopback (closed again before it is returned). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${what} did not come up within ${timeoutMs} ms`);
}

/** True when something accepts TCP connections on the port. */
export function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** A redis-server of the test's own on a free port; `stop()` kills it, `start()` brings it back. */
export async function startRedis() {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const redis = {
    port,
    url: `redis://127.0.0.1:${port}`,
    async start() {
      child = spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
        {
          stdio: 'ignore',
        },
      );
      await waitFor(() => canConnect(port), `redis-server on ${port}`);
    },
    async stop() {
      const running = child;
      child = undefined;
      if (running === undefined || running.exitCode !== null) return;
      const exited = new Promise((resolve) => running.once('exit', resolve));
      running.kill('SIGKILL');
      await exited;
    },
  };
  await redis.start();
  onTestFinished(() => redis.stop());
  return redis;
}

/**
 * A TCP load balancer on a free port: round-robin over the backends that accept a connection, so a
 * client that loses its node reconnects to another one (websocket transport: one TCP connection per
 * client, no stickiness needed).
 */
export async function startLoadBalancer(backends: number[]) {
  let next = 0;
  let paused = false;
  const connections = new Set<Socket>();
  /** Open upstream connections per backend port. */
  const open = new Map<number, number>();
  const server: Server = createServer((client) => {
    if (paused) return client.destroy();
    connections.add(client);
    client.on('close', () => connections.delete(client));
    client.on('error', () => client.destroy());
    const attempt = (tries: number) => {
      if (tries >= backends.length) return client.destroy();
      const port = backends[next++ % backends.length]!;
      let connected = false;
      const upstream = createConnection({ port, host: '127.0.0.1' });
      upstream.on('error', () => {
        upstream.destroy();
        // A backend that refuses (a dead node) is skipped; one that fails later drops its client.
        if (connected) client.destroy();
        else attempt(tries + 1);
      });
      upstream.once('connect', () => {
        connected = true;
        connections.add(upstream);
        open.set(port, (open.get(port) ?? 0) + 1);
        upstream.on('close', () => {
          connections.delete(upstream);
          open.set(port, (open.get(port) ?? 1) - 1);
          client.destroy();
        });
        client.on('close', () => upstream.destroy());
        client.pipe(upstream).pipe(client);
      });
    };
    attempt(0);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const close = () =>
    new Promise<void>((resolve) => {
      for (const socket of connections) socket.destroy();
      server.close(() => resolve());
    });
  onTestFinished(close);
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    close,
    /** How many client connections are open to the backend on `port` now. */
    connectionsTo: (backend: number) => open.get(backend) ?? 0,
    /** Cuts every connection and refuses new ones, like a backend going away. */
    pause() {
      paused = true;
      for (const socket of connections) socket.destroy();
    },
    resume() {
      paused = false;
    },
  };
}

/** What the demo node (examples/chat-app/src/main.ts) prints once it listens. */
const NODE_LISTENING = 'chatwire demo on http://';
/** How long a node may take to start before the test gives up on it: generous, it only catches a hang. */
export const NODE_START_MS = 120_000;

/** A chat demo node (examples/chat-app) as a child process; `kill()` sends SIGKILL. */
export async function startNode(env: Record<string, string>) {
  const port = await freePort();
  const main = new URL('../../examples/chat-app/src/main.ts', import.meta.url).pathname;
  const child = spawn(process.execPath, ['--conditions=@chatwire/source', '--import', 'tsx', main], {
    env: { ...process.env, ...env, PORT: String(port), NODE_ENV: 'test' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  // Resolves with the output when the node exits by itself or is killed: a crash is observable.
  const exited = new Promise<string>((resolve) => child.once('exit', () => resolve(output)));
  const kill = async (signal: NodeJS.Signals = 'SIGKILL') => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  };
  onTestFinished(() => kill());
  // Waits for the node to say it listens, or to exit (tsx compiling the sources on a loaded machine can
  // take long): the bound only catches a node that hangs.
  let bound: ReturnType<typeof setTimeout> | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      const said = () => {
        if (output.includes(NODE_LISTENING)) resolve();
      };
      child.stdout?.on('data', said);
      said();
      void exited.then(() => reject(new Error(`node exited (${child.exitCode ?? child.signalCode}):\n${output}`)));
      bound = setTimeout(
        () => reject(new Error(`chat node on ${port} did not say it listens within ${NODE_START_MS} ms:\n${output}`)),
        NODE_START_MS,
      );
    });
  } catch (error) {
    await kill();
    throw error;
  } finally {
    clearTimeout(bound);
  }
  return { port, url: `http://127.0.0.1:${port}`, kill, exited, output: () => output };
}
