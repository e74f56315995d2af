import { createClient } from '@chatwire/client';
import { beforeAll, describe, expect } from 'vitest';
import { tutorialContract } from '../../examples/tutorial-chat/src/contract.js';
import { connected, nextValue } from '../support/harness.js';
import { Fuzzer, type FuzzServer, fuzzEveryEvent, startFuzzServer } from './support.js';

/** The bystander's login name: its own `login` broadcast is the probe's answer. */
const probeName = 'bystander-probe';

describe('fuzzing the tutorial contract (examples/tutorial-chat)', () => {
  let server: FuzzServer;
  let bystander: ReturnType<typeof createClient<typeof tutorialContract>>;
  let fuzzer: Fuzzer;

  beforeAll(async () => {
    server = await startFuzzServer({ kind: 'tutorial' });
    bystander = createClient(tutorialContract, server.url, { transports: ['websocket'], reconnection: false });
    await connected(bystander);
    fuzzer = new Fuzzer({
      contract: tutorialContract,
      server,
      bystander: bystander.raw as never,
      // Logged in, so that valid `chat` cases are broadcast.
      prepare: async (fuzz) => {
        await new Promise((resolve) => fuzz.timeout(10_000).emit('login', { name: 'fuzz', userid: 'fuzz' }, resolve));
      },
      // The tutorial has no requests: the answer to a login is its broadcast, which reaches the sender too.
      probe: async () => {
        const answer = nextValue<string>(
          (fn) => bystander.on('login', (name) => name === probeName && fn(name)),
          10_000,
        );
        bystander.emit('login', { name: probeName, userid: 'bystander' });
        expect(await answer).toBe(probeName);
      },
      isProbeEffect: (event, args) => event === 'login' && args[0] === probeName,
      closing: ['forceDisconnect'],
    });
  });

  fuzzEveryEvent(tutorialContract, () => ({ fuzzer, bystander, server }));
});
