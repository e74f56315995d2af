export {
  type ConnectionState,
  type PresenceState,
  type RoomState,
  type RoomStatus,
  type RoomsState,
  type TypingState,
  useConnectionStatus,
  usePresence,
  useRoom,
  useRooms,
  useTyping,
} from './hooks.js';
export { ChatProvider, type ChatProviderProps, useChatClient } from './provider.js';
