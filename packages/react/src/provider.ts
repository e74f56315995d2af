import { type ChatClient, type ChatClientOptions, createChatClient } from '@chatwire/client';
import type { AnyChatContract, ChatContract } from '@chatwire/protocol';
import { createContext, createElement, type ReactNode, useContext, useEffect, useRef } from 'react';

const ChatContext = createContext<ChatClient<AnyChatContract> | undefined>(undefined);

/**
 * Props of {@link ChatProvider}: a server `url` and the client's `options` (the provider makes the
 * client, connects it when mounted and closes it when unmounted), or a ready `client` it only hands
 * down (you connect and close it).
 *
 * @example
 * ```ts
 * const props: ChatProviderProps = { url: 'https://chat.example.com', options: { auth: { token } } };
 * <ChatProvider {...props}><Room id="general" /></ChatProvider>;
 * ```
 */
export type ChatProviderProps<C extends AnyChatContract = ChatContract> = { children?: ReactNode } & (
  | {
      url: string;
      /** Read when the client is made: change `url` (or the provider's `key`) to make another. */
      options: ChatClientOptions<C>;
      client?: never;
    }
  | { client: ChatClient<C>; url?: never; options?: never }
);

interface OwnedClient {
  client: ChatClient<AnyChatContract>;
  url: string;
  closeTimer?: ReturnType<typeof setTimeout>;
}

/**
 * Hands a chat client to the hooks below it: one connection per provider. Under StrictMode, the
 * effect's mount, unmount and mount again keep that one connection: the client is closed only when
 * the provider stays unmounted.
 * @example
 * <ChatProvider url="https://chat.example.com" options={{ auth: { token } }}>
 *   <Room id="general" />
 * </ChatProvider>
 */
export function ChatProvider<C extends AnyChatContract = ChatContract>(props: ChatProviderProps<C>): ReactNode {
  const owned = useRef<OwnedClient | undefined>(undefined);
  if (props.client === undefined && owned.current?.url !== props.url) {
    // Not connected before the effect: a render React throws away opens no socket.
    const client = createChatClient<C>(props.url, { ...props.options, autoConnect: false });
    owned.current = { client: client as unknown as ChatClient<AnyChatContract>, url: props.url };
  }
  const entry = props.client === undefined ? owned.current : undefined;
  useEffect(() => {
    if (entry === undefined) return;
    clearTimeout(entry.closeTimer);
    entry.client.connect();
    return () => {
      // StrictMode mounts again at once: close only if it does not.
      entry.closeTimer = setTimeout(() => entry.client.close());
    };
  }, [entry]);
  const client = (props.client ?? entry?.client) as ChatClient<AnyChatContract>;
  return createElement(ChatContext.Provider, { value: client }, props.children);
}

/**
 * The {@link ChatProvider}'s client, typed by your chat contract `C`; throws outside a provider.
 * @example const chat = useChatClient<typeof contract>();
 */
export function useChatClient<C extends AnyChatContract = ChatContract>(): ChatClient<C> {
  const client = useContext(ChatContext);
  if (client === undefined) throw new Error('useChatClient and the chat hooks must be used inside a <ChatProvider>');
  return client as unknown as ChatClient<C>;
}
