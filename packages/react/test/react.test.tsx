import type { ChatClientOptions } from '@chatwire/client';
import type { ChatContract } from '@chatwire/protocol';
import type { NewMessage } from '@chatwire/server';
import { MemoryStore } from '@chatwire/server';
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { StrictMode, useEffect } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startChat, userOf } from '../../../test/chat/support.js';
import { chatClient, joinRoom } from '../../../test/chat-client/support.js';
import { ChatProvider, useConnectionStatus, usePresence, useRoom, useRooms, useTyping } from '../src/index.js';

afterEach(cleanup);

const options = (user: string): ChatClientOptions => ({ auth: userOf(user), transports: ['websocket'] });

function Room({ id, onSend }: { id: string; onSend?: (send: ReturnType<typeof useRoom>['send']) => void }) {
  const { messages, status, send } = useRoom(id);
  useEffect(() => {
    onSend?.(send);
  }, [onSend, send]);
  return (
    <section aria-label={`room ${id}`}>
      <p>{status}</p>
      <ul>
        {messages.map((m) => (
          <li key={m.clientMessageId}>{`${m.author.name}: ${m.text} (${m.status})`}</li>
        ))}
      </ul>
      <button type="button" onClick={() => void send('from the button')}>
        send
      </button>
    </section>
  );
}

/** Ana's provider with the status and, when `show`, room r. */
function App({
  url,
  show,
  onSend,
}: {
  url: string;
  show: boolean;
  onSend: (send: ReturnType<typeof useRoom>['send']) => void;
}) {
  return (
    <ChatProvider url={url} options={options('ana')}>
      <Status />
      {show ? <Room id="r" onSend={onSend} /> : null}
    </ChatProvider>
  );
}

function Status() {
  const { status } = useConnectionStatus();
  return <p>status: {status}</p>;
}

/** Counts the server's connections and each event name its sockets receive. */
function countEvents(chat: Awaited<ReturnType<typeof startChat<ChatContract>>>['chat']) {
  const counts = { connections: 0, events: new Map<string, number>() };
  chat.raw.server.on('connection', (socket) => {
    counts.connections += 1;
    socket.onAny((event: string) => counts.events.set(event, (counts.events.get(event) ?? 0) + 1));
  });
  return counts;
}

describe('ChatProvider and useRoom', () => {
  it('under StrictMode, opens one connection and joins once for two components on one room', async () => {
    const { url, chat } = await startChat();
    const counts = countEvents(chat);
    const ben = chatClient(url, 'ben');
    const benRoom = await joinRoom(ben, 'r');
    await benRoom.send('hello');
    const errors = vi.spyOn(console, 'error');
    render(
      <StrictMode>
        <ChatProvider url={url} options={options('ana')}>
          <Status />
          <Room id="r" />
          <Room id="r" />
        </ChatProvider>
      </StrictMode>,
    );
    expect(await screen.findAllByText('Ben: hello (sent)')).toHaveLength(2);
    await screen.findByText('status: connected');
    fireEvent.click(screen.getAllByText('send')[0] as HTMLElement);
    expect(await screen.findAllByText('Ana: from the button (sent)')).toHaveLength(2);
    await waitFor(() => expect(benRoom.messages.map((m) => m.text)).toEqual(['hello', 'from the button']));
    // Ben's client is one connection and one join; Ana's provider adds exactly one of each.
    expect(counts.connections).toBe(2);
    expect(counts.events.get('room:join')).toBe(2);
    expect(errors).not.toHaveBeenCalled();
    errors.mockRestore();
  });

  it('closes its connection when unmounted, not before', async () => {
    const { url, chat } = await startChat();
    const { unmount } = render(
      <ChatProvider url={url} options={options('ana')}>
        <Status />
      </ChatProvider>,
    );
    await screen.findByText('status: connected');
    expect(chat.raw.server.engine.clientsCount).toBe(1);
    unmount();
    await waitFor(() => expect(chat.raw.server.engine.clientsCount).toBe(0));
  });

  describe('unmounted during a pending send', () => {
    /** A store whose appends wait until `release()`. */
    class GatedStore extends MemoryStore {
      private release_ = () => {};
      private readonly opened = new Promise<void>((resolve) => {
        this.release_ = resolve;
      });
      private reach = () => {};
      /** Resolves when a send reached the store. */
      readonly reached = new Promise<void>((resolve) => {
        this.reach = resolve;
      });
      release() {
        this.release_();
      }
      override async append(input: NewMessage) {
        this.reach();
        await this.opened;
        return super.append(input);
      }
    }

    it('the component: the send still completes, without warnings', async () => {
      const store = new GatedStore();
      const { url } = await startChat({ store });
      const errors = vi.spyOn(console, 'error');
      let send: ReturnType<typeof useRoom>['send'] | undefined;
      const onSend = (s: typeof send) => {
        send = s;
      };
      const { rerender } = render(<App url={url} show onSend={onSend} />);
      await screen.findByText('joined');
      let sent: ReturnType<NonNullable<typeof send>> | undefined;
      await act(async () => {
        sent = (send as NonNullable<typeof send>)('bye');
      });
      await store.reached;
      rerender(<App url={url} show={false} onSend={onSend} />);
      expect(screen.queryByText('joined')).toBeNull();
      store.release();
      expect(await sent).toMatchObject({ ok: true, data: { serial: 1, text: 'bye' } });
      expect((await store.history('r', { limit: 10 })).messages.map((m) => m.text)).toEqual(['bye']);
      expect(errors).not.toHaveBeenCalled();
      errors.mockRestore();
    });

    it('the provider: the send fails cleanly with DISCONNECTED, without warnings', async () => {
      const store = new GatedStore();
      const { url } = await startChat({ store });
      const errors = vi.spyOn(console, 'error');
      let send: ReturnType<typeof useRoom>['send'] | undefined;
      const { unmount } = render(
        <ChatProvider url={url} options={options('ana')}>
          <Room id="r" onSend={(s) => (send = s)} />
        </ChatProvider>,
      );
      await screen.findByText('joined');
      const sent = (send as NonNullable<typeof send>)('bye');
      await store.reached;
      unmount();
      expect(await sent).toMatchObject({ ok: false, error: { code: 'DISCONNECTED' } });
      store.release();
      expect(errors).not.toHaveBeenCalled();
      errors.mockRestore();
    });
  });
});

/** The room list, the members and who is typing in room r. */
function Side() {
  const { rooms } = useRooms();
  const { members } = usePresence('r');
  const { typing } = useTyping('r');
  return (
    <div>
      <p>rooms: {rooms.map((r) => `${r.roomId}=${r.unread}`).join(',')}</p>
      <p>
        members:{' '}
        {members
          .map((m) => m.userId)
          .sort()
          .join(',')}
      </p>
      <p>typing: {typing.map((m) => m.userId).join(',')}</p>
    </div>
  );
}

describe('useRooms, usePresence, useTyping', () => {
  it('list the rooms with unread counts, the members and who is typing, live', async () => {
    const { url } = await startChat();
    const ben = chatClient(url, 'ben');
    const benRoom = await joinRoom(ben, 'r');
    render(
      <ChatProvider url={url} options={options('ana')}>
        <Side />
      </ChatProvider>,
    );
    await screen.findByText('members: ana,ben');
    await screen.findByText('rooms: r=0');
    await benRoom.send('one');
    await benRoom.send('two');
    await screen.findByText('rooms: r=2');
    benRoom.setTyping(true);
    await screen.findByText('typing: ben');
  });
});
