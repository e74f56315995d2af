import { MAX_UNREAD, type Message, type Result, type RoomSummary, type WideChatContract } from '@chatwire/protocol';
import type { ChatwireClient } from '../create-client.js';
import type { ChatRoom } from './chat-room.js';

/** What the room list reads of a joined room, whatever its contract. */
type ListedRoom = Pick<ChatRoom<WideChatContract>, 'id' | 'messages' | 'unreadAfter_'>;

/** What the room list needs from the client that owns it. */
export interface RoomListHost {
  readonly client: ChatwireClient<WideChatContract>;
  /** Our user id, once the server said who we are. */
  readonly userId: string | undefined;
  /** The joined room, if any: its loaded messages count unread ones exactly. */
  joined(roomId: string): ListedRoom | undefined;
  /** The list changed. */
  changed(rooms: readonly RoomSummary[]): void;
}

/** Most `rooms:list` pages one fetch asks for (10 000 rooms; servers cap a user at 500 by default). */
const MAX_PAGES = 100;

/** Most live messages kept while a list fetch is under way (past it, the next reconnect's fetch corrects). */
const MAX_HELD_MESSAGES = 500;

/**
 * The user's rooms with unread counts: fetched with `rooms:list`, then kept live from `message:new`,
 * `room:activity`, `message:updated` (deletes) and our own `read` markers.
 */
export class RoomList {
  private readonly summaries_ = new Map<string, RoomSummary>();
  private sorted_: RoomSummary[] | undefined;
  /** The list was asked for: it is kept live and fetched again after each reconnect. */
  private wanted_ = false;
  /** A fetch under way, and whether another must follow it (something changed meanwhile). */
  private fetching_: Promise<Result<readonly RoomSummary[]>> | undefined;
  private again_ = false;
  /** Messages that came while a fetch was under way: its answer may predate them. */
  private duringFetch_: Message[] = [];

  private readonly host_: RoomListHost;

  constructor(host: RoomListHost) {
    this.host_ = host;
  }

  /** Newest activity first (rooms without messages last, by room id). */
  get rooms(): readonly RoomSummary[] {
    this.sorted_ ??= [...this.summaries_.values()].sort(
      (a, b) => (b.lastMessage?.createdAt ?? -1) - (a.lastMessage?.createdAt ?? -1) || (a.roomId < b.roomId ? -1 : 1),
    );
    return this.sorted_;
  }

  /** Fetches every page of `rooms:list`; calls while one fetch runs share it (and one more follows). */
  fetch(): Promise<Result<readonly RoomSummary[]>> {
    this.wanted_ = true;
    if (this.fetching_ !== undefined) {
      this.again_ = true;
      return this.fetching_;
    }
    this.fetching_ = this.fetchAll_().finally(() => {
      this.fetching_ = undefined;
      if (this.again_) {
        this.again_ = false;
        void this.fetch();
      }
    });
    return this.fetching_;
  }

  /** After a reconnect: what changed while offline is only in a fresh list. */
  refresh(): void {
    if (this.wanted_) void this.fetch();
  }

  /** @internal A new message in one of our rooms, live or by `room:activity`. */
  message_(message: Message): void {
    if (!this.wanted_) return;
    if (this.fetching_ !== undefined && this.duringFetch_.length < MAX_HELD_MESSAGES) this.duringFetch_.push(message);
    const current = this.summaries_.get(message.roomId);
    // A room we were not known to be in (joined on another device): only the server knows its count.
    if (current === undefined) {
      this.refresh();
      return;
    }
    if (message.serial <= current.lastSerial) return;
    const mine = message.author.userId === this.host_.userId;
    this.set_({
      ...current,
      lastSerial: message.serial,
      lastMessage: message,
      // Our own send moves our marker to it (the server does the same).
      readSerial: mine ? message.serial : current.readSerial,
      unread: mine ? 0 : Math.min(MAX_UNREAD, current.unread + 1),
    });
  }

  /** @internal A message changed: a delete of an unread one lowers the count. */
  updated_(message: Message): void {
    const current = this.summaries_.get(message.roomId);
    if (current === undefined) return;
    const next = { ...current };
    if (current.lastMessage?.serial === message.serial) next.lastMessage = message;
    const counted =
      message.deletedAt !== undefined &&
      message.serial > current.readSerial &&
      message.author.userId !== this.host_.userId &&
      current.unread < MAX_UNREAD;
    if (counted) next.unread = Math.max(0, current.unread - 1);
    if (next.lastMessage !== current.lastMessage || next.unread !== current.unread) this.set_(next);
  }

  /** @internal Our read marker moved (on this device or another). */
  read_(roomId: string, serial: number): void {
    const current = this.summaries_.get(roomId);
    if (current === undefined || serial <= current.readSerial) return;
    const counted = this.host_.joined(roomId)?.unreadAfter_(serial, this.host_.userId ?? '');
    const unread =
      serial >= current.lastSerial ? 0 : (counted ?? Math.min(current.unread, current.lastSerial - serial));
    this.set_({ ...current, readSerial: serial, unread: Math.min(MAX_UNREAD, unread) });
  }

  /** @internal We joined a room: a new one is listed with what its join answer and first page say. */
  joined_(room: ListedRoom, lastSerial: number, readSerial: number): void {
    if (!this.wanted_ || this.summaries_.has(room.id)) return;
    const userId = this.host_.userId ?? '';
    const counted = room.unreadAfter_(readSerial, userId) ?? lastSerial - readSerial;
    const lastMessage = room.messages.find((message) => message.status === 'sent' && message.serial === lastSerial);
    const summary: RoomSummary = { roomId: room.id, lastSerial, readSerial, unread: Math.min(MAX_UNREAD, counted) };
    if (lastMessage !== undefined) {
      const { status: _status, ...stored } = lastMessage;
      summary.lastMessage = stored as Message;
    }
    this.set_(summary);
  }

  /** @internal We left a room: we are no longer a member. */
  left_(roomId: string): void {
    if (!this.summaries_.delete(roomId)) return;
    this.sorted_ = undefined;
    this.host_.changed(this.rooms);
  }

  private set_(summary: RoomSummary): void {
    this.summaries_.set(summary.roomId, summary);
    this.sorted_ = undefined;
    this.host_.changed(this.rooms);
  }

  private async fetchAll_(): Promise<Result<readonly RoomSummary[]>> {
    const found: RoomSummary[] = [];
    let after: string | undefined;
    for (let pages = 0; pages < MAX_PAGES; pages++) {
      const page = await this.host_.client.request('rooms:list', after === undefined ? {} : { after });
      if (!page.ok) return page;
      found.push(...page.data.rooms);
      const last = page.data.rooms.at(-1)?.roomId;
      // A server that says "more" without sending any: what came is the list.
      if (!page.data.hasMore || last === undefined) break;
      after = last;
    }
    this.summaries_.clear();
    for (const summary of found) this.summaries_.set(summary.roomId, summary);
    const held = this.duringFetch_;
    this.duringFetch_ = [];
    // Those the answer already counted are skipped (their serial is not past its lastSerial).
    for (const message of held) {
      const current = this.summaries_.get(message.roomId);
      if (current !== undefined && message.serial > current.lastSerial) this.message_(message);
    }
    this.sorted_ = undefined;
    this.host_.changed(this.rooms);
    return { ok: true, data: this.rooms };
  }
}
