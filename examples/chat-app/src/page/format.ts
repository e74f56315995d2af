import { type ChatUser, MAX_MENTIONS } from '@chatwire/protocol';

/**
 * A user id from a display name: "Ana María" → "ana-maria". The same name in two tabs is the same
 * user (one presence entry, every tab gets the messages); undefined when nothing usable is left.
 */
export function slugify(name: string): string | undefined {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64);
  return slug === '' ? undefined : slug;
}

/**
 * A room id from what the user typed: "#Team Chat" → "team-chat". Room ids allow letters, digits
 * and `_ - . : @ #` only; undefined when nothing is left.
 */
export function toRoomId(name: string): string | undefined {
  const id = name
    .trim()
    .replace(/^#+/, '')
    .toLowerCase()
    .replace(/\s+/g, '-')
    .replace(/[^\w\-.:@#]/g, '')
    .slice(0, 128);
  return id === '' ? undefined : id;
}

/** "Ana is typing…", "Ana and Ben are typing…", "Ana, Ben and 2 others are typing…", or ''. */
export function typingText(users: readonly ChatUser[]): string {
  const [first, second] = users.map((user) => user.name);
  if (first === undefined) return '';
  if (second === undefined) return `${first} is typing…`;
  if (users.length === 2) return `${first} and ${second} are typing…`;
  const others = users.length - 2;
  return `${first}, ${second} and ${others} ${others === 1 ? 'other' : 'others'} are typing…`;
}

/** "14:05" today, "3 Mar 14:05" before. */
export function formatTime(ms: number, now = Date.now()): string {
  const date = new Date(ms);
  const time = date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  if (date.toDateString() === new Date(now).toDateString()) return time;
  return `${date.toLocaleDateString([], { day: 'numeric', month: 'short' })} ${time}`;
}

/**
 * The ids of the room's members a text mentions: `@` and their name or user id ("@Ana María",
 * "@ana-maria"), ignoring case, not inside a word or an e-mail address; each once, at most MAX_MENTIONS.
 */
export function mentionedIds(text: string, members: readonly ChatUser[]): string[] {
  const lower = text.toLowerCase();
  const literal = (value: string) => value.toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const ids: string[] = [];
  for (const member of members) {
    const names = [member.name, member.userId].filter((name) => name !== '').map(literal);
    if (names.some((name) => new RegExp(`(^|[^\\w@.])@${name}(?![\\w-])`, 'u').test(lower))) ids.push(member.userId);
    if (ids.length === MAX_MENTIONS) break;
  }
  return ids;
}
