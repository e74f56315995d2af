import type { ChatUser, Message } from '@chatwire/protocol';
import type { Logger } from '../logger.js';

/**
 * Who made a change: a connected user, or the server itself (`chat.send(..., { as: 'system' })`).
 *
 * @example
 * ```ts
 * const who = (actor: ChatActor) => (actor === 'system' ? 'the server' : actor.name);
 * ```
 */
export type ChatActor = ChatUser | 'system';

/**
 * What the chat server tells its hooks ({@link ChatServer.on}), after the fact: each event once
 * across a cluster, on the node that made the change.
 *
 * @example
 * ```ts
 * chat.on('message:created', ({ message, by }: ChatHooks['message:created']) => {
 *   if (by !== 'system') search.index(message);
 * });
 * ```
 */
export interface ChatHooks {
  /** A message was stored (sent by a client or by `chat.send`); never for a retry of a stored one. */
  'message:created': { message: Message; by: ChatActor };
  /** A message's text was edited by its author. */
  'message:edited': { message: Message; by: ChatUser };
  /** A message was deleted (now a tombstone), by its author or a moderator. */
  'message:deleted': { message: Message; by: ChatUser };
  /** `by` added (`added: true`) or removed a reaction; `message` is the message after the change. */
  'reaction:toggled': { message: Message; emoji: string; added: boolean; by: ChatUser };
  /** A user's first connection came into the room (on any node). */
  'member:joined': { roomId: string; user: ChatUser };
  /** A user's last connection left the room, or its node died and its presence expired. */
  'member:left': { roomId: string; userId: string };
}

/**
 * A hook's name.
 *
 * @example
 * ```ts
 * const audited: ChatHookName[] = ['message:deleted', 'member:joined'];
 * ```
 */
export type ChatHookName = keyof ChatHooks;

/**
 * A hook: may return a promise, which nobody waits for; a throw or a rejection is logged.
 *
 * @example
 * ```ts
 * const log: ChatHook<'member:joined'> = ({ roomId, user }) => console.log(`${user.name} joined ${roomId}`);
 * chat.on('member:joined', log);
 * ```
 */
export type ChatHook<K extends ChatHookName> = (event: ChatHooks[K]) => void | Promise<void>;

/** The hooks of one chat server. */
export class HookRegistry {
  private readonly hooks = new Map<ChatHookName, Set<(event: never) => void | Promise<void>>>();

  constructor(private readonly logger: Logger) {}

  on<K extends ChatHookName>(name: K, hook: ChatHook<K>): () => void {
    let set = this.hooks.get(name);
    if (set === undefined) {
      set = new Set();
      this.hooks.set(name, set);
    }
    // A copy per registration: the same function added twice runs twice and is removed once per call.
    const entry = (event: never) => hook(event);
    set.add(entry);
    return () => void set.delete(entry);
  }

  /** Runs every hook of `name` without waiting for any: what they do never holds up delivery. */
  fire<K extends ChatHookName>(name: K, event: ChatHooks[K]): void {
    const set = this.hooks.get(name);
    if (set === undefined || set.size === 0) return;
    // A copy: a hook that changes it changes neither the sender's answer nor what other hooks see first.
    const copy = structuredClone(event);
    for (const hook of set) {
      try {
        const result = (hook as ChatHook<K>)(copy);
        if (result !== undefined) Promise.resolve(result).catch((error: unknown) => this.failed(name, error));
      } catch (error) {
        this.failed(name, error);
      }
    }
  }

  private failed(name: ChatHookName, error: unknown): void {
    this.logger.error(`chatwire: hook "${name}" failed`, { error });
  }
}
