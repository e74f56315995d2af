import { describe, expect, it } from 'vitest';
import { type ChaosOptions, chaosSeed, runChaos } from './support.js';

/**
 * 20 ChatClients in 3 rooms send at random while their connections are cut at random (one, two at once,
 * right after a send, or right after the server stored a send so that its ack is lost); then every
 * client's every room must equal the store. Random choices come from a seeded PRNG: a failure prints
 * its seed, and `CHAOS_SEED=<seed>` replays the same choices (the timing still varies).
 */
describe('reconnect chaos', () => {
  const base: Omit<ChaosOptions, 'seed'> = {
    clients: 20,
    rooms: ['alpha', 'beta', 'gamma'],
    minMembersPerRoom: 5,
    durationMs: 10_000,
    // About 2.5 sends per second per client, well under the default limit of 10/s (burst 20).
    sendEveryMs: [200, 600],
    dropEveryMs: [300, 700],
    pairDrops: 0.2,
    sendThenDrop: 0.15,
    ackLost: 0.15,
    settleMs: 20_000,
  };

  it('keeps every room gapless, in order and duplicate-free, and every send stored once, while connections drop at random', async () => {
    const seed = chaosSeed();
    console.info(`[chaos] seed ${seed} (replay with CHAOS_SEED=${seed})`);
    const run = await runChaos({ ...base, seed });
    expect(run.problems, `seed ${seed}`).toEqual([]);
    // The chaos really happened: clients reconnected, acks were lost, and each lost one came again with
    // the same clientMessageId and was refused by the store as a duplicate.
    expect(run.reconnects).toBeGreaterThanOrEqual(5);
    expect(run.lostAcks.size).toBeGreaterThan(0);
    expect([...run.lostAcks].filter((key) => !run.repeated.has(key))).toEqual([]);
    expect([...run.stored.values()].every((messages) => messages.length > 20)).toBe(true);
  }, 60_000);

  it('keeps every list gapless up to the last message when reconnects get discontinuities while sends and gap fills are under way', async () => {
    const seed = chaosSeed();
    console.info(`[chaos] seed ${seed} (replay with CHAOS_SEED=${seed})`);
    // sync answers at most 1 message, so most reconnects reload the latest page (of 5); drops come
    // faster, so that reloads, gap fills and retried sends overlap.
    const run = await runChaos({
      ...base,
      seed,
      durationMs: 8000,
      sendEveryMs: [150, 450],
      dropEveryMs: [30, 150],
      pairDrops: 0.3,
      sendThenDrop: 0.2,
      ackLost: 0.2,
      syncLimit: 1,
      pageSize: 5,
    });
    expect(run.problems, `seed ${seed}`).toEqual([]);
    expect(run.clients.some((client) => client.discontinuities > 0)).toBe(true);
    expect(run.lostAcks.size).toBeGreaterThan(0);
    expect([...run.lostAcks].filter((key) => !run.repeated.has(key))).toEqual([]);
  }, 60_000);
});
