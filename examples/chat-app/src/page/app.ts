import { type ChatClient, type ChatRoom, type ConnectionStatus, createChatClient } from '@chatwire/client';
import {
  type ChatUser,
  type ChatwireError,
  directRoomUsers,
  MAX_TEXT_LENGTH,
  type Result,
  type RoomRemoval,
} from '@chatwire/protocol';
import {
  type Attachment,
  type DemoContract,
  demoContract,
  imageLink,
  isImageUrl,
  MAX_ATTACHMENTS,
} from '../chat-contract.js';
import { mentionedIds, slugify, toRoomId, typingText } from './format.js';
import { messageKey, renderImage, renderMessage } from './message-view.js';

type DemoClient = ChatClient<DemoContract>;
type DemoRoom = ChatRoom<DemoContract>;

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`#${id} is missing`);
  return found as T;
}

const ui = {
  loginScreen: element('login-screen'),
  loginForm: element<HTMLFormElement>('login'),
  name: element<HTMLInputElement>('name'),
  app: element('app'),
  status: element('status'),
  statusDetail: element('status-detail'),
  reconnect: element<HTMLButtonElement>('reconnect'),
  me: element('me'),
  logout: element<HTMLButtonElement>('logout'),
  rooms: element<HTMLUListElement>('rooms'),
  joinForm: element<HTMLFormElement>('join-room'),
  roomName: element<HTMLInputElement>('room-name'),
  roomError: element('room-error'),
  roomHeader: element('room-header'),
  scroller: element('scroller'),
  older: element<HTMLButtonElement>('older'),
  noMore: element('no-more'),
  messages: element<HTMLUListElement>('messages'),
  typing: element('typing'),
  sendError: element('send-error'),
  composer: element<HTMLFormElement>('composer'),
  input: element<HTMLTextAreaElement>('message-input'),
  send: element<HTMLButtonElement>('send'),
  members: element<HTMLUListElement>('members'),
  search: element<HTMLFormElement>('search'),
  searchInput: element<HTMLInputElement>('search-input'),
  searchPanel: element('search-panel'),
  searchSummary: element('search-summary'),
  searchClose: element<HTMLButtonElement>('search-close'),
  searchResults: element<HTMLUListElement>('search-results'),
  replying: element('replying'),
  replyingText: element('replying-text'),
  cancelReply: element<HTMLButtonElement>('cancel-reply'),
  attachments: element('attachments'),
  imageUrl: element<HTMLInputElement>('image-url'),
};

/** sessionStorage keys: per tab, so two tabs (or browser contexts) can be two different users. */
const KEY = {
  name: 'chatwire-demo:name',
  userId: 'chatwire-demo:user-id',
  rooms: 'chatwire-demo:rooms',
  active: 'chatwire-demo:active-room',
};

const STATUS_LABELS: Record<ConnectionStatus, string> = {
  connecting: 'connecting…',
  connected: 'connected',
  reconnecting: 'reconnecting…',
  disconnected: 'disconnected',
  closed: 'disconnected',
};

interface Tab {
  room: DemoRoom;
  /** What was typed in the composer, kept while another room is shown. */
  draft: string;
  /** The serial of the message the composer replies to. */
  replyTo: number | undefined;
  /** The image links the next message carries. */
  attachments: Attachment[];
  off: (() => void)[];
}

let session: { client: DemoClient; me: ChatUser } | undefined;
const tabs = new Map<string, Tab>();
const joining = new Set<string>();
let activeId: string | undefined;
/** The message being edited in the active room, with the editor's current text. */
let editing: { serial: number; draft: string; focus: boolean } | undefined;
let confirmingDelete: number | undefined;
/** The active room's list items by message key, rebuilt only when their message changes. */
const items = new Map<string, { node: HTMLLIElement; signature: string }>();
let stickToBottom = true;
let loadingOlder = false;

// ——— rendering ———

let renderQueued = false;

/** Coalesces the many `change` events of one burst (a sync, a page of history) into one render. */
function schedule(): void {
  if (renderQueued) return;
  renderQueued = true;
  queueMicrotask(() => {
    renderQueued = false;
    render();
  });
}

function activeTab(): Tab | undefined {
  return activeId === undefined ? undefined : tabs.get(activeId);
}

function render(): void {
  if (session === undefined) return;
  const tab = activeTab();
  renderRooms(session.client, session.me);
  ui.roomHeader.textContent = tab === undefined ? 'Join a room to start chatting' : roomLabel(tab.room.id, session.me);
  ui.search.hidden = tab === undefined;
  renderComposerExtras(tab);
  ui.input.disabled = tab === undefined;
  ui.send.disabled = tab === undefined;
  renderMessages(tab?.room, session.me);
  ui.typing.textContent = tab === undefined ? '' : typingText(tab.room.typing);
  renderMembers(tab?.room.members ?? [], session.me);
  const unread = session.client.roomList.reduce((sum, summary) => sum + unreadOf(summary.roomId, summary.unread), 0);
  document.title = unread > 0 ? `(${unread}) chatwire demo` : 'chatwire demo';
}

/** "# general", or "@ ben" for the direct room of the signed-in user and Ben. */
function roomLabel(roomId: string, me: ChatUser): string {
  const pair = directRoomUsers(roomId);
  if (pair === undefined) return `# ${roomId}`;
  const other = pair.find((userId) => userId !== me.userId) ?? me.userId;
  return `@ ${knownNames.get(other) ?? other}`;
}

/** The room's unread count to show: none for the room on screen (it is being read). */
function unreadOf(roomId: string, unread: number): number {
  return roomId === activeId && !document.hidden ? 0 : unread;
}

/** Display names seen in member lists, for the labels of direct rooms. */
const knownNames = new Map<string, string>();

/** The user's rooms (the server's list, newest activity first) and the rooms joined on this tab. */
function renderRooms(client: DemoClient, me: ChatUser): void {
  const listed = new Map(client.roomList.map((summary) => [summary.roomId, summary.unread]));
  for (const roomId of tabs.keys()) if (!listed.has(roomId)) listed.set(roomId, 0);
  const nodes = [...listed].map(([roomId, count]) => {
    const item = document.createElement('li');
    item.dataset.roomId = roomId;
    item.classList.toggle('active', roomId === activeId);
    const open = document.createElement('button');
    open.type = 'button';
    open.className = 'room-tab';
    open.dataset.action = 'open';
    open.textContent = roomLabel(roomId, me);
    item.append(open);
    const unread = unreadOf(roomId, count);
    if (unread > 0) {
      const badge = document.createElement('span');
      badge.className = 'unread';
      badge.textContent = String(unread);
      item.append(badge);
    }
    const leave = document.createElement('button');
    leave.type = 'button';
    leave.className = 'leave';
    leave.dataset.action = 'leave';
    leave.title = `Leave ${roomId}`;
    leave.setAttribute('aria-label', `Leave ${roomId}`);
    leave.textContent = '×';
    // Rooms of the list not joined on this tab are opened first (a click joins them).
    if (tabs.has(roomId)) item.append(leave);
    return item;
  });
  ui.rooms.replaceChildren(...nodes);
}

function renderMembers(members: readonly ChatUser[], me: ChatUser): void {
  const sorted = [...members].sort((a, b) => a.name.localeCompare(b.name));
  ui.members.replaceChildren(
    ...sorted.map((user) => {
      const item = document.createElement('li');
      item.dataset.userId = user.userId;
      item.textContent = user.name;
      knownNames.set(user.userId, user.name);
      if (user.userId === me.userId) {
        const you = document.createElement('span');
        you.className = 'you';
        you.textContent = '(you)';
        item.append(you);
      } else if (directRoomUsers(activeId ?? '') === undefined) {
        const dm = document.createElement('button');
        dm.type = 'button';
        dm.className = 'link dm';
        dm.dataset.action = 'dm';
        dm.title = `Message ${user.name} directly`;
        dm.textContent = 'Message';
        item.append(dm);
      }
      return item;
    }),
  );
}

/** The first message item at least partly in view, and where it is, to keep it still across a render. */
function scrollAnchor(): { node: Element; top: number } | undefined {
  const viewTop = ui.scroller.getBoundingClientRect().top;
  for (const node of ui.messages.children) {
    const box = node.getBoundingClientRect();
    if (box.bottom > viewTop) return { node, top: box.top };
  }
  return undefined;
}

function renderMessages(room: DemoRoom | undefined, me: ChatUser): void {
  const { scroller } = ui;
  const atBottom = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 48;
  const anchor = atBottom || stickToBottom ? undefined : scrollAnchor();
  const messages = room?.messages ?? [];
  const names = new Map((room?.members ?? []).map((user) => [user.userId, user.name]));
  for (const message of messages)
    if (!names.has(message.author.userId)) names.set(message.author.userId, message.author.name);

  const seen = new Set<string>();
  let cursor: ChildNode | null = ui.messages.firstChild;
  for (const message of messages) {
    const key = messageKey(message);
    seen.add(key);
    const serial = message.status === 'sent' ? message.serial : undefined;
    const draft = editing !== undefined && editing.serial === serial ? editing.draft : undefined;
    const confirming = serial !== undefined && confirmingDelete === serial;
    const quoted = message.replyTo === undefined ? undefined : quoteOf(room, message.replyTo);
    // The draft's text is not part of it: typing in the editor must not rebuild (and blur) it.
    const signature = JSON.stringify([message, draft !== undefined, confirming, quoted]);
    let entry = items.get(key);
    if (entry !== undefined && entry.signature !== signature) {
      if (entry.node === cursor) cursor = cursor.nextSibling;
      entry.node.remove();
      entry = undefined;
    }
    if (entry === undefined) {
      entry = { node: renderMessage(message, { me, draft, confirmingDelete: confirming, names, quoted }), signature };
      items.set(key, entry);
    }
    if (entry.node === cursor) cursor = cursor.nextSibling;
    else ui.messages.insertBefore(entry.node, cursor);
  }
  for (const [key, entry] of items) {
    if (!seen.has(key)) {
      entry.node.remove();
      items.delete(key);
    }
  }

  ui.older.hidden = room === undefined || !room.hasOlder;
  ui.older.disabled = loadingOlder;
  ui.older.textContent = loadingOlder ? 'Loading…' : 'Load older messages';
  ui.noMore.hidden = room === undefined || room.hasOlder || messages.length === 0;

  if (editing?.focus) {
    editing.focus = false;
    const editor = ui.messages.querySelector<HTMLTextAreaElement>(`[data-serial="${editing.serial}"] .edit-input`);
    editor?.focus();
    editor?.setSelectionRange(editor.value.length, editor.value.length);
  }
  if (anchor?.node.isConnected) {
    scroller.scrollTop += anchor.node.getBoundingClientRect().top - anchor.top;
  } else if (atBottom || stickToBottom) {
    scroller.scrollTop = scroller.scrollHeight;
  }
  stickToBottom = false;
}

/** The author and text of a loaded message, for the quote of a reply to it. */
function quoteOf(room: DemoRoom | undefined, serial: number): { author: string; text: string } | undefined {
  const target = room?.messages.find((m) => m.status === 'sent' && m.serial === serial);
  if (target === undefined || target.status !== 'sent') return undefined;
  return { author: target.author.name, text: target.deletedAt === undefined ? target.text : 'message deleted' };
}

/** What the composer adds to the next message: the reply bar and the image links. */
function renderComposerExtras(tab: Tab | undefined): void {
  const replyTo = tab?.replyTo;
  ui.replying.hidden = replyTo === undefined;
  if (replyTo !== undefined) {
    const quoted = quoteOf(tab?.room, replyTo);
    ui.replyingText.textContent =
      quoted === undefined ? `Replying to #${replyTo}` : `Replying to ${quoted.author}: ${quoted.text}`;
  }
  const attachments = tab?.attachments ?? [];
  ui.attachments.hidden = attachments.length === 0;
  const signature = JSON.stringify(attachments);
  if (ui.attachments.dataset.signature === signature) return;
  ui.attachments.dataset.signature = signature;
  ui.attachments.replaceChildren(
    ...attachments.map((attachment, index) => {
      const chip = document.createElement('span');
      chip.className = 'attachment-chip';
      const image = renderImage(attachment);
      if (image !== undefined) chip.append(image);
      const remove = document.createElement('button');
      remove.type = 'button';
      remove.className = 'link';
      remove.dataset.index = String(index);
      remove.textContent = `Remove ${attachment.name}`;
      chip.append(remove);
      return chip;
    }),
  );
}

/** Scrolls to a loaded message and flashes it; false when it is not loaded. */
function reveal(serial: number): boolean {
  const node = ui.messages.querySelector<HTMLElement>(`.message[data-serial="${serial}"]`);
  if (node === null) return false;
  node.scrollIntoView({ block: 'center' });
  for (const flashed of ui.messages.querySelectorAll('.message.flash')) flashed.classList.remove('flash');
  node.classList.add('flash');
  setTimeout(() => node.classList.remove('flash'), 2000);
  return true;
}

// ——— errors ———

let errorTimer: ReturnType<typeof setTimeout> | undefined;

function showError(text: string): void {
  ui.sendError.textContent = text;
  ui.sendError.hidden = false;
  clearTimeout(errorTimer);
  errorTimer = setTimeout(() => {
    ui.sendError.hidden = true;
  }, 6000);
}

function showRoomError(text: string | undefined): void {
  ui.roomError.textContent = text ?? '';
  ui.roomError.hidden = text === undefined;
}

/** Reports a refused edit, delete or reaction; the room itself already shows the ones that succeed. */
async function report(action: string, pending: Promise<Result<unknown>>): Promise<void> {
  const result = await pending;
  if (!result.ok) showError(`Could not ${action}: ${result.error.message}`);
}

// ——— rooms ———

function saveRooms(): void {
  sessionStorage.setItem(KEY.rooms, JSON.stringify([...tabs.keys()]));
  if (activeId === undefined) sessionStorage.removeItem(KEY.active);
  else sessionStorage.setItem(KEY.active, activeId);
}

function savedRooms(): string[] {
  try {
    const parsed: unknown = JSON.parse(sessionStorage.getItem(KEY.rooms) ?? '["general"]');
    if (Array.isArray(parsed)) return parsed.filter((id): id is string => typeof id === 'string');
  } catch {
    // Unreadable: start over.
  }
  return ['general'];
}

async function joinRoom(roomId: string, activate: boolean): Promise<void> {
  const current = session;
  if (current === undefined) return;
  if (tabs.has(roomId)) {
    if (activate) select(roomId);
    return;
  }
  if (joining.has(roomId)) return;
  joining.add(roomId);
  const joined = await current.client.join(roomId);
  joining.delete(roomId);
  if (session !== current) return; // logged out meanwhile
  if (!joined.ok) {
    showRoomError(`Could not join "${roomId}": ${joined.error.message}`);
    return;
  }
  showRoomError(undefined);
  const room = joined.data;
  const tab: Tab = { room, draft: '', replyTo: undefined, attachments: [], off: [] };
  tab.off.push(
    room.on('change', schedule),
    // The room on screen is read as messages arrive: its unread count (kept by the client) stays 0.
    room.on('message', () => markSeen(room)),
    room.on('left', (error) => {
      removeTab(room.id);
      showRoomError(`You are no longer in "${room.id}": ${error.message}`);
    }),
    room.on('removed', (removal) => {
      removeTab(room.id);
      showRoomError(removalText(removal));
    }),
  );
  tabs.set(roomId, tab);
  if (activate || activeId === undefined) select(roomId);
  saveRooms();
  schedule();
}

/** "You were banned from "general" until 14:05: spam", as the moderator's removal says. */
function removalText({ roomId, kind, reason, until }: RoomRemoval): string {
  const verb = kind === 'banned' ? 'banned from' : 'removed from';
  const end = until === undefined ? '' : ` until ${new Date(until).toLocaleString()}`;
  return `You were ${verb} "${roomId}"${end}${reason === undefined ? '' : `: ${reason}`}`;
}

/** Moves the read marker to the last message when the room is on screen and the tab visible. */
function markSeen(room: DemoRoom): void {
  if (room.id !== activeId || document.hidden) return;
  void room.markRead();
}

function select(roomId: string | undefined): void {
  const previous = activeTab();
  if (previous !== undefined) {
    previous.draft = ui.input.value;
    previous.room.setTyping(false);
  }
  const tab = roomId === undefined ? undefined : tabs.get(roomId);
  activeId = tab === undefined ? undefined : roomId;
  editing = undefined;
  confirmingDelete = undefined;
  items.clear();
  ui.messages.replaceChildren();
  stickToBottom = true;
  ui.input.value = tab?.draft ?? '';
  closeSearch();
  if (tab !== undefined) markSeen(tab.room);
  saveRooms();
  schedule();
}

function removeTab(roomId: string): void {
  const tab = tabs.get(roomId);
  if (tab === undefined) return;
  for (const off of tab.off) off();
  tabs.delete(roomId);
  if (activeId === roomId) select([...tabs.keys()][0]);
  saveRooms();
  schedule();
}

ui.rooms.addEventListener('click', (event) => {
  const target = event.target instanceof Element ? event.target.closest<HTMLButtonElement>('button') : null;
  const roomId = target?.closest<HTMLLIElement>('li')?.dataset.roomId;
  if (target === null || roomId === undefined) return;
  if (target.dataset.action === 'open') {
    // A room of the list not joined on this tab yet (a DM someone opened, a room joined elsewhere).
    if (tabs.has(roomId)) select(roomId);
    else void joinRoom(roomId, true);
    ui.input.focus();
  } else if (target.dataset.action === 'leave') {
    const tab = tabs.get(roomId);
    removeTab(roomId);
    if (tab !== undefined) void report(`leave ${roomId}`, tab.room.leave());
  }
});

ui.joinForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const roomId = toRoomId(ui.roomName.value);
  if (roomId === undefined) {
    showRoomError('Room names use letters, digits and _ - . : @ #');
    return;
  }
  ui.roomName.value = '';
  void joinRoom(roomId, true);
});

// ——— messages ———

ui.composer.addEventListener('submit', (event) => {
  event.preventDefault();
  const tab = activeTab();
  if (tab === undefined) return;
  if (ui.imageUrl.value.trim() !== '' && !attachTyped(tab)) return;
  const text = ui.input.value.trim();
  if (text === '' && tab.attachments.length === 0) return;
  if (text.length > MAX_TEXT_LENGTH) {
    showError(`Messages are at most ${MAX_TEXT_LENGTH} characters (this one has ${text.length})`);
    return;
  }
  const { replyTo, attachments } = tab;
  const mentions = mentionedIds(text, tab.room.members);
  ui.input.value = '';
  tab.draft = '';
  tab.replyTo = undefined;
  tab.attachments = [];
  tab.room.setTyping(false);
  stickToBottom = true;
  schedule();
  // Shows at once as pending, survives reconnects, and ends as sent or failed (with a Retry button).
  void tab.room.send({
    text,
    ...(replyTo === undefined ? {} : { replyTo }),
    ...(mentions.length === 0 ? {} : { mentions }),
    ...(attachments.length === 0 ? {} : { meta: { attachments } }),
  });
});

/** Adds an image link to the next message; false (with the reason shown) when it cannot be one. */
function attach(tab: Tab, text: string): boolean {
  const attachment = imageLink(text);
  if (attachment === undefined) {
    showError('Image links must be https:// URLs');
    return false;
  }
  if (tab.attachments.length >= MAX_ATTACHMENTS) {
    showError(`A message carries at most ${MAX_ATTACHMENTS} images`);
    return false;
  }
  tab.attachments.push(attachment);
  schedule();
  return true;
}

/** Attaches what the image-link field holds, and empties it when it could. */
function attachTyped(tab: Tab): boolean {
  if (!attach(tab, ui.imageUrl.value)) return false;
  ui.imageUrl.value = '';
  return true;
}

ui.imageUrl.addEventListener('keydown', (event) => {
  const tab = activeTab();
  if (event.key !== 'Enter' || tab === undefined) return;
  event.preventDefault();
  if (ui.imageUrl.value.trim() !== '') attachTyped(tab);
});

// Pasting a link to an image file attaches it instead of typing it.
ui.input.addEventListener('paste', (event) => {
  const tab = activeTab();
  const pasted = event.clipboardData?.getData('text/plain') ?? '';
  if (tab === undefined || !isImageUrl(pasted)) return;
  event.preventDefault();
  attach(tab, pasted);
});

ui.attachments.addEventListener('click', (event) => {
  const index = event.target instanceof HTMLElement ? event.target.dataset.index : undefined;
  const tab = activeTab();
  if (index === undefined || tab === undefined) return;
  tab.attachments.splice(Number(index), 1);
  schedule();
});

ui.cancelReply.addEventListener('click', () => {
  const tab = activeTab();
  if (tab === undefined) return;
  tab.replyTo = undefined;
  schedule();
});

ui.input.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    ui.composer.requestSubmit();
  }
});
ui.input.addEventListener('input', () => activeTab()?.room.setTyping(ui.input.value.trim() !== ''));
ui.input.addEventListener('blur', () => activeTab()?.room.setTyping(false));

function saveEdit(room: DemoRoom): void {
  if (editing === undefined) return;
  const { serial, draft } = editing;
  editing = undefined;
  schedule();
  const text = draft.trim();
  const current = room.messages.find((message) => message.status === 'sent' && message.serial === serial);
  if (text === '' || text === current?.text) return;
  void report('edit the message', room.edit(serial, text));
}

ui.messages.addEventListener('click', (event) => {
  const quote = event.target instanceof Element ? event.target.closest<HTMLElement>('.quote') : null;
  if (quote !== null) {
    reveal(Number(quote.dataset.replyTo));
    return;
  }
  const target =
    event.target instanceof Element ? event.target.closest<HTMLButtonElement>('button[data-action]') : null;
  const item = target?.closest<HTMLLIElement>('li.message');
  const tab = activeTab();
  if (target === null || item === null || item === undefined || tab === undefined) return;
  const { room } = tab;
  const serial = Number(item.dataset.serial);
  const clientId = item.dataset.clientId ?? '';
  switch (target.dataset.action) {
    case 'retry':
      void room.retry(clientId);
      break;
    case 'reply':
      tab.replyTo = serial;
      schedule();
      ui.input.focus();
      break;
    case 'discard':
      room.discard(clientId);
      break;
    case 'react':
      void report('react', room.react(serial, target.dataset.emoji ?? ''));
      break;
    case 'edit': {
      const message = room.messages.find((m) => m.status === 'sent' && m.serial === serial);
      editing = { serial, draft: message?.text ?? '', focus: true };
      confirmingDelete = undefined;
      schedule();
      break;
    }
    case 'save-edit':
      saveEdit(room);
      break;
    case 'cancel-edit':
      editing = undefined;
      schedule();
      break;
    case 'delete':
      confirmingDelete = serial;
      schedule();
      break;
    case 'cancel-delete':
      confirmingDelete = undefined;
      schedule();
      break;
    case 'confirm-delete':
      confirmingDelete = undefined;
      schedule();
      void report('delete the message', room.delete(serial));
      break;
  }
});

ui.messages.addEventListener('input', (event) => {
  if (editing !== undefined && event.target instanceof HTMLTextAreaElement) editing.draft = event.target.value;
});

ui.messages.addEventListener('keydown', (event) => {
  const tab = activeTab();
  if (tab === undefined || !(event.target instanceof HTMLTextAreaElement)) return;
  if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    saveEdit(tab.room);
  } else if (event.key === 'Escape') {
    editing = undefined;
    schedule();
  }
});

async function loadOlder(): Promise<void> {
  const tab = activeTab();
  if (tab === undefined || loadingOlder || !tab.room.hasOlder) return;
  loadingOlder = true;
  schedule();
  const result = await tab.room.loadOlder();
  loadingOlder = false;
  if (!result.ok) showError(`Could not load older messages: ${result.error.message}`);
  schedule();
}

ui.older.addEventListener('click', () => void loadOlder());
// Scrolling to the top loads the page before it; the render keeps the visible messages in place.
ui.scroller.addEventListener('scroll', () => {
  if (ui.scroller.scrollTop < 80) void loadOlder();
});

// ——— direct rooms ———

ui.members.addEventListener('click', (event) => {
  const target = event.target instanceof Element ? event.target.closest<HTMLButtonElement>('button.dm') : null;
  const userId = target?.closest<HTMLLIElement>('li')?.dataset.userId;
  if (target === null || userId === undefined) return;
  void openDirect(userId);
});

async function openDirect(userId: string): Promise<void> {
  const current = session;
  if (current === undefined) return;
  const opened = await current.client.openDirect(userId);
  if (session !== current) return;
  if (!opened.ok) {
    showRoomError(`Could not open a direct room: ${opened.error.message}`);
    return;
  }
  await joinRoom(opened.data.id, true);
}

// ——— search ———

let searching = 0;

function closeSearch(): void {
  searching += 1;
  ui.searchPanel.hidden = true;
  ui.searchResults.replaceChildren();
}

ui.search.addEventListener('submit', (event) => {
  event.preventDefault();
  const tab = activeTab();
  const query = ui.searchInput.value.trim();
  if (tab === undefined || query === '') return;
  void search(tab.room, query);
});

async function search(room: DemoRoom, query: string): Promise<void> {
  const ticket = ++searching;
  ui.searchPanel.hidden = false;
  ui.searchSummary.textContent = `Searching for "${query}"…`;
  ui.searchResults.replaceChildren();
  const found = await room.search(query, { limit: 20 });
  if (ticket !== searching) return; // another search, or the room changed
  if (!found.ok) {
    ui.searchSummary.textContent = `Search failed: ${found.error.message}`;
    return;
  }
  const { messages, hasMore } = found.data;
  const count = `${messages.length}${hasMore ? '+' : ''}`;
  ui.searchSummary.textContent = `${count} message${messages.length === 1 ? '' : 's'} with "${query}"`;
  ui.searchResults.replaceChildren(...messages.map(searchResult));
}

function searchResult(message: { serial: number; author: ChatUser; text: string }): HTMLLIElement {
  const item = document.createElement('li');
  item.dataset.serial = String(message.serial);
  const open = document.createElement('button');
  open.type = 'button';
  const author = document.createElement('span');
  author.className = 'author';
  author.textContent = message.author.name;
  const text = document.createElement('span');
  text.className = 'text';
  text.textContent = message.text;
  open.append(author, text);
  item.append(open);
  return item;
}

ui.searchResults.addEventListener('click', (event) => {
  const item = event.target instanceof Element ? event.target.closest<HTMLLIElement>('li') : null;
  if (item === null) return;
  const serial = Number(item.dataset.serial);
  if (!reveal(serial)) showError(`Message #${serial} is older than the loaded ones: scroll up to load it`);
});
ui.searchClose.addEventListener('click', closeSearch);

// ——— connection and session ———

function showStatus(status: ConnectionStatus, error: ChatwireError | undefined): void {
  ui.status.dataset.status = status;
  ui.app.dataset.status = status;
  ui.status.textContent = STATUS_LABELS[status];
  ui.statusDetail.textContent = status === 'connected' ? '' : (error?.message ?? '');
  ui.reconnect.hidden = status !== 'disconnected';
}

/** A random user id for names that leave no usable slug (emoji, other scripts), kept for this tab. */
function randomUserId(): string {
  const saved = sessionStorage.getItem(KEY.userId);
  if (saved !== null) return saved;
  // getRandomValues, not randomUUID: the page may be served over plain HTTP on a LAN address.
  const id = `user-${Array.from(crypto.getRandomValues(new Uint8Array(4)), (b) => b.toString(16).padStart(2, '0')).join('')}`;
  sessionStorage.setItem(KEY.userId, id);
  return id;
}

async function start(name: string): Promise<void> {
  const me: ChatUser = { name, userId: slugify(name) ?? randomUserId() };
  sessionStorage.setItem(KEY.name, name);
  // DEVELOPMENT ONLY: the server's devAuthenticator believes this claim. With tokens, pass { token }.
  const client = createChatClient(window.location.origin, {
    auth: me,
    // The demo's messages carry image links (meta.attachments), checked on the way in and out.
    contract: demoContract,
    // Come back quickly after a network blip; socket.io backs off up to the max between tries.
    reconnectionDelay: 500,
    reconnectionDelayMax: 3000,
  });
  session = { client, me };
  client.on('status', showStatus);
  client.on('roomList', schedule);
  showStatus(client.status, undefined);
  ui.me.textContent = name;
  ui.loginScreen.hidden = true;
  ui.app.hidden = false;
  schedule();
  const wanted = sessionStorage.getItem(KEY.active);
  // One after the other, so the tabs keep their order.
  for (const roomId of savedRooms()) await joinRoom(roomId, roomId === wanted);
  // The user's rooms with live unread counts: from other tabs and devices too, DMs others opened.
  const listed = await client.listRooms();
  if (!listed.ok && session?.client === client) showRoomError(`Could not list your rooms: ${listed.error.message}`);
  ui.input.focus();
}

function logout(): void {
  session?.client.close();
  session = undefined;
  for (const tab of tabs.values()) for (const off of tab.off) off();
  tabs.clear();
  items.clear();
  activeId = undefined;
  editing = undefined;
  confirmingDelete = undefined;
  for (const key of Object.values(KEY)) sessionStorage.removeItem(key);
  ui.messages.replaceChildren();
  ui.members.replaceChildren();
  ui.rooms.replaceChildren();
  ui.app.hidden = true;
  ui.loginScreen.hidden = false;
  ui.name.focus();
}

ui.loginForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const name = ui.name.value.trim();
  if (name === '') return;
  void start(name);
});
ui.logout.addEventListener('click', logout);
ui.reconnect.addEventListener('click', () => session?.client.connect());
document.addEventListener('visibilitychange', () => {
  const tab = activeTab();
  if (tab !== undefined) markSeen(tab.room);
  schedule();
});

// A reload keeps the tab's user and rooms.
const savedName = sessionStorage.getItem(KEY.name);
if (savedName !== null) void start(savedName);
else ui.name.focus();
