import { describe, expect, it } from 'vitest';
import { startChat } from '../chat/support.js';
import { nextValue } from '../support/harness.js';
import { chatClient, dropConnections, eventually, joinRoom, texts } from './support.js';

describe('a listener that throws', () => {
  it('is reported to onError and never stalls the resume after a reconnect: pending sends still go out', async () => {
    const { url, chat } = await startChat();
    const reported: { error: unknown; event: string }[] = [];
    const ana = chatClient(url, 'ana', { onError: (error, event) => reported.push({ error, event }) });
    const ben = chatClient(url, 'ben');
    const [a, b] = await Promise.all([joinRoom(ana, 'r'), joinRoom(ben, 'r')]);
    const bug = new Error('listener bug');
    a.on('change', () => {
      throw bug;
    });
    a.on('presence', () => {
      throw bug;
    });
    ana.on('status', () => {
      throw bug;
    });
    const seen: string[] = [];
    // A well-behaved listener after the throwing ones still hears every event.
    a.on('message', (message) => seen.push(message.text));

    const down = nextValue<string>((fn) => ana.on('status', (s) => s !== 'connected' && fn(s)));
    await dropConnections(chat.server, 'ana');
    expect(await down).toBe('reconnecting');
    const sending = a.send('sent offline');

    // The resume re-joins the room (presence and change listeners throw there), syncs, then opens the gate.
    await ana.ready();
    expect(await sending).toMatchObject({ ok: true, data: { serial: 1, text: 'sent offline' } });
    await eventually(() => expect(texts(b)).toEqual(['sent offline']));
    expect(seen).toEqual(['sent offline']);
    expect(texts(a)).toEqual(['sent offline']);
    const events = new Set(reported.map((r) => r.event));
    expect(events).toEqual(new Set(['change', 'presence', 'status']));
    expect(reported.every((r) => r.error === bug)).toBe(true);
  });
});
