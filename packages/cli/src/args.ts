import { parseArgs } from 'node:util';

/**
 * What `chatwire connect` was asked to do.
 *
 * @example
 * ```ts
 * const options: ConnectOptions = { url: 'http://localhost:3000', auth: { name: 'Ana', userId: 'ana' }, room: 'lobby' };
 * ```
 */
export interface ConnectOptions {
  /** The chat server, e.g. `http://localhost:3000`. */
  url: string;
  /** The handshake `auth`: `{ token }`, or `{ name, userId }` for a server with the dev authenticator. */
  auth: { token: string } | { name: string; userId: string };
  /** The room to join at once. */
  room?: string;
}

/**
 * The outcome of {@link parseCliArgs}: connect, print the usage, or a mistake to report (with the usage).
 *
 * @example
 * ```ts
 * const command: CliCommand = parseCliArgs(['connect', 'http://localhost:3000', '--name', 'Ana']);
 * if (command.kind === 'connect') console.log(command.options.url);
 * ```
 */
export type CliCommand =
  | { kind: 'connect'; options: ConnectOptions }
  | { kind: 'help' }
  | { kind: 'error'; message: string };

/**
 * What `chatwire --help` prints.
 *
 * @example
 * ```ts
 * if (command.kind === 'help') console.log(usage);
 * ```
 */
export const usage = `usage: chatwire connect URL (--name NAME [--user-id ID] | --token TOKEN) [--room ROOM]

  URL            the chat server, e.g. http://localhost:3000
  --name NAME    your name, for a server that trusts the name you give (the demo's dev login)
  --user-id ID   your user id with --name (default: the name in lower case)
  --token TOKEN  a token your server issued (sent as auth { token })
  --room ROOM    a room to join at once
  -h, --help     this help

Then type /help for the commands.`;

/**
 * Reads the command line (without `node` and the script): `connect URL` with its options.
 * @example parseCliArgs(['connect', 'http://localhost:3000', '--name', 'Ana'])
 */
export function parseCliArgs(argv: readonly string[]): CliCommand {
  let parsed: ReturnType<typeof parse>;
  try {
    // `pnpm start -- connect …` hands the script its `--` too.
    parsed = parse(argv[0] === '--' ? argv.slice(1) : argv);
  } catch (error) {
    return { kind: 'error', message: error instanceof Error ? error.message : String(error) };
  }
  const { values, positionals } = parsed;
  if (values.help === true) return { kind: 'help' };
  const [command, url, ...extra] = positionals;
  if (command === undefined) return { kind: 'help' };
  if (command !== 'connect') return { kind: 'error', message: `Unknown command "${command}"` };
  if (url === undefined) return { kind: 'error', message: 'connect needs the server URL' };
  if (extra.length > 0) return { kind: 'error', message: `Unexpected argument "${extra[0]}"` };
  if (!/^(https?|wss?):\/\//i.test(url)) return { kind: 'error', message: `"${url}" is not an http(s) URL` };
  const { name, token, room } = values;
  const userId = values['user-id'];
  if (token !== undefined && (name !== undefined || userId !== undefined)) {
    return { kind: 'error', message: 'Give either --token or --name, not both' };
  }
  if (token === undefined && name === undefined) return { kind: 'error', message: 'Give --name or --token' };
  const auth =
    token !== undefined ? { token } : { name: name as string, userId: userId ?? (name as string).toLowerCase() };
  return { kind: 'connect', options: { url, auth, ...(room === undefined ? {} : { room }) } };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      name: { type: 'string' },
      'user-id': { type: 'string' },
      token: { type: 'string' },
      room: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
