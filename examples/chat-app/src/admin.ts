import { createHash, timingSafeEqual } from 'node:crypto';
import { ChatwireError } from '@chatwire/protocol';
import type { ChatServer, ChatwireNamespace, Logger, RoomRestriction } from '@chatwire/server';
import { type AdminContract, adminContract, type ChatMetrics } from './admin-contract.js';
import type { DemoContract } from './chat-contract.js';

/**
 * Logs every chat event (name, outcome code, durationMs) at debug level and counts each event's
 * outcomes; also remembers the rooms joined, for `rooms:list`. Returns what the admin namespace reads.
 */
export function instrumentChat(
  chat: ChatServer<DemoContract>,
  logger: Logger,
): { metrics: ChatMetrics; rooms: Set<string> } {
  const metrics: ChatMetrics = { events: {} };
  const rooms = new Set<string>();
  chat.server.useEvent(async (context, next) => {
    const outcome = await next();
    const code = outcome.ok ? 'ok' : outcome.code;
    logger.debug('chat event', { event: context.event, code, durationMs: outcome.durationMs });
    const counts = metrics.events[context.event] ?? {};
    counts[code] = (counts[code] ?? 0) + 1;
    metrics.events[context.event] = counts;
    if (outcome.ok && context.event === 'room:join') rooms.add(context.payload.roomId);
  });
  return { metrics, rooms };
}

/** True when `given` is `expected`, in time independent of where they differ (both hashed first, so of any length). */
export function sameToken(given: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * Adds the `/admin` namespace beside the chat: only clients whose `auth.token` is `adminToken` get in;
 * without an `adminToken` nobody does (`UNAUTHORIZED`).
 */
export function addAdmin(
  chat: ChatServer<DemoContract>,
  { adminToken, logger }: { adminToken: string | undefined; logger: Logger },
): ChatwireNamespace<AdminContract> {
  const { metrics, rooms } = instrumentChat(chat, logger);
  const admin = chat.of('/admin', adminContract, {
    authenticate: ({ auth }) => {
      if (!adminToken) throw new ChatwireError('UNAUTHORIZED', 'The admin namespace is off (no ADMIN_TOKEN)');
      if (!sameToken(auth.token, adminToken)) throw new ChatwireError('UNAUTHORIZED', 'Wrong admin token');
      return {};
    },
  });
  admin.on('rooms:list', async () => {
    const listed = await Promise.all(
      [...rooms].map(async (roomId) => ({ roomId, members: (await chat.members(roomId)).length })),
    );
    // Forget the rooms everyone left, so that the set stays as small as the rooms in use.
    for (const room of listed) if (room.members === 0) rooms.delete(room.roomId);
    return listed.filter((room) => room.members > 0);
  });
  admin.on('room:members', ({ payload }) => chat.members(payload.roomId));
  admin.on('user:kick', async ({ payload }) => {
    logger.info('admin kicked a user', { userId: payload.userId });
    await chat.disconnectUser(payload.userId);
    return { kicked: true as const };
  });
  admin.on('room:kick', async ({ payload: { roomId, userId, reason } }) => {
    logger.info('admin kicked a user from a room', { roomId, userId });
    await chat.kick(roomId, userId, reason === undefined ? {} : { reason });
    return {};
  });
  const restrictOptions = ({ minutes, reason }: { minutes?: number | undefined; reason?: string | undefined }) => ({
    ...(minutes === undefined ? {} : { until: Date.now() + minutes * 60_000 }),
    ...(reason === undefined ? {} : { reason }),
  });
  admin.on('room:ban', async ({ payload }) => {
    logger.info('admin banned a user from a room', { roomId: payload.roomId, userId: payload.userId });
    await chat.ban(payload.roomId, payload.userId, restrictOptions(payload));
    return {};
  });
  admin.on('room:unban', async ({ payload }) => {
    await chat.unban(payload.roomId, payload.userId);
    return {};
  });
  admin.on('room:mute', async ({ payload }) => {
    logger.info('admin muted a user in a room', { roomId: payload.roomId, userId: payload.userId });
    await chat.mute(payload.roomId, payload.userId, restrictOptions(payload));
    return {};
  });
  admin.on('room:unmute', async ({ payload }) => {
    await chat.unmute(payload.roomId, payload.userId);
    return {};
  });
  admin.on('room:restrictions', async ({ payload: { roomId } }) => {
    const listed = ({ userId, until, reason, createdAt }: RoomRestriction) => ({
      userId,
      createdAt,
      ...(until === undefined ? {} : { until }),
      ...(reason === undefined ? {} : { reason }),
    });
    const [bans, mutes] = await Promise.all([chat.bans(roomId), chat.mutes(roomId)]);
    return { bans: bans.map(listed), mutes: mutes.map(listed) };
  });
  admin.on('metrics:get', () => metrics);
  return admin;
}
