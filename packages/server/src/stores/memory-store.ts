import { randomUUID } from 'node:crypto';
import { type Message, type MessagePage, type RoomSummary, searchTerms } from '@chatwire/protocol';
import type {
  AddMemberResult,
  AppendResult,
  HistoryQuery,
  MessageChanges,
  NewMessage,
  RestrictionKind,
  RoomRestriction,
  SearchQuery,
  SendCheck,
  Store,
  UserRoomsQuery,
} from '../chat/store.js';
import { toggleReaction } from './reactions.js';

/**
 * Options of {@link MemoryStore}.
 *
 * @example
 * ```ts
 * const store = new MemoryStore({ maxMessagesPerRoom: 1000 } satisfies MemoryStoreOptions);
 * ```
 */
export interface MemoryStoreOptions {
  /** Keep only the newest this many messages per room (older ones are forgotten). @default Infinity */
  maxMessagesPerRoom?: number;
}

interface RoomState {
  /** messages[i] has serial firstSerial + i */
  messages: Message[];
  firstSerial: number;
  byClientId: Map<string, number>;
  read: Map<string, number>;
}

/**
 * Lower case, one character at a time as the SQL stores' tokenizers fold it: without the context
 * rules of toLowerCase (a final Σ stays σ).
 */
const fold = (word: string) => Array.from(word, (char) => char.toLowerCase()).join('');

const clientKey = (userId: string, clientMessageId: string) => `${userId}\u0000${clientMessageId}`;

const restrictionKey = (kind: RestrictionKind, userId: string) => `${kind}\u0000${userId}`;

const inForce = (restriction: RoomRestriction, now: number) =>
  restriction.until === undefined || restriction.until > now;

/** Sets the `mentions` and `meta` given (an empty `mentions` removes them), copied. */
function setExtras(message: Message, { mentions, meta }: MessageChanges): void {
  if (mentions !== undefined && mentions.length > 0) message.mentions = [...mentions];
  else if (mentions !== undefined) delete message.mentions;
  if (meta !== undefined) message.meta = structuredClone(meta);
}

/**
 * Keeps everything in this process's memory: for tests and single-process demos. Lost on restart.
 * @example const chat = createChatServer({ httpServer, store: new MemoryStore(), authenticate });
 */
export class MemoryStore implements Store {
  private readonly rooms = new Map<string, RoomState>();
  /** userId → the rooms they are a member of */
  private readonly memberships = new Map<string, Set<string>>();
  /** roomId → its members' ids */
  private readonly membersOf = new Map<string, Set<string>>();
  private readonly maxMessagesPerRoom: number;
  /** roomId → restriction key (kind, userId) → the ban or mute */
  private readonly restricted = new Map<string, Map<string, RoomRestriction>>();

  constructor(options: MemoryStoreOptions = {}) {
    this.maxMessagesPerRoom = options.maxMessagesPerRoom ?? Number.POSITIVE_INFINITY;
  }

  async append(input: NewMessage): Promise<AppendResult> {
    const room = this.room(input.roomId);
    const key = clientKey(input.author.userId, input.clientMessageId);
    const existing = room.byClientId.get(key);
    if (existing !== undefined) {
      const message = this.find(room, existing);
      if (message !== undefined) return { message: structuredClone(message), created: false };
    }
    const message: Message = {
      id: randomUUID(),
      roomId: input.roomId,
      serial: room.firstSerial + room.messages.length,
      clientMessageId: input.clientMessageId,
      author: { userId: input.author.userId, name: input.author.name },
      text: input.text,
      createdAt: input.createdAt,
      reactions: {},
    };
    if (input.system === true) message.system = true;
    if (input.replyTo !== undefined) message.replyTo = input.replyTo;
    setExtras(message, input);
    room.messages.push(message);
    room.byClientId.set(key, message.serial);
    if (input.system !== true) moveMarker(room.read, input.author.userId, message.serial);
    this.trim(room);
    return { message: structuredClone(message), created: true };
  }

  async sendCheck(roomId: string, authorId: string, clientMessageId: string, now: number): Promise<SendCheck> {
    const room = this.rooms.get(roomId);
    const serial = room?.byClientId.get(clientKey(authorId, clientMessageId));
    const message = serial === undefined ? undefined : this.find(room, serial);
    return {
      stored: message && structuredClone(message),
      restrictions: await this.restrictionsOf(roomId, authorId, now),
    };
  }

  async get(roomId: string, serial: number): Promise<Message | undefined> {
    const message = this.find(this.rooms.get(roomId), serial);
    return message && structuredClone(message);
  }

  async edit(
    roomId: string,
    serial: number,
    text: string,
    editedAt: number,
    changes: MessageChanges = {},
  ): Promise<Message | undefined> {
    return this.update(roomId, serial, editedAt, (message) => {
      if (message.deletedAt !== undefined) return false;
      message.text = text;
      message.editedAt = editedAt;
      setExtras(message, changes);
      return true;
    });
  }

  async delete(roomId: string, serial: number, deletedAt: number): Promise<Message | undefined> {
    return this.update(roomId, serial, deletedAt, (message) => {
      message.text = '';
      message.reactions = {};
      delete message.mentions;
      delete message.meta;
      message.deletedAt ??= deletedAt;
      return true;
    });
  }

  async toggleReaction(
    roomId: string,
    serial: number,
    emoji: string,
    userId: string,
    at: number,
    maxReactionKeys: number,
  ): Promise<Message | undefined> {
    return this.update(roomId, serial, at, (message) => {
      if (message.deletedAt !== undefined) return false;
      toggleReaction(message.reactions, emoji, userId, maxReactionKeys);
      return true;
    });
  }

  async updatedSince(roomId: string, since: number, limit: number): Promise<Message[]> {
    const room = this.rooms.get(roomId);
    if (room === undefined) return [];
    return room.messages
      .filter((message) => (message.updatedAt ?? 0) > since)
      .sort((a, b) => (a.updatedAt ?? 0) - (b.updatedAt ?? 0))
      .slice(0, limit)
      .map((message) => structuredClone(message));
  }

  async history(roomId: string, query: HistoryQuery): Promise<MessagePage> {
    const room = this.rooms.get(roomId);
    if (room === undefined) return { messages: [], hasMore: false };
    const { messages, firstSerial } = room;
    let start: number;
    let end: number;
    let hasMore: boolean;
    if (query.after !== undefined) {
      start = Math.max(0, query.after + 1 - firstSerial);
      end = Math.min(messages.length, start + query.limit);
      hasMore = end < messages.length;
    } else {
      end =
        query.before === undefined
          ? messages.length
          : Math.min(messages.length, Math.max(0, query.before - firstSerial));
      start = Math.max(0, end - query.limit);
      hasMore = start > 0;
    }
    return { messages: structuredClone(messages.slice(start, end)), hasMore };
  }

  async search(roomId: string, query: string, options: SearchQuery): Promise<MessagePage> {
    const room = this.rooms.get(roomId);
    const terms = searchTerms(query).map(fold);
    if (room === undefined || terms.length === 0) return { messages: [], hasMore: false };
    // A scan from the newest message back: the same matching as the SQL stores' word indexes.
    const found: Message[] = [];
    const end = Math.min(
      room.messages.length,
      Math.max(0, (options.before ?? Number.POSITIVE_INFINITY) - room.firstSerial),
    );
    for (let i = end - 1; i >= 0 && found.length <= options.limit; i--) {
      const message = room.messages[i] as Message;
      if (message.deletedAt !== undefined) continue;
      const words = searchTerms(message.text).map(fold);
      if (terms.every((term) => words.some((word) => word.startsWith(term)))) found.push(message);
    }
    return { messages: structuredClone(found.slice(0, options.limit)), hasMore: found.length > options.limit };
  }

  async lastSerial(roomId: string): Promise<number> {
    const room = this.rooms.get(roomId);
    return room === undefined ? 0 : room.firstSerial + room.messages.length - 1;
  }

  async markRead(roomId: string, userId: string, serial: number): Promise<number> {
    return moveMarker(this.room(roomId).read, userId, serial);
  }

  async readMarkers(roomId: string): Promise<Record<string, number>> {
    return Object.fromEntries(this.rooms.get(roomId)?.read ?? []);
  }

  async restrict(restriction: RoomRestriction): Promise<void> {
    let room = this.restricted.get(restriction.roomId);
    if (room === undefined) {
      room = new Map();
      this.restricted.set(restriction.roomId, room);
    }
    const key = restrictionKey(restriction.kind, restriction.userId);
    // Replaced: its place in the order is the new one's.
    room.delete(key);
    room.set(key, { ...restriction });
  }

  async lift(roomId: string, userId: string, kind: RestrictionKind): Promise<void> {
    this.restricted.get(roomId)?.delete(restrictionKey(kind, userId));
  }

  async restrictionsOf(roomId: string, userId: string, now: number): Promise<RoomRestriction[]> {
    const room = this.restricted.get(roomId);
    const found: RoomRestriction[] = [];
    for (const kind of ['ban', 'mute'] as const) {
      const restriction = room?.get(restrictionKey(kind, userId));
      if (restriction !== undefined && inForce(restriction, now)) found.push({ ...restriction });
    }
    return found;
  }

  async restrictions(roomId: string, kind: RestrictionKind, now: number, limit: number): Promise<RoomRestriction[]> {
    return [...(this.restricted.get(roomId)?.values() ?? [])]
      .filter((r) => r.kind === kind && inForce(r, now))
      .sort((a, b) => a.createdAt - b.createdAt || (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0))
      .slice(0, limit)
      .map((r) => ({ ...r }));
  }

  async addMember(roomId: string, userId: string, maxRooms: number): Promise<AddMemberResult> {
    const rooms = this.memberships.get(userId) ?? new Set<string>();
    if (rooms.has(roomId)) return 'member';
    if (rooms.size >= maxRooms) return 'full';
    rooms.add(roomId);
    this.memberships.set(userId, rooms);
    const members = this.membersOf.get(roomId) ?? new Set<string>();
    members.add(userId);
    this.membersOf.set(roomId, members);
    return 'added';
  }

  async removeMember(roomId: string, userId: string): Promise<boolean> {
    const removed = this.memberships.get(userId)?.delete(roomId) ?? false;
    this.membersOf.get(roomId)?.delete(userId);
    return removed;
  }

  async userRooms(userId: string, query: UserRoomsQuery): Promise<RoomSummary[]> {
    const after = query.after;
    const roomIds = [...(this.memberships.get(userId) ?? [])]
      .filter((roomId) => after === undefined || roomId > after)
      .sort()
      .slice(0, query.limit);
    return roomIds.map((roomId) => {
      const room = this.rooms.get(roomId);
      const lastSerial = room === undefined ? 0 : room.firstSerial + room.messages.length - 1;
      const readSerial = room?.read.get(userId) ?? 0;
      let unread = 0;
      for (
        let serial = Math.max(readSerial + 1, room?.firstSerial ?? 1);
        serial <= lastSerial && unread < query.maxUnread;
        serial++
      ) {
        const message = this.find(room, serial);
        if (message !== undefined && message.author.userId !== userId && message.deletedAt === undefined) unread += 1;
      }
      const lastMessage = this.find(room, lastSerial);
      const summary: RoomSummary = { roomId, lastSerial, readSerial, unread };
      if (lastMessage !== undefined) summary.lastMessage = structuredClone(lastMessage);
      return summary;
    });
  }

  async roomMembers(roomId: string, limit: number): Promise<string[]> {
    return [...(this.membersOf.get(roomId) ?? [])].slice(0, limit);
  }

  async close(): Promise<void> {}

  private room(roomId: string): RoomState {
    let room = this.rooms.get(roomId);
    if (room === undefined) {
      room = { messages: [], firstSerial: 1, byClientId: new Map(), read: new Map() };
      this.rooms.set(roomId, room);
    }
    return room;
  }

  private find(room: RoomState | undefined, serial: number): Message | undefined {
    return room?.messages[serial - room.firstSerial];
  }

  /** Applies `change` (which says whether it changed anything) and returns a copy of the message. */
  private update(
    roomId: string,
    serial: number,
    at: number,
    change: (message: Message) => boolean,
  ): Message | undefined {
    const room = this.rooms.get(roomId);
    const message = this.find(room, serial);
    if (room === undefined || message === undefined) return undefined;
    if (change(message)) message.updatedAt = at;
    return structuredClone(message);
  }

  private trim(room: RoomState): void {
    const excess = room.messages.length - this.maxMessagesPerRoom;
    if (excess <= 0) return;
    for (const gone of room.messages.splice(0, excess)) {
      room.byClientId.delete(clientKey(gone.author.userId, gone.clientMessageId));
    }
    room.firstSerial += excess;
  }
}

/** Moves the user's read marker forward to `serial` (never back); returns the marker now kept. */
function moveMarker(read: Map<string, number>, userId: string, serial: number): number {
  const marker = Math.max(read.get(userId) ?? 0, serial);
  read.set(userId, marker);
  return marker;
}
