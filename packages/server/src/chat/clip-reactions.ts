import { MAX_REACTION_USERS, type Message } from '@chatwire/protocol';

/**
 * The message as clients get it: per emoji at most {@link MAX_REACTION_USERS} user ids (the first to
 * react) and, for the emojis cut short, the full count in `reactionCounts`. The same object when
 * nothing is cut.
 */
export function clipReactions(message: Message): Message {
  if (!hasLongReaction(message.reactions)) return message;
  const entries = Object.entries(message.reactions);
  const reactions: Record<string, string[]> = {};
  const reactionCounts: Record<string, number> = {};
  for (const [emoji, users] of entries) {
    reactions[emoji] = users.slice(0, MAX_REACTION_USERS);
    if (users.length > MAX_REACTION_USERS) reactionCounts[emoji] = users.length;
  }
  return { ...message, reactions, reactionCounts };
}

/** Whether an emoji has more users than clients get (checked on every message sent: no copies made). */
function hasLongReaction(reactions: Record<string, string[]>): boolean {
  for (const emoji in reactions) {
    if (Object.hasOwn(reactions, emoji) && (reactions[emoji]?.length ?? 0) > MAX_REACTION_USERS) return true;
  }
  return false;
}
