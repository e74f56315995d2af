import { MemoryStore } from '@chatwire/server';
import { describe, expect, it } from 'vitest';
import { describeStoreContract } from '../support/store-contract.js';

describeStoreContract('MemoryStore', async () => new MemoryStore());

describe('MemoryStore retention', () => {
  it('forgets the oldest messages beyond maxMessagesPerRoom, serials unchanged', async () => {
    const store = new MemoryStore({ maxMessagesPerRoom: 3 });
    for (let i = 1; i <= 5; i++) {
      await store.append({
        roomId: 'r',
        clientMessageId: `c${i}`,
        author: { userId: 'a', name: 'A' },
        text: `m${i}`,
        createdAt: i,
      });
    }
    const page = await store.history('r', { limit: 10 });
    expect(page.messages.map((m) => m.serial)).toEqual([3, 4, 5]);
    expect(await store.get('r', 2)).toBeUndefined();
    expect((await store.history('r', { after: 0, limit: 2 })).messages.map((m) => m.serial)).toEqual([3, 4]);
    expect(await store.lastSerial('r')).toBe(5);
  });
});
