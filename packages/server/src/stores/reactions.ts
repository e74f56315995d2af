import { ChatwireError } from '@chatwire/protocol';

/**
 * Adds `userId` to the users who reacted with `emoji`, or removes them (and the emoji when none are
 * left). A new emoji past `maxKeys` different ones is refused with `CONFLICT`.
 */
export function toggleReaction(
  reactions: Record<string, string[]>,
  emoji: string,
  userId: string,
  maxKeys: number,
): void {
  const known = Object.hasOwn(reactions, emoji);
  if (!known && Object.keys(reactions).length >= maxKeys) {
    throw new ChatwireError('CONFLICT', `A message takes at most ${maxKeys} different reactions`);
  }
  const users = known ? (reactions[emoji] ?? []) : [];
  const next = users.includes(userId) ? users.filter((id) => id !== userId) : [...users, userId];
  if (next.length === 0) delete reactions[emoji];
  else reactions[emoji] = next;
}

/** The same toggle on reactions kept as JSON text (the SQL stores). */
export function toggledReactionsJson(json: string, emoji: string, userId: string, maxKeys: number): string {
  const reactions = JSON.parse(json) as Record<string, string[]>;
  toggleReaction(reactions, emoji, userId, maxKeys);
  return JSON.stringify(reactions);
}
