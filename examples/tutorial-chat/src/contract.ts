import { defineContract } from '@chatwire/protocol';
import { z } from 'zod';

const User = z.object({ name: z.string().trim().min(1).max(64), userid: z.string().trim().min(1).max(64) });

/**
 * The seed tutorial's events, unchanged on the wire, so any socket.io v4 client can still use them:
 * `login {name, userid}`, `chat {msg}`, `forceDisconnect`; the server answers `login <name>` and
 * `chat {from, msg}`. What the contract adds is the checking.
 */
export const tutorialContract = defineContract({
  clientToServer: {
    login: { payload: User },
    chat: { payload: z.object({ msg: z.string().min(1).max(2000) }) },
    forceDisconnect: {},
  },
  serverToClient: {
    login: { payload: z.string() },
    chat: { payload: z.object({ from: User, msg: z.string() }) },
  },
  socketData: z.object({ user: User.optional() }),
});

export type TutorialContract = typeof tutorialContract;
