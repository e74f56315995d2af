import { createTutorialServer } from './server.js';

const port = Number(process.env.PORT ?? 3000);
const app = await createTutorialServer({ logger: console });
const listening = await app.listen(port);
console.info(`tutorial chat on http://localhost:${listening}`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    app.close().then(() => process.exit(0));
  });
}
