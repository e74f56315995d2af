import type { ChatUser } from '@chatwire/protocol';
import { ChatProvider, useConnectionStatus, useRoom, useTyping } from '@chatwire/react';
import { type FormEvent, useState } from 'react';

const ROOM = 'general';

/** A name to log in with, then the chat as that user. */
export function App() {
  const [me, setMe] = useState<ChatUser | undefined>(undefined);
  if (me === undefined) {
    const login = (event: FormEvent<HTMLFormElement>) => {
      event.preventDefault();
      const name = String(new FormData(event.currentTarget).get('name') ?? '').trim();
      const userId = name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
      if (userId !== '') setMe({ name, userId });
    };
    return (
      <form onSubmit={login}>
        <input id="name" name="name" placeholder="Your name" autoComplete="off" />
        <button type="submit">Join</button>
      </form>
    );
  }
  // DEVELOPMENT ONLY: the demo server's devAuthenticator believes this claim. With tokens, pass { token }.
  return (
    <ChatProvider url={window.location.origin} options={{ auth: me, reconnectionDelay: 500 }}>
      <Chat me={me} />
    </ChatProvider>
  );
}

function Chat({ me }: { me: ChatUser }) {
  const { status } = useConnectionStatus();
  const { messages, members, send, hasMore, loadOlder } = useRoom(ROOM);
  const { typing, setTyping } = useTyping(ROOM);
  const [draft, setDraft] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (draft.trim() === '') return;
    void send(draft);
    setDraft('');
  };
  return (
    <main>
      <section>
        <p id="status" data-status={status}>
          {me.name} · {status}
        </p>
        {hasMore && (
          <button type="button" onClick={() => void loadOlder()}>
            Older messages
          </button>
        )}
        <ul id="messages">
          {messages.map((message) => (
            <li
              key={message.clientMessageId}
              className={message.status}
              data-serial={message.status === 'sent' ? message.serial : undefined}
            >
              <b>{message.author.name || me.name}</b> <span className="text">{message.text}</span>
            </li>
          ))}
        </ul>
        <p id="typing">{typing.length > 0 && `${typing.map((user) => user.name).join(', ')} typing…`}</p>
        <form onSubmit={submit}>
          <input
            id="message-input"
            value={draft}
            autoComplete="off"
            placeholder={`Message #${ROOM}`}
            onChange={(event) => {
              setDraft(event.target.value);
              setTyping(event.target.value !== '');
            }}
          />
          <button type="submit">Send</button>
        </form>
      </section>
      <ul id="members">
        {members.map((user) => (
          <li key={user.userId} data-user-id={user.userId}>
            {user.name}
          </li>
        ))}
      </ul>
    </main>
  );
}
