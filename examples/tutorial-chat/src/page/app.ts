import { createClient } from '@chatwire/client';
import { tutorialContract } from '../contract.js';

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`#${id} is missing`);
  return found as T;
}

const messages = element<HTMLUListElement>('messages');
const status = element<HTMLParagraphElement>('status');
const msgInput = element<HTMLInputElement>('msg');
const sendButton = element<HTMLButtonElement>('send');

/** Adds one line; text only, so a message can never inject HTML. */
function show(text: string, kind: 'me' | 'other' | 'system' | 'error'): void {
  const item = document.createElement('li');
  item.className = kind;
  item.textContent = text;
  messages.append(item);
  messages.scrollTop = messages.scrollHeight;
}

const client = createClient(tutorialContract, window.location.origin);

client.onStatus((next, error) => {
  status.textContent = error ? `${next}: ${error.message}` : next;
});
client.on('login', (name) => show(`${name} joined`, 'system'));
client.on('chat', ({ from, msg }) => show(`${from.name}: ${msg}`, 'other'));
client.onError((error) => show(`refused (${error.code}): ${error.message}`, 'error'));

element<HTMLFormElement>('login').addEventListener('submit', (event) => {
  event.preventDefault();
  const name = element<HTMLInputElement>('name').value;
  const userid = element<HTMLInputElement>('userid').value;
  // A refused payload is shown by the onError listener above.
  if (!client.emit('login', { name, userid }).ok) return;
  msgInput.disabled = false;
  sendButton.disabled = false;
  msgInput.focus();
});

element<HTMLFormElement>('chat').addEventListener('submit', (event) => {
  event.preventDefault();
  const msg = msgInput.value;
  if (!client.emit('chat', { msg }).ok) return;
  show(`me: ${msg}`, 'me');
  msgInput.value = '';
});
