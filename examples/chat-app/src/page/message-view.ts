import type { RoomMessage } from '@chatwire/client';
import type { ChatUser } from '@chatwire/protocol';
import type { Attachment, DemoContract } from '../chat-contract.js';
import { formatTime } from './format.js';

/** A message of the demo's rooms: stored, or ours on its way. */
export type DemoRoomMessage = RoomMessage<DemoContract>;

/** The quick reactions offered on every message; any other emoji another client used shows too. */
export const EMOJIS = ['👍', '❤️', '😂', '🎉', '😮'] as const;

/** How a message is shown right now, besides its own fields. */
export interface MessageViewState {
  me: ChatUser;
  /** The editor's text, when this message is being edited. */
  draft: string | undefined;
  /** The delete button asks for confirmation. */
  confirmingDelete: boolean;
  /** Display names by user id, for the reactions' tooltips. */
  names: ReadonlyMap<string, string>;
  /** The message this one replies to, when it is loaded (else the quote shows its serial only). */
  quoted: { author: string; text: string } | undefined;
}

/** Which list item a message is: its serial once stored, its clientMessageId while ours is on its way. */
export function messageKey(message: DemoRoomMessage): string {
  return message.status === 'sent' ? `s${message.serial}` : `c${message.clientMessageId}`;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className !== '') node.className = className;
  // textContent only, everywhere: user text is never parsed as HTML.
  if (text !== undefined) node.textContent = text;
  return node;
}

function button(label: string, action: string, className = 'link'): HTMLButtonElement {
  const node = el('button', className, label);
  node.type = 'button';
  node.dataset.action = action;
  return node;
}

/**
 * One message as a list item. Buttons carry `data-action` (and reactions `data-emoji`); the list
 * handles their clicks, so an item holds no listeners and can be replaced freely.
 */
export function renderMessage(message: DemoRoomMessage, state: MessageViewState): HTMLLIElement {
  const mine = message.author.userId === state.me.userId || message.author.userId === '';
  const deleted = message.status === 'sent' && message.deletedAt !== undefined;
  const item = el('li', 'message');
  item.classList.toggle('mine', mine);
  item.classList.toggle(message.status, message.status !== 'sent');
  item.classList.toggle('deleted', deleted);
  const system = message.status === 'sent' && message.system === true;
  item.classList.toggle('system', system);
  item.classList.toggle('mentions-me', !deleted && (message.mentions?.includes(state.me.userId) ?? false));
  item.dataset.clientId = message.clientMessageId;
  item.dataset.author = message.author.userId || state.me.userId;
  if (message.status === 'sent') item.dataset.serial = String(message.serial);

  const meta = el('div', 'meta');
  // A send made before the server confirmed who we are has no author yet: it is ours.
  meta.append(el('span', 'author', message.author.name || state.me.name));
  const time = el('time', '', formatTime(message.createdAt));
  time.dateTime = new Date(message.createdAt).toISOString();
  time.title = new Date(message.createdAt).toLocaleString();
  meta.append(time);
  if (message.status === 'sent' && message.editedAt !== undefined && !deleted) {
    const edited = el('span', 'edited', '(edited)');
    edited.title = `edited ${new Date(message.editedAt).toLocaleString()}`;
    meta.append(edited);
  }
  item.append(meta);

  if (message.replyTo !== undefined && !deleted) item.append(renderQuote(message.replyTo, state.quoted));

  if (state.draft !== undefined && !deleted) {
    item.append(renderEditor(state.draft));
  } else {
    item.append(el('div', 'text', deleted ? 'message deleted' : message.text));
  }
  const images = deleted
    ? []
    : (message.meta?.attachments ?? []).flatMap((attachment) => renderImage(attachment) ?? []);
  if (images.length > 0) {
    const row = el('div', 'images');
    row.append(...images);
    item.append(row);
  }

  if (message.status === 'failed') {
    const error = el('div', 'error');
    error.append(el('span', 'reason', `Not sent: ${message.error?.message ?? 'unknown error'}`));
    error.append(button('Retry', 'retry'), button('Discard', 'discard'));
    item.append(error);
  }

  if (message.status === 'sent' && !deleted && !system && state.draft === undefined) {
    const reactions = renderReactions(message.reactions, message.reactionCounts ?? {}, state);
    if (reactions !== undefined) item.append(reactions);
    // A toolbar shown on hover: quick reactions for every message, edit and delete for ours.
    const actions = el('div', 'actions');
    for (const emoji of EMOJIS) {
      const quick = button(emoji, 'react', 'link quick-react');
      quick.dataset.emoji = emoji;
      quick.title = `React with ${emoji}`;
      actions.append(quick);
    }
    actions.append(button('Reply', 'reply'));
    if (mine && state.confirmingDelete) {
      actions.append(button('Really delete?', 'confirm-delete'), button('Cancel', 'cancel-delete'));
    } else if (mine) {
      actions.append(button('Edit', 'edit'), button('Delete', 'delete'));
    }
    item.append(actions);
  }
  return item;
}

/** "↪ Ana: the text" above a reply; a click on it scrolls to the message when it is loaded. */
function renderQuote(serial: number, quoted: MessageViewState['quoted']): HTMLElement {
  const quote = el('blockquote', 'quote');
  quote.dataset.replyTo = String(serial);
  if (quoted === undefined) {
    quote.append(el('span', 'quote-text', `a message (#${serial}) not loaded`));
  } else {
    quote.append(el('span', 'quote-author', quoted.author), el('span', 'quote-text', quoted.text));
  }
  return quote;
}

/**
 * An image link as an <img>: its URL checked once more (https only, whatever the server let through),
 * fetched lazily and without a referrer; set as properties, never as HTML.
 */
export function renderImage(attachment: Attachment): HTMLImageElement | undefined {
  let url: URL;
  try {
    url = new URL(attachment.url);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:') return undefined;
  const image = el('img', 'attachment');
  image.referrerPolicy = 'no-referrer';
  image.loading = 'lazy';
  image.decoding = 'async';
  image.alt = attachment.name;
  image.title = attachment.name;
  image.src = url.href;
  return image;
}

function renderEditor(draft: string): HTMLElement {
  const editor = el('div', 'editor');
  const input = el('textarea', 'edit-input');
  input.value = draft;
  input.rows = Math.min(6, draft.split('\n').length);
  const bar = el('div', 'hint', 'Enter saves · Esc cancels ');
  bar.append(button('Save', 'save-edit'), button('Cancel', 'cancel-edit'));
  editor.append(input, bar);
  return editor;
}

/**
 * The reactions given so far, each a toggle with its count; undefined when there are none. The
 * server lists at most 20 users per emoji: `counts` has the total of longer ones.
 */
function renderReactions(
  reactions: Record<string, string[]>,
  counts: Record<string, number>,
  state: MessageViewState,
): HTMLElement | undefined {
  const given = Object.entries(reactions)
    .map(([emoji, users]) => ({ emoji, users, count: counts[emoji] ?? users.length }))
    .filter(({ count }) => count > 0);
  if (given.length === 0) return undefined;
  const row = el('div', 'reactions');
  for (const { emoji, users, count } of given) {
    const mine = users.includes(state.me.userId);
    const chip = button(emoji, 'react', 'reaction');
    chip.dataset.emoji = emoji;
    chip.classList.toggle('mine', mine);
    chip.setAttribute('aria-pressed', String(mine));
    const others = count - users.length;
    const names = users.map((id) => state.names.get(id) ?? id).join(', ');
    chip.title = others > 0 ? `${names} and ${others} more` : names;
    chip.append(el('span', 'count', String(count)));
    row.append(chip);
  }
  return row;
}
