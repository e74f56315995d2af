import { describe, expect, it } from 'vitest';
import { startChat } from '../chat/support.js';
import { chatClient, eventually, joinRoom } from './support.js';

describe('member lists that arrive out of order (several nodes)', () => {
  it('keeps the list with the highest version', async () => {
    const { url, chat } = await startChat();
    const ana = await joinRoom(chatClient(url, 'ana'), 'r');
    await joinRoom(chatClient(url, 'ben'), 'r');
    await eventually(() => expect(ana.members.map((m) => m.userId).sort()).toEqual(['ana', 'ben']));
    // A list from another node, computed before ben joined, arrives late.
    chat.room('r').emit('presence', { roomId: 'r', members: [{ userId: 'ana', name: 'Ana' }], version: 0 });
    chat.room('r').emit('presence', {
      roomId: 'r',
      members: [
        { userId: 'ana', name: 'Ana' },
        { userId: 'ben', name: 'Ben' },
        { userId: 'cai', name: 'Cai' },
      ],
      version: Number.MAX_SAFE_INTEGER,
    });
    await eventually(() => expect(ana.members.map((m) => m.userId)).toEqual(['ana', 'ben', 'cai']));
    chat.room('r').emit('presence', { roomId: 'r', members: [], version: 5 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(ana.members.map((m) => m.userId)).toEqual(['ana', 'ben', 'cai']);
  });
});

describe('message updates that arrive out of order', () => {
  it('keep the copy with the later change', async () => {
    const { url, chat } = await startChat();
    const ana = await joinRoom(chatClient(url, 'ana'), 'r');
    const sent = await ana.send('v1');
    if (!sent.ok) throw new Error('send failed');
    const base = sent.data;
    chat.room('r').emit('message:updated', { ...base, text: 'v3', editedAt: 3, updatedAt: 3 });
    chat.room('r').emit('message:updated', { ...base, text: 'v2 (late)', editedAt: 2, updatedAt: 2 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(ana.messages.map((m) => m.text)).toEqual(['v3']);
  });
});
