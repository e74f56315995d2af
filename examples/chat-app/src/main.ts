import { redisCluster } from '@chatwire/server/redis';
import { createChatApp } from './server.js';
import { storeFromEnv } from './store-from-env.js';

const port = Number(process.env.PORT ?? 3000);
// Only this machine can connect unless HOST says otherwise (HOST=0.0.0.0 for every interface).
const host = process.env.HOST || '127.0.0.1';
if (!Number.isInteger(port) || port < 0 || port > 65535)
  throw new Error(`PORT must be a port number, not "${process.env.PORT}"`);
const { store, description } = await storeFromEnv(process.env, console);
// With REDIS_URL this node joins the others on the same Redis: fan-out, presence and limits across nodes.
const cluster = process.env.REDIS_URL ? redisCluster({ redis: process.env.REDIS_URL, logger: console }) : undefined;
const app = await createChatApp({
  store,
  logger: console,
  adminToken: process.env.ADMIN_TOKEN,
  webhookUrl: process.env.CHAT_WEBHOOK_URL || undefined,
  ...(cluster ? { adapter: cluster.adapter, presence: cluster.presence, limits: cluster.limits } : {}),
});
let listening: number;
try {
  listening = await app.listen(port, host);
} catch (error) {
  console.error(`cannot listen on ${host}:${port}:`, error instanceof Error ? error.message : error);
  await app.close();
  await cluster?.close();
  process.exit(1);
}
console.info(
  `chatwire demo on http://${urlHost(host)}:${listening} (store: ${description}${cluster ? `; cluster on ${process.env.REDIS_URL}` : ''})`,
);
console.warn('Development authentication: anyone can log in as anyone. Do not expose this demo as is.');

let closing = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (closing) {
      console.warn('forced exit');
      process.exit(1);
    }
    closing = true;
    console.info(`${signal}: closing connections and flushing the store…`);
    // chat.close() disconnects everyone, then flushes and closes the store.
    app
      .close()
      .then(() => cluster?.close())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          console.error('shutdown failed', error);
          process.exit(1);
        },
      );
  });
}

/** `host` as it goes in a URL: IPv6 addresses in brackets. */
function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
