import type { ChatRoom } from '@chatwire/client';
import type { Message } from '@chatwire/protocol';
import { jwtAuthenticator, MemoryStore, type NewMessage, signToken } from '@chatwire/server';
import { describe, expect, it } from 'vitest';
import { connectCli, joinRoom, runCli, startChat, user } from './support.js';

/** Resolves with the next message `room` receives whose text is `text`. */
function messageIn(room: ChatRoom, text: string): Promise<Message> {
  return new Promise((resolve) => {
    const off = room.on('message', (message) => {
      if (message.text !== text) return;
      off();
      resolve(message);
    });
  });
}

const time = String.raw`\d\d:\d\d`;

describe('chatwire connect (the bin against a real chat server)', () => {
  it('joins a room, sends lines, prints the others’ messages, edits, deletes, typing and presence', async () => {
    const { chat, url } = await startChat();
    const ben = user(url, 'Ben');
    const benRoom = await joinRoom(ben, 'lobby');
    expect((await benRoom.send('before you came')).ok).toBe(true);

    const cli = await connectCli(url, 'Ana', ['--room', 'lobby']);
    const joined = await cli.line('Joined #lobby');
    expect(joined).toMatch(/^Joined #lobby: 2 members: /);
    expect(joined).toContain('Ana (ana)');
    expect(joined).toContain('Ben (ben)');

    // A plain line goes to the current room: Ben gets it from Ana, and the CLI shows it once stored.
    const atBen = messageIn(benRoom, 'hello from the terminal');
    cli.type('hello from the terminal');
    expect((await atBen).author).toEqual({ userId: 'ana', name: 'Ana' });
    await cli.line(new RegExp(`^${time} #lobby Ana: hello from the terminal$`));

    const sent = await benRoom.send('hi Ana');
    await cli.line(new RegExp(`^${time} #lobby Ben: hi Ana$`));

    if (!sent.ok) throw new Error(sent.error.message);
    expect((await benRoom.edit(sent.data.serial, 'hi Ana!')).ok).toBe(true);
    await cli.line(new RegExp(`^${time} #lobby Ben edited \\(${time}\\): hi Ana!$`));
    expect((await benRoom.react(sent.data.serial, '👍')).ok).toBe(true);
    await cli.line(/#lobby reactions on Ben's message from \d\d:\d\d: 👍 1$/);
    expect((await benRoom.delete(sent.data.serial)).ok).toBe(true);
    await cli.line(new RegExp(`^${time} #lobby Ben deleted a message from ${time}$`));

    await chat.send('lobby', { text: 'The server speaks' }, { as: 'system' });
    await cli.line(new RegExp(`^${time} #lobby \\[system\\] The server speaks$`));

    // Another user's text cannot drive the terminal: escape sequences come out visible.
    await benRoom.send('\u001b[2Jcleared?');
    await cli.line(new RegExp(`^${time} #lobby Ben: \\\\x1b\\[2Jcleared\\?$`));

    benRoom.setTyping(true);
    await cli.line('#lobby: Ben is typing…');

    const cy = user(url, 'Cy');
    await joinRoom(cy, 'lobby');
    await cli.line('#lobby: Cy joined');
    cli.type('/who');
    const who = await cli.line('#lobby: 3 members: ');
    for (const name of ['Ana (ana)', 'Ben (ben)', 'Cy (cy)']) expect(who).toContain(name);
    cy.close();
    await cli.line('#lobby: Cy left');

    cli.type('/history 3');
    await cli.line(new RegExp(`^${time} #lobby Ben: \\(deleted\\)$`));
    await cli.line(new RegExp(`^${time} #lobby \\[system\\] The server speaks$`));
    await cli.line(new RegExp(`^${time} #lobby Ben: \\\\x1b\\[2Jcleared\\?$`));
    cli.type('/history');
    await cli.line(new RegExp(`^${time} #lobby Ben: before you came$`));

    cli.type('/quit');
    expect(await cli.exitCode()).toBe(0);
  });

  it('/join, /rooms, /leave and their mistakes; the end of input quits', async () => {
    const { url } = await startChat();
    const cli = await connectCli(url, 'Ana');

    cli.type('not in a room yet');
    await cli.line('! Join a room first: /join ROOM');
    cli.type('/rooms');
    await cli.line('No rooms joined: /join ROOM');
    cli.type('/frobnicate');
    await cli.line('! Unknown command /frobnicate; /help lists them');
    cli.type('/history 0');
    await cli.line('! Join a room first');

    cli.type('/join first');
    await cli.line('Joined #first: 1 member: Ana (ana)');
    cli.type('/join second');
    await cli.line('Joined #second: 1 member');
    cli.type('/rooms');
    await cli.line('  #first (1 member)');
    await cli.line('* #second (1 member)');
    cli.type('/history 501');
    await cli.line('! Usage: /history [N], N from 1 to 500');
    cli.type('/history');
    await cli.line('#second: no messages yet');

    // A line sent to the current room; the other room's messages still show, marked with their room.
    const ben = user(url, 'Ben');
    const benFirst = await joinRoom(ben, 'first');
    const benSecond = await joinRoom(ben, 'second');
    const atBen = messageIn(benSecond, 'to the second');
    cli.type('to the second');
    await atBen;
    await benFirst.send('in the first');
    await cli.line(new RegExp(`^${time} #first Ben: in the first$`));

    cli.type('/leave');
    await cli.line('Now in #first');
    await cli.line('Left #second');
    cli.type('/leave nowhere');
    await cli.line('! Not in #nowhere');
    cli.type('/join');
    await cli.line('! Usage: /join ROOM');
    cli.type('/join two rooms');
    await cli.line('! Usage: /join ROOM');
    // A room id the contract refuses: its code is shown, the CLI goes on.
    cli.type('/join bad/room');
    await cli.line(/^! VALIDATION_FAILED: /);
    cli.type('/rooms');
    await cli.line('* #first (2 members)');

    // Ctrl-D / a closed pipe: what was typed before it still runs, then the CLI exits.
    const atBenFirst = messageIn(benFirst, 'last words');
    cli.type('last words');
    cli.child.stdin.end();
    await atBenFirst;
    expect(await cli.exitCode()).toBe(0);
  });

  it('runs a script piped in whole, even when its input ends before the connection is up', async () => {
    const { url } = await startChat();
    const ben = user(url, 'Ben');
    const benRoom = await joinRoom(ben, 'lobby');
    const atBen = messageIn(benRoom, 'from a script');
    const cli = runCli(['connect', url, '--name', 'Ana']);
    cli.child.stdin.end('/join lobby\nfrom a script\n/who\n');
    expect((await atBen).author.userId).toBe('ana');
    await cli.line('#lobby: 2 members: ');
    expect(await cli.exitCode()).toBe(0);
  });

  it('/history loads older pages until it has N messages', async () => {
    const { url } = await startChat();
    const ben = user(url, 'Ben');
    const benRoom = await joinRoom(ben, 'lobby');
    // More than the client's first page (50): the oldest come from loadOlder.
    for (let i = 1; i <= 70; i++) expect((await benRoom.send(`number ${i}`)).ok).toBe(true);
    const cli = await connectCli(url, 'Ana', ['--room', 'lobby']);
    await cli.line('Joined #lobby');
    cli.type('/history 65');
    const first = await cli.line(/#lobby Ben: number \d+$/);
    expect(first).toMatch(/ number 6$/);
    await cli.line(/ number 70$/);
    cli.type('/history 500');
    expect(await cli.line(/#lobby Ben: number \d+$/)).toMatch(/ number 1$/);
    cli.type('/quit');
    expect(await cli.exitCode()).toBe(0);
  });

  it('waits for the sends on their way before it quits at the end of input', async () => {
    // The store holds the message "held" until the test lets it through.
    let entered = () => {};
    const appending = new Promise<void>((resolve) => {
      entered = resolve;
    });
    let release = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    class HeldStore extends MemoryStore {
      override async append(input: NewMessage) {
        if (input.text === 'held') {
          entered();
          await released;
        }
        return super.append(input);
      }
    }
    const { url } = await startChat({ store: new HeldStore() });
    const cli = await connectCli(url, 'Ana', ['--room', 'lobby']);
    await cli.line('Joined #lobby');
    cli.type('held');
    await appending;
    cli.child.stdin.end();
    await cli.line('Sending 1 message before quitting…');
    release();
    // The answer came back before it closed: the message shows as stored.
    await cli.line(new RegExp(`^${time} #lobby Ana: held$`));
    expect(await cli.exitCode()).toBe(0);
  });

  it('logs in with --token, and exits 1 with the reason when the server refuses it', async () => {
    const secret = 'a secret of at least thirty-two bytes';
    const { url } = await startChat({ authenticate: jwtAuthenticator({ secret }) });
    const token = await signToken({ userId: 'u-ana', name: 'Ana' }, { secret, expiresInSeconds: 60 });
    const cli = runCli(['connect', url, '--token', token, '--room', 'lobby']);
    await cli.line(`Connected to ${url} as Ana (u-ana)`);
    await cli.line('Joined #lobby: 1 member: Ana (u-ana)');
    cli.type('/quit');
    expect(await cli.exitCode()).toBe(0);

    const refused = runCli(['connect', url, '--token', `${token}x`]);
    await refused.errorLine(`chatwire: Cannot connect to ${url} (UNAUTHORIZED:`);
    expect(await refused.exitCode()).toBe(1);
  });

  it('prints the usage and exits 2 on a mistake in the arguments', async () => {
    const cli = runCli(['connect', 'http://127.0.0.1:1']);
    await cli.errorLine('chatwire: Give --name or --token');
    await cli.errorLine('usage: chatwire connect URL');
    expect(await cli.exitCode()).toBe(2);
  });
});
