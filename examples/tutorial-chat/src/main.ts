import { createTutorialServer } from './server.js';

const port = Number(process.env.PORT ?? 3000);
// Only this machine can connect unless HOST says otherwise (HOST=0.0.0.0 for every interface).
const host = process.env.HOST || '127.0.0.1';
const app = await createTutorialServer({ logger: console });
const listening = await app.listen(port, host);
console.info(`tutorial chat on http://${host.includes(':') ? `[${host}]` : host}:${listening}`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    app.close().then(() => process.exit(0));
  });
}
