import { describe, expect, it } from 'vitest';
import { parseCliArgs } from '../src/index.js';

const url = 'http://localhost:3000';

describe('parseCliArgs', () => {
  it('reads connect with a dev login, its user id the name in lower case unless given', () => {
    expect(parseCliArgs(['connect', url, '--name', 'Ana'])).toEqual({
      kind: 'connect',
      options: { url, auth: { name: 'Ana', userId: 'ana' } },
    });
    expect(parseCliArgs(['connect', url, '--name', 'Ana', '--user-id', 'u1', '--room', 'lobby'])).toEqual({
      kind: 'connect',
      options: { url, auth: { name: 'Ana', userId: 'u1' }, room: 'lobby' },
    });
  });

  it('skips the `--` that `pnpm start -- …` passes on', () => {
    expect(parseCliArgs(['--', 'connect', url, '--name', 'Ana'])).toEqual(
      parseCliArgs(['connect', url, '--name', 'Ana']),
    );
  });

  it('reads connect with a token', () => {
    expect(parseCliArgs(['connect', 'https://chat.example.com', '--token', 't.s'])).toEqual({
      kind: 'connect',
      options: { url: 'https://chat.example.com', auth: { token: 't.s' } },
    });
  });

  it('asks for help with -h, --help or nothing', () => {
    expect(parseCliArgs([])).toEqual({ kind: 'help' });
    expect(parseCliArgs(['--help'])).toEqual({ kind: 'help' });
    expect(parseCliArgs(['connect', url, '-h'])).toEqual({ kind: 'help' });
  });

  it.each([
    [['chat', url, '--name', 'Ana'], 'Unknown command "chat"'],
    [['connect', '--name', 'Ana'], 'connect needs the server URL'],
    [['connect', 'localhost:3000', '--name', 'Ana'], '"localhost:3000" is not an http(s) URL'],
    [['connect', url, 'extra', '--name', 'Ana'], 'Unexpected argument "extra"'],
    [['connect', url], 'Give --name or --token'],
    [['connect', url, '--name', 'Ana', '--token', 't'], 'Give either --token or --name, not both'],
    [['connect', url, '--user-id', 'u1', '--token', 't'], 'Give either --token or --name, not both'],
    [['connect', url, '--name'], "Option '--name <value>' argument missing"],
    [['connect', url, '--nmae', 'Ana'], "Unknown option '--nmae'"],
  ])('refuses %j: %s', (argv, message) => {
    const parsed = parseCliArgs(argv);
    expect(parsed.kind).toBe('error');
    if (parsed.kind === 'error') expect(parsed.message).toContain(message);
  });
});
