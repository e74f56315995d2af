import { createClient } from '@chatwire/client';
import { adminContract } from './admin-contract.js';

const usage = 'usage: ADMIN_TOKEN=… pnpm admin rooms | members <roomId> | kick <userId> | metrics';
const [command, argument] = process.argv.slice(2);
const token = process.env.ADMIN_TOKEN;
// ADMIN_URL for a demo elsewhere; else this machine's PORT, as `pnpm demo` listens.
const url = process.env.ADMIN_URL ?? `http://127.0.0.1:${process.env.PORT ?? 3000}/admin`;
if (!token) fail('Set ADMIN_TOKEN to the token the demo was started with');
if (
  !['rooms', 'members', 'kick', 'metrics'].includes(command ?? '') ||
  (!argument && /^(members|kick)$/.test(command ?? ''))
) {
  fail(usage);
}

const client = createClient(adminContract, url, { auth: { token }, reconnection: false });
try {
  await new Promise<void>((resolve, reject) => {
    const off = client.onStatus((status, error) => {
      if (status === 'connected') resolve();
      else if (status === 'disconnected') reject(error ?? new Error('disconnected'));
      else return;
      off();
    });
  });
} catch (error) {
  fail(`cannot connect to ${url}: ${error instanceof Error ? error.message : String(error)}`);
}
const result = await run(argument ?? '');
client.close();
if (!result.ok) fail(`${result.error.code}: ${result.error.message}`);
console.log(JSON.stringify(result.data, null, 2));

function run(argument: string) {
  switch (command) {
    case 'rooms':
      return client.request('rooms:list');
    case 'members':
      return client.request('room:members', { roomId: argument });
    case 'kick':
      return client.request('user:kick', { userId: argument });
    default:
      return client.request('metrics:get');
  }
}

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}
