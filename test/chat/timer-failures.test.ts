import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { connectUser, join, nextEvent, startChat } from './support.js';

describe('a failure inside a timer of the chat server', () => {
  it('a typing flag that expires while broadcasting fails is logged; the server lives on', async () => {
    const logger = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };
    const { chat, url } = await startChat({ typingTimeoutMs: 50, logger });
    const ana = await connectUser(url, 'ana');
    await join(ana, 'lobby');
    const typing = nextEvent(ana, 'typing');
    ana.emit('typing:set', { roomId: 'lobby', isTyping: true });
    await typing;
    // From now on the adapter fails to broadcast, as a broken adapter plug-in would.
    const broadcast = vi.spyOn(chat.raw.server.of('/').adapter, 'broadcast').mockImplementation(() => {
      throw new Error('adapter broke');
    });
    onTestFinished(() => broadcast.mockRestore());
    await vi.waitFor(() =>
      expect(logger.error).toHaveBeenCalledWith(
        'chatwire: typing timer failed',
        expect.objectContaining({ roomId: 'lobby', error: expect.objectContaining({ message: 'adapter broke' }) }),
      ),
    );
    broadcast.mockRestore();
    expect(await chat.members('lobby')).toEqual([{ userId: 'ana', name: 'Ana' }]);
  });
});
