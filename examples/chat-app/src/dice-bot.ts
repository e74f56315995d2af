import type { ChatUser } from '@chatwire/protocol';
import type { ChatServer } from '@chatwire/server';
import type { DemoContract } from './chat-contract.js';

/** The bot's user: it posts with `chat.send(..., { as: DICE_BOT })`, through the same path as anyone. */
export const DICE_BOT: ChatUser = { userId: 'dice-bot', name: 'Dice' };

/** `/roll` or `/roll 20`: the number of sides (6 by default), undefined for any other text. */
export function rollCommand(text: string): number | undefined {
  const match = /^\/roll(?:\s+(\d{1,4}))?\s*$/.exec(text);
  if (match === null) return undefined;
  const sides = Number(match[1] ?? 6);
  return sides >= 2 ? sides : undefined;
}

/**
 * A tiny bot on the `message:created` hook: answers `/roll [sides]` in the same room. `random` is a
 * number in [0, 1) (Math.random; tests give their own). Its own messages never trigger it (a command
 * needs a user author, not a system message or the bot).
 */
export function addDiceBot(chat: ChatServer<DemoContract>, random: () => number = Math.random): () => void {
  return chat.on('message:created', async ({ message, by }) => {
    if (by === 'system' || by.userId === DICE_BOT.userId) return;
    const sides = rollCommand(message.text);
    if (sides === undefined) return;
    const rolled = 1 + Math.floor(random() * sides);
    // A rejection (store away) is logged by the chat server's hook runner.
    await chat.send(
      message.roomId,
      // Tied to the command: a retry of this post stays one answer.
      { text: `🎲 ${by.name} rolled ${rolled} (d${sides})`, clientMessageId: `roll:${message.id}` },
      { as: DICE_BOT },
    );
  });
}
