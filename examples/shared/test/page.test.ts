import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { pageHandler } from '../src/serve-page.js';
import { buildPageIfStale } from '../src/vite.js';

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'example-page-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A file written now, dated `secondsAgo` ago. */
function write(path: string, text: string, secondsAgo = 0): void {
  writeFileSync(path, text);
  const at = Date.now() / 1000 - secondsAgo;
  utimesSync(path, at, at);
}

async function serve(dir: string): Promise<string> {
  const server = createServer(pageHandler(dir, { 'x-test': 'yes' }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('pageHandler', () => {
  it('serves index.html at / and hashed assets, nothing else', async () => {
    const root = tempDir();
    const dir = join(root, 'page');
    mkdirSync(join(dir, 'assets'), { recursive: true });
    write(join(dir, 'index.html'), '<p>hi</p>');
    write(join(dir, 'assets', 'index-abc.js'), 'console.log(1)');
    write(join(dir, '.inputs.json'), '{}');
    write(join(root, 'secret.js'), 'secret');
    const url = await serve(dir);

    const page = await fetch(`${url}/`);
    expect([page.status, await page.text()]).toEqual([200, '<p>hi</p>']);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('cache-control')).toBe('no-cache');
    expect(page.headers.get('x-test')).toBe('yes');
    const script = await fetch(`${url}/assets/index-abc.js`);
    expect([script.status, await script.text()]).toEqual([200, 'console.log(1)']);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(script.headers.get('cache-control')).toContain('immutable');

    // Dotfiles (the build record), paths out of the folder, unknown types, other methods: 404.
    for (const path of ['/.inputs.json', '/%2e%2e/secret.js', '/assets/..%2f..%2fsecret.js', '/%00', '/%E0%A4%A']) {
      const answer = await fetch(`${url}${path}`);
      expect([path, answer.status]).toEqual([path, 404]);
      expect(answer.headers.get('x-test')).toBe('yes');
    }
    expect((await fetch(`${url}/assets/missing.js`)).status).toBe(404);
    expect((await fetch(`${url}/`, { method: 'POST' })).status).toBe(404);
  });

  it('answers 503 at / while the page is not built', async () => {
    const url = await serve(join(tempDir(), 'never-built'));
    const page = await fetch(`${url}/`);
    expect(page.status).toBe(503);
    expect(await page.text()).toContain('pnpm build');
  });
});

describe('buildPageIfStale', () => {
  it('builds when the output is missing or older than any file it was built from, and only then', {
    timeout: 60_000,
  }, async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'src'));
    const config = join(dir, 'vite.config.ts');
    // Dated in the past, as sources usually are: only what the test touches later is newer than a build.
    const options = { root: join(dir, 'src'), build: { outDir: join(dir, 'dist'), emptyOutDir: true } };
    write(config, `export default ${JSON.stringify(options)};`, 60);
    write(join(dir, 'src', 'index.html'), '<script type="module" src="./main.ts"></script>', 60);
    write(join(dir, 'src', 'main.ts'), "import { text } from './text.ts';\ndocument.title = text;", 60);
    write(join(dir, 'src', 'text.ts'), "export const text: string = 'one';", 60);
    const built = async () => {
      const rebuilt = await buildPageIfStale(config);
      const [script] = readdirSync(join(dir, 'dist', 'assets'));
      return { rebuilt, code: readFileSync(join(dir, 'dist', 'assets', script ?? ''), 'utf8') };
    };

    expect(await built()).toMatchObject({ rebuilt: true, code: expect.stringContaining('one') });
    expect((await built()).rebuilt).toBe(false);

    // A module the entry imports changed: rebuilt with the change.
    write(join(dir, 'src', 'text.ts'), "export const text: string = 'two';");
    expect(await built()).toMatchObject({ rebuilt: true, code: expect.stringContaining('two') });
    expect((await built()).rebuilt).toBe(false);

    // The config changed, or the record of the last build is gone (a plain `vite build`): rebuilt.
    write(config, `export default ${JSON.stringify({ ...options, base: '/' })};`);
    expect((await built()).rebuilt).toBe(true);
    rmSync(join(dir, 'dist', '.inputs.json'));
    expect((await built()).rebuilt).toBe(true);
    expect((await built()).rebuilt).toBe(false);
  });
});
