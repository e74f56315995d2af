import { directRoomId } from '@chatwire/protocol';
import { MemoryStore } from '@chatwire/server';
import { describe, expect, it, vi } from 'vitest';
import { imageLink, isImageUrl } from '../src/chat-contract.js';
import { startApp, user } from './support.js';

const ANA = { userId: 'ana', name: 'Ana' };

describe('the demo’s chat contract', () => {
  it('stores an https image link and refuses javascript:, data: and http: ones before storing anything', async () => {
    const store = new MemoryStore();
    const { app, url } = await startApp({ store });
    const image = { url: 'https://images.example/cat.png', name: 'cat.png', type: 'image/png' };
    const stored = await app.chat.send('general', { text: 'a cat', meta: { attachments: [image] } }, { as: ANA });
    expect(stored.meta).toEqual({ attachments: [image] });

    for (const bad of ['javascript:alert(1)', 'data:image/png;base64,AAAA', 'http://images.example/cat.png']) {
      await expect(
        app.chat.send('general', { text: 'bad', meta: { attachments: [{ ...image, url: bad }] } }, { as: ANA }),
      ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    }
    // A browser that skips the page's checks meets the same schema on the server.
    const raw = user(url, 'Mallory');
    const joined = await raw.join('general');
    expect(joined.ok).toBe(true);
    const answer = await new Promise<unknown>((resolve) =>
      raw.client.raw.emit(
        'message:send',
        {
          roomId: 'general',
          clientMessageId: 'evil-1',
          text: 'click me',
          meta: { attachments: [{ ...image, url: 'javascript:alert(1)' }] },
        },
        resolve,
      ),
    );
    expect(answer).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    expect((await store.history('general', { limit: 10 })).messages.map((m) => m.text)).toEqual(['a cat']);
  });

  it('turns typed or pasted https links into image attachments, and nothing else', () => {
    expect(imageLink(' https://images.example/a/cat%20photo.JPG ')).toEqual({
      url: 'https://images.example/a/cat%20photo.JPG',
      name: 'cat photo.JPG',
      type: 'image/jpeg',
    });
    expect(imageLink('https://images.example/render?id=3')).toMatchObject({ type: 'image/*', name: 'render' });
    expect([imageLink('javascript:alert(1)'), imageLink('http://images.example/cat.png'), imageLink('cat')]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
    expect([isImageUrl('https://images.example/cat.gif'), isImageUrl('https://images.example/page')]).toEqual([
      true,
      false,
    ]);
  });
});

describe('the demo’s direct rooms', () => {
  it('opening a DM puts it in the other user’s room list, with the unread count', async () => {
    const { url } = await startApp();
    const ana = user(url, 'Ana');
    const ben = user(url, 'Ben');
    expect((await ben.listRooms()).ok).toBe(true);
    const dm = await ana.openDirect('ben');
    if (!dm.ok) throw new Error(dm.error.message);
    expect(dm.data.id).toBe(directRoomId('ana', 'ben'));
    await dm.data.send('psst');
    await vi.waitFor(() => expect(ben.roomList).toMatchObject([{ roomId: 'dm:ana:ben', unread: 1 }]));
  });
});
