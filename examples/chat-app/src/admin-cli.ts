import { createClient } from '@chatwire/client';
import { adminContract } from './admin-contract.js';

const usage = `usage: ADMIN_TOKEN=… pnpm admin <command>
  rooms | members <roomId> | kick <userId> (every connection) | metrics
  room-kick <roomId> <userId> [reason]
  ban <roomId> <userId> [minutes] [reason] | unban <roomId> <userId>
  mute <roomId> <userId> [minutes] [reason] | unmute <roomId> <userId>
  restrictions <roomId> (bans and mutes in force)`;
const [command, argument, ...rest] = process.argv.slice(2);
/** How many arguments each command needs at least. */
const needs: Record<string, number> = {
  rooms: 0,
  members: 1,
  kick: 1,
  metrics: 0,
  'room-kick': 2,
  ban: 2,
  unban: 2,
  mute: 2,
  unmute: 2,
  restrictions: 1,
};
const token = process.env.ADMIN_TOKEN;
// ADMIN_URL for a demo elsewhere; else this machine's PORT, as `pnpm demo` listens.
const url = process.env.ADMIN_URL ?? `http://127.0.0.1:${process.env.PORT ?? 3000}/admin`;
if (!token) fail('Set ADMIN_TOKEN to the token the demo was started with');
const given = [argument, ...rest].filter((value) => value !== undefined).length;
if (command === undefined || !Object.hasOwn(needs, command) || given < (needs[command] ?? 0)) fail(usage);

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
  const [userId = '', ...words] = rest;
  const roomUser = { roomId: argument, userId };
  // ban/mute: [minutes] [reason…]; room-kick: [reason…]
  const minutes = /^\d+$/.test(words[0] ?? '') ? Number(words.shift()) : undefined;
  const reason = words.length > 0 ? words.join(' ') : undefined;
  const restriction = {
    ...roomUser,
    ...(minutes === undefined ? {} : { minutes }),
    ...(reason === undefined ? {} : { reason }),
  };
  switch (command) {
    case 'rooms':
      return client.request('rooms:list');
    case 'members':
      return client.request('room:members', { roomId: argument });
    case 'kick':
      return client.request('user:kick', { userId: argument });
    case 'room-kick': {
      const said = rest.slice(1).join(' ');
      return client.request('room:kick', { ...roomUser, ...(said === '' ? {} : { reason: said }) });
    }
    case 'ban':
      return client.request('room:ban', restriction);
    case 'unban':
      return client.request('room:unban', roomUser);
    case 'mute':
      return client.request('room:mute', restriction);
    case 'unmute':
      return client.request('room:unmute', roomUser);
    case 'restrictions':
      return client.request('room:restrictions', { roomId: argument });
    default:
      return client.request('metrics:get');
  }
}

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}
