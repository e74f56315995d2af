// A chatwire server in a process of its own, so that a test can read what the server alone holds.
// Started by startMemoryProbe() with --expose-gc; answers each IPC message with its memory after a GC.
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer } from '@chatwire/server';
import { testContract } from './test-contract.js';

const send = (message: unknown) => process.send?.(message);
const httpServer = createHttpServer();
createServer(testContract, { httpServer, authenticate: ({ auth }) => ({ userId: auth.userId }) });
httpServer.listen(0, '127.0.0.1', () => send({ port: (httpServer.address() as AddressInfo).port }));
process.on('message', () => {
  globalThis.gc?.();
  const { heapUsed, external, rss } = process.memoryUsage();
  send({ heldBytes: heapUsed + external, rss });
});
process.on('disconnect', () => process.exit(0));
