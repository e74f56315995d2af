import { fileURLToPath } from 'node:url';
import type * as ClientPackage from '@chatwire/client';
import { beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { ok, startChat, userOf } from '../chat/support.js';
import { ensureFreshBuild, freshBuildTimeoutMs } from '../support/fresh-build.js';
import { eventually } from './support.js';

const built = fileURLToPath(new URL('../../packages/client/dist/index.js', import.meta.url));

const letters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** Every name of one or two letters: what a minifier's own property names look like. */
const shortNames = [...letters, ...[...letters].flatMap((first) => [...letters].map((second) => first + second))];

// The published build renames the client's private members to short names (packages/client/tsup.config.ts):
// an app's subclass may use short names of its own, and neither side may clobber the other's.
describe('a subclass of the published ChatClient', () => {
  let client: typeof ClientPackage;
  beforeAll(async () => {
    // CI builds first; otherwise a missing or stale build is built here.
    await ensureFreshBuild([built]);
    client = (await import(/* @vite-ignore */ built)) as typeof ClientPackage;
  }, freshBuildTimeoutMs);

  it('that has members of every one- and two-letter name still joins, sends, receives and keeps them', async () => {
    const { url } = await startChat();
    class AppChat extends client.ChatClient {
      constructor(user: string) {
        super(url, { auth: userOf(user), transports: ['websocket'] });
        for (const name of shortNames) Object.defineProperty(this, name, { value: `app ${name}`, writable: true });
      }
    }
    const ana = new AppChat('ana');
    const ben = new AppChat('ben');
    onTestFinished(() => ana.close());
    onTestFinished(() => ben.close());

    const anaRoom = ok(await ana.join('lobby'));
    const benRoom = ok(await ben.join('lobby'));
    ok(await anaRoom.send('hello'));
    await eventually(() => expect(benRoom.messages.map((message) => message.text)).toEqual(['hello']));
    expect(anaRoom.members.map((member) => member.userId).sort()).toEqual(['ana', 'ben']);
    const own = ana as unknown as Record<string, unknown>;
    expect(shortNames.filter((name) => own[name] !== `app ${name}`)).toEqual([]);
  });
});
