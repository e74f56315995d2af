/** Adds `userId` to the users who reacted with `emoji`, or removes them (and the emoji when none are left). */
export function toggleReaction(reactions: Record<string, string[]>, emoji: string, userId: string): void {
  const users = Object.hasOwn(reactions, emoji) ? (reactions[emoji] ?? []) : [];
  const next = users.includes(userId) ? users.filter((id) => id !== userId) : [...users, userId];
  if (next.length === 0) delete reactions[emoji];
  else reactions[emoji] = next;
}

/** The same toggle on reactions kept as JSON text (the SQL stores). */
export function toggledReactionsJson(json: string, emoji: string, userId: string): string {
  const reactions = JSON.parse(json) as Record<string, string[]>;
  toggleReaction(reactions, emoji, userId);
  return JSON.stringify(reactions);
}
