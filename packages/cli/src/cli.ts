import { createInterface, type Interface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { type ChatClient, type ChatRoom, createChatClient } from '@chatwire/client';
import { type ChatUser, type ChatwireError, chatContract } from '@chatwire/protocol';
import { compileContract } from '@chatwire/protocol/compile';
import { type ConnectOptions, parseCliArgs, usage } from './args.js';
import {
  type FormatOptions,
  formatError,
  formatMembers,
  formatMessage,
  formatTyping,
  formatUpdate,
  helpText,
  presenceLines,
  sanitize,
} from './format.js';

/**
 * Where {@link runCli} reads and writes; the process's own streams by default.
 *
 * @example
 * ```ts
 * const io: CliIO = { input: process.stdin, output: process.stdout, error: process.stderr, format: { timeZone: 'UTC' } };
 * process.exitCode = await runCli(process.argv.slice(2), io);
 * ```
 */
export interface CliIO {
  input: Readable;
  output: Writable & { isTTY?: boolean };
  /** Usage mistakes and fatal errors. */
  error: Writable;
  /** How times are shown. */
  format?: FormatOptions;
}

/**
 * Most messages `/history` shows at once.
 *
 * @example
 * ```ts
 * const count = Math.min(Number(arg), MAX_HISTORY); // /history 9999 shows 500
 * ```
 */
export const MAX_HISTORY = 500;
const DEFAULT_HISTORY = 20;
/** How long quitting waits for the sends still on their way. */
const QUIT_WAIT_MS = 5000;

/**
 * Runs the `chatwire` command with these arguments (without `node` and the script); resolves with
 * the exit code: 0 after `/quit` or the end of input, 1 when the server refused or dropped us for
 * good, 2 for a usage mistake.
 * @example process.exitCode = await runCli(process.argv.slice(2));
 */
export async function runCli(argv: readonly string[], io: CliIO = processIO()): Promise<number> {
  const command = parseCliArgs(argv);
  if (command.kind === 'help') {
    io.output.write(`${usage}\n`);
    return 0;
  }
  if (command.kind === 'error') {
    io.error.write(`chatwire: ${command.message}\n\n${usage}\n`);
    return 2;
  }
  return new Session(command.options, io).run();
}

function processIO(): CliIO {
  return { input: process.stdin, output: process.stdout, error: process.stderr };
}

/** One connection: reads commands and lines, prints what happens in the joined rooms. */
class Session {
  private readonly chat: ChatClient;
  private readonly rl: Interface;
  private readonly tty: boolean;
  private current: ChatRoom | undefined;
  /** The member list last shown per room, to tell who came and went. */
  private readonly shownMembers = new Map<ChatRoom, readonly ChatUser[]>();
  /** The typing line last shown per room: printed again only when it changes. */
  private readonly shownTyping = new Map<ChatRoom, string | undefined>();
  /** Commands run one after another, in the order typed. */
  private queue: Promise<void>;
  private connectedOnce = false;
  /** Connected, or trying for the first time: a failure from here is a new outage to report. */
  private online = true;
  private finished = false;
  /** Sends not answered yet: `/quit` and the end of input wait for them (a while). */
  private readonly sending = new Set<Promise<void>>();
  private finish: (code: number) => void = () => {};

  constructor(
    private readonly options: ConnectOptions,
    private readonly io: CliIO,
  ) {
    this.tty = io.output.isTTY === true;
    // A Node client: the contract compiled once validates each event several times faster.
    this.chat = createChatClient(options.url, { contract: compileContract(chatContract), auth: options.auth });
    this.rl = createInterface({ input: io.input, output: io.output, terminal: this.tty });
    // Lines typed before the first connect wait for it.
    this.queue = this.chat.ready();
  }

  run(): Promise<number> {
    const done = new Promise<number>((resolve) => {
      this.finish = resolve;
    });
    this.listen();
    if (this.options.room !== undefined) this.enqueue(`/join ${this.options.room}`);
    this.rl.on('line', (line) => {
      // Before the first connect, nothing can have been sent: /quit need not wait for the connection.
      if (!this.connectedOnce && line.trim() === '/quit') this.quit(0);
      else this.enqueue(line);
    });
    // End of input (Ctrl-D, the end of a piped script): what came before it still runs, once connected.
    this.rl.on('close', () => {
      this.queue = this.queue.then(() => this.quitAfterSends());
    });
    // Ctrl-C quits at once, sends still on their way or not.
    this.rl.on('SIGINT', () => this.quit(0));
    // In a terminal, each keystroke but Enter says we are typing in the current room (throttled by the room).
    if (this.tty) {
      this.io.input.on('keypress', (_text: string | undefined, key: { name?: string } | undefined) => {
        if (key?.name !== 'return' && key?.name !== 'enter' && this.current?.joined) this.current.setTyping(true);
      });
    }
    return done;
  }

  private listen(): void {
    this.chat.on('session', (user) => {
      const again = this.connectedOnce;
      this.connectedOnce = true;
      this.print(
        again
          ? `Reconnected as ${sanitize(user.name)} (${sanitize(user.userId)}).`
          : `Connected to ${this.options.url} as ${sanitize(user.name)} (${sanitize(user.userId)}). /help lists the commands.`,
      );
    });
    this.chat.on('status', (status, error) => {
      // Once per outage, not at every attempt.
      if (status === 'reconnecting' && this.online) {
        const what = this.connectedOnce ? 'Connection lost' : `Cannot reach ${this.options.url} yet`;
        this.print(`${what}${reason(error)}; trying again…`);
      }
      this.online = status === 'connected' || status === 'connecting';
      if (status === 'disconnected') {
        const what = this.connectedOnce ? 'Disconnected' : `Cannot connect to ${this.options.url}`;
        this.io.error.write(`chatwire: ${what}${reason(error)}\n`);
        this.quit(1);
      }
    });
  }

  private enqueue(line: string): void {
    this.queue = this.queue.then(() => (this.finished ? undefined : this.handle(line.trim())));
  }

  private async handle(line: string): Promise<void> {
    if (line === '') return;
    if (!line.startsWith('/')) return this.send(line);
    const [command = '', ...args] = line.slice(1).split(/\s+/);
    switch (command) {
      case 'join':
        return args[0] === undefined || args.length > 1 ? this.print('! Usage: /join ROOM') : this.join(args[0]);
      case 'leave':
        return args.length > 1 ? this.print('! Usage: /leave [ROOM]') : this.leave(args[0]);
      case 'rooms':
        return this.listRooms();
      case 'who':
        return this.who();
      case 'history':
        return args.length > 1 ? this.print('! Usage: /history [N]') : this.history(args[0]);
      case 'quit':
        return this.quitAfterSends();
      case 'help':
        return this.print(helpText);
      default:
        return this.print(`! Unknown command /${sanitize(command)}; /help lists them`);
    }
  }

  private send(text: string): void {
    const room = this.current;
    if (room === undefined) {
      this.print('! Join a room first: /join ROOM');
      return;
    }
    // Not awaited: a send waits out reconnects, and the next line must not wait for it.
    const sending = room.send(text).then((sent) => {
      if (!sent.ok) this.print(`${formatError(sent.error)} (not sent to #${sanitize(room.id)})`);
    });
    this.sending.add(sending);
    void sending.finally(() => this.sending.delete(sending));
  }

  private async join(roomId: string): Promise<void> {
    const joined = await this.chat.join(roomId);
    if (!joined.ok) return this.print(formatError(joined.error));
    const room = joined.data;
    this.watch(room);
    this.current = room;
    this.print(`Joined ${formatMembers(room.id, room.members, room.memberCount)}`);
    this.prompt();
  }

  private async leave(roomId: string | undefined): Promise<void> {
    const room = roomId === undefined ? this.current : this.chat.rooms.get(roomId);
    if (room === undefined)
      return this.print(roomId === undefined ? '! No current room' : `! Not in #${sanitize(roomId)}`);
    this.forget(room);
    const left = await room.leave();
    this.print(left.ok ? `Left #${sanitize(room.id)}` : formatError(left.error));
  }

  private listRooms(): void {
    if (this.chat.rooms.size === 0) {
      this.print('No rooms joined: /join ROOM');
      return;
    }
    for (const room of this.chat.rooms.values()) {
      const mark = room === this.current ? '*' : ' ';
      this.print(`${mark} #${sanitize(room.id)} (${room.memberCount} member${room.memberCount === 1 ? '' : 's'})`);
    }
  }

  private who(): void {
    const room = this.current;
    if (room === undefined) {
      this.print('! Join a room first: /join ROOM');
      return;
    }
    this.print(formatMembers(room.id, room.members, room.memberCount));
  }

  private async history(count: string | undefined): Promise<void> {
    const room = this.current;
    if (room === undefined) return this.print('! Join a room first: /join ROOM');
    const wanted = count === undefined ? DEFAULT_HISTORY : Number(count);
    if (!Number.isInteger(wanted) || wanted < 1 || wanted > MAX_HISTORY) {
      return this.print(`! Usage: /history [N], N from 1 to ${MAX_HISTORY}`);
    }
    const stored = () => room.messages.filter((message) => message.status === 'sent').length;
    while (stored() < wanted && room.hasOlder) {
      const loaded = await room.loadOlder();
      if (!loaded.ok) return this.print(formatError(loaded.error));
    }
    const shown = room.messages.slice(-wanted);
    if (shown.length === 0) return this.print(`#${sanitize(room.id)}: no messages yet`);
    for (const message of shown) this.print(formatMessage(message, this.io.format));
  }

  /** Prints what happens in `room` from now on (once per room, however often it is joined). */
  private watch(room: ChatRoom): void {
    if (this.shownMembers.has(room)) return;
    this.shownMembers.set(room, room.members);
    room.on('message', (message) => this.print(formatMessage(message, this.io.format)));
    room.on('updated', (message) => this.print(formatUpdate(message, this.io.format)));
    room.on('presence', (members) => {
      for (const line of presenceLines(room.id, this.shownMembers.get(room) ?? [], members)) this.print(line);
      this.shownMembers.set(room, members);
    });
    room.on('typing', (users) => {
      const line = formatTyping(room.id, users);
      if (line !== undefined && line !== this.shownTyping.get(room)) this.print(line);
      this.shownTyping.set(room, line);
    });
    room.on('discontinuity', () =>
      this.print(`#${sanitize(room.id)}: missed too much while offline; /history reloads`),
    );
    room.on('left', (error) => {
      this.forget(room);
      this.print(`${formatError(error)} (left #${sanitize(room.id)})`);
    });
    room.on('removed', (removal) => {
      this.forget(room);
      const why = removal.reason === undefined ? '' : `: ${sanitize(removal.reason)}`;
      this.print(`#${sanitize(room.id)}: you were ${removal.kind === 'banned' ? 'banned' : 'removed'}${why}`);
    });
  }

  /** `room` is no longer ours: another joined room becomes the current one. */
  private forget(room: ChatRoom): void {
    // A later join of the same id makes a new ChatRoom, watched afresh.
    this.shownMembers.delete(room);
    this.shownTyping.delete(room);
    if (this.current !== room) return;
    this.current = [...this.chat.rooms.values()].find((other) => other !== room && other.joined);
    if (this.current !== undefined) this.print(`Now in #${sanitize(this.current.id)}`);
    this.prompt();
  }

  /** Quits once the sends on their way are answered, or after {@link QUIT_WAIT_MS} (what is left is lost). */
  private async quitAfterSends(): Promise<void> {
    if (this.sending.size > 0 && !this.finished) {
      this.print(`Sending ${this.sending.size} message${this.sending.size === 1 ? '' : 's'} before quitting…`);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const waited = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, QUIT_WAIT_MS);
      });
      await Promise.race([Promise.allSettled([...this.sending]), waited]);
      clearTimeout(timer);
    }
    this.quit(0);
  }

  private quit(code: number): void {
    if (this.finished) return;
    this.finished = true;
    this.chat.close();
    this.rl.close();
    this.finish(code);
  }

  private print(line: string): void {
    if (!this.tty) {
      this.io.output.write(`${line}\n`);
      return;
    }
    // Above what is being typed, which readline then draws again.
    this.io.output.write(`\r\u001b[K${line}\n`);
    if (!this.finished) this.rl.prompt(true);
  }

  private prompt(): void {
    if (!this.tty) return;
    this.rl.setPrompt(this.current === undefined ? '> ' : `#${sanitize(this.current.id)}> `);
    if (!this.finished) this.rl.prompt(true);
  }
}

function reason(error: ChatwireError | undefined): string {
  return error === undefined ? '' : ` (${error.code}: ${sanitize(error.message)})`;
}
