import type { RoomMessage } from '@chatwire/client';
import type { ChatUser, ChatwireError, ErrorPayload, Message } from '@chatwire/protocol';

/**
 * How times are shown: a `timeZone` for `Intl.DateTimeFormat` (tests pin it). @default the machine's
 *
 * @example
 * ```ts
 * const options: FormatOptions = { timeZone: 'Europe/Paris' };
 * console.log(formatTime(Date.now(), options)); // '09:05'
 * ```
 */
export interface FormatOptions {
  timeZone?: string;
}

// C0 and C1 control characters (escape sequences among them), DEL, and the bidi overrides and
// isolates: another user's text must not move the cursor, recolour the terminal or reorder the line.
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are exactly what must go
const unsafe = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Makes a string another user wrote safe to print: each control character (escape, carriage return,
 * newline…) becomes the visible `\xNN` / `\uNNNN` form, so it can neither drive the terminal nor fake
 * a line of output.
 * @example sanitize('hi\u001b[2J') // 'hi\\x1b[2J'
 */
export function sanitize(text: string): string {
  return text.replace(unsafe, (char) => {
    const code = char.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/**
 * `HH:MM` of a time in ms since the epoch, 24-hour, in the machine's time zone unless given.
 * @example formatTime(Date.UTC(2026, 0, 1, 9, 5), { timeZone: 'UTC' }) // '09:05'
 */
export function formatTime(ms: number, options: FormatOptions = {}): string {
  return new Intl.DateTimeFormat('en-GB', {
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    ...(options.timeZone === undefined ? {} : { timeZone: options.timeZone }),
  }).format(ms);
}

/** `Ana` for a user. */
function who(user: ChatUser): string {
  return sanitize(user.name);
}

function roomTag(roomId: string): string {
  return `#${sanitize(roomId)}`;
}

/**
 * One message as a line: `09:05 #lobby Ana: hello`; a system message `09:05 #lobby [system] text`;
 * a deleted one `09:05 #lobby Ana: (deleted)`; an edited one ends with `(edited)`; our own sends
 * not stored yet end with `(sending…)`, refused ones with `(not sent: CODE)`.
 * @example formatMessage(message) // '09:05 #lobby Ana: hello'
 */
export function formatMessage(message: Message | RoomMessage, options: FormatOptions = {}): string {
  const head = `${formatTime(message.createdAt, options)} ${roomTag(message.roomId)}`;
  if ('status' in message && message.status !== 'sent') {
    const state = message.status === 'pending' ? '(sending…)' : `(not sent: ${message.error?.code ?? 'UNKNOWN'})`;
    return `${head} ${who(message.author)}: ${sanitize(message.text)} ${state}`;
  }
  const stored = message as Message;
  if (stored.deletedAt !== undefined) return `${head} ${who(stored.author)}: (deleted)`;
  const text = sanitize(stored.text);
  const edited = stored.editedAt === undefined ? '' : ' (edited)';
  if (stored.system === true) return `${head} [system] ${text}${edited}`;
  return `${head} ${who(stored.author)}: ${text}${edited}`;
}

/** Emoji and how many reacted with it: `👍 2, 🎉 1`. */
function reactionSummary(message: Message): string {
  const counts = Object.entries(message.reactions).map(
    ([emoji, users]) => `${sanitize(emoji)} ${message.reactionCounts?.[emoji] ?? users.length}`,
  );
  return counts.length === 0 ? 'none' : counts.join(', ');
}

/**
 * A change to a message already shown (the room's `updated` event), as a line that says what changed:
 * `09:07 #lobby Ana deleted a message from 09:05`, `09:07 #lobby Ana edited: new text`, or the
 * reactions now on it: `#lobby reactions on Ana's message from 09:05: 👍 2`.
 *
 * @example
 * ```ts
 * room.on('updated', (message) => console.log(formatUpdate(message)));
 * ```
 */
export function formatUpdate(message: Message, options: FormatOptions = {}): string {
  const sent = formatTime(message.createdAt, options);
  const at = formatTime(message.updatedAt ?? message.createdAt, options);
  const room = roomTag(message.roomId);
  if (message.deletedAt !== undefined) return `${at} ${room} ${who(message.author)} deleted a message from ${sent}`;
  // An edit stamps both times alike; a later change (a reaction) moves only updatedAt.
  if (message.editedAt !== undefined && message.editedAt === message.updatedAt) {
    return `${at} ${room} ${who(message.author)} edited (${sent}): ${sanitize(message.text)}`;
  }
  return `${at} ${room} reactions on ${who(message.author)}'s message from ${sent}: ${reactionSummary(message)}`;
}

/**
 * The members list as a line: `#lobby: 2 members: Ana (ana), Ben (ben)`, and how many the server
 * left out of a very large room's list.
 *
 * @example
 * ```ts
 * formatMembers('lobby', [{ userId: 'ana', name: 'Ana' }]); // '#lobby: 1 member: Ana (ana)'
 * ```
 */
export function formatMembers(roomId: string, members: readonly ChatUser[], total = members.length): string {
  const names = members.map((user) => `${who(user)} (${sanitize(user.userId)})`).join(', ');
  const more = total > members.length ? ` and ${total - members.length} more` : '';
  return `${roomTag(roomId)}: ${total} member${total === 1 ? '' : 's'}: ${names}${more}`;
}

/**
 * Who came and went between two member lists (the room's `presence` event gives the whole list):
 * `#lobby: Ben joined`, `#lobby: Ben left`, one line each.
 *
 * @example
 * ```ts
 * const lines = presenceLines('lobby', [ana], [ana, ben]); // ['#lobby: Ben joined']
 * ```
 */
export function presenceLines(roomId: string, before: readonly ChatUser[], after: readonly ChatUser[]): string[] {
  const had = new Set(before.map((user) => user.userId));
  const has = new Set(after.map((user) => user.userId));
  return [
    ...after.filter((user) => !had.has(user.userId)).map((user) => `${roomTag(roomId)}: ${who(user)} joined`),
    ...before.filter((user) => !has.has(user.userId)).map((user) => `${roomTag(roomId)}: ${who(user)} left`),
  ];
}

/**
 * `#lobby: Ben is typing…`, `#lobby: Ben and Cy are typing…`, `#lobby: 4 people are typing…`; undefined for nobody.
 *
 * @example
 * ```ts
 * formatTyping('lobby', [{ userId: 'ben', name: 'Ben' }]); // '#lobby: Ben is typing…'
 * ```
 */
export function formatTyping(roomId: string, users: readonly ChatUser[]): string | undefined {
  const names = users.map(who);
  if (names.length === 0) return undefined;
  if (names.length === 1) return `${roomTag(roomId)}: ${names[0]} is typing…`;
  if (names.length <= 3) return `${roomTag(roomId)}: ${names.slice(0, -1).join(', ')} and ${names.at(-1)} are typing…`;
  return `${roomTag(roomId)}: ${names.length} people are typing…`;
}

/**
 * A refusal as a line: `! NOT_MEMBER: Join the room first`.
 *
 * @example
 * ```ts
 * formatError({ code: 'NOT_MEMBER', message: 'Join the room first' }); // '! NOT_MEMBER: Join the room first'
 * ```
 */
export function formatError(error: ErrorPayload | ChatwireError): string {
  return `! ${error.code}: ${sanitize(error.message)}`;
}

/**
 * What `/help` prints.
 *
 * @example
 * ```ts
 * if (line === '/help') console.log(helpText);
 * ```
 */
export const helpText = `Commands:
  /join ROOM      join a room and make it the current one
  /leave [ROOM]   leave a room (the current one by default)
  /rooms          the rooms you are in (* marks the current one)
  /who            who is in the current room
  /history [N]    the last N messages of the current room (default 20, at most 500)
  /quit           disconnect and exit (Ctrl-D too)
  /help           this list
Any other line is sent to the current room.`;
