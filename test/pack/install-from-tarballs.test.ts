/**
 * Installs @chatwire/{protocol,server,client} the way users get them: packed with `pnpm pack` (which
 * turns `workspace:^` into real versions), installed with npm into scratch ESM and CommonJS apps
 * outside the workspace, then run with plain `node` and type-checked with `tsc` (nodenext); also into a
 * Vite + TypeScript browser app (bundler resolution) that `vite build` bundles and `tsc` checks. The
 * tarballs pass publint and are-the-types-wrong (attw). Nothing here goes through the
 * `@chatwire/source` condition or the workspace links.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createChatClient } from '@chatwire/client';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { startChat } from '../chat/support.js';
import { ensureFreshBuild, freshBuildTimeoutMs } from '../support/fresh-build.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
// The workspace's own Vite and attw: the apps install only what users of chatwire install.
const vite = join(root, 'node_modules', 'vite', 'bin', 'vite.js');
const attw = join(root, 'node_modules', '@arethetypeswrong', 'cli', 'dist', 'index.js');

const packageNames = ['protocol', 'server', 'client'] as const;
/** Packed and checked with publint too, but not installed into the Node apps (@chatwire/react needs react). */
const publishedNames = [...packageNames, 'react'] as const;
type PackageName = (typeof packageNames)[number];

const kinds = ['esm', 'cjs'] as const;
type AppKind = (typeof kinds)[number];

const apps = {
  esm: { title: 'an ESM app', type: 'module', script: 'index.mjs', js: 'index.js', dts: 'index.d.ts' },
  cjs: { title: 'a CommonJS app', type: 'commonjs', script: 'index.cjs', js: 'index.cjs', dts: 'index.d.cts' },
} as const satisfies Record<AppKind, { title: string; type: string; script: string; js: string; dts: string }>;

/**
 * Environment of every child process: the test runner's own variables are dropped, so that the apps
 * run like a user's (NODE_OPTIONS could add export conditions; pnpm's lifecycle variables confuse npm).
 */
const childEnv: NodeJS.ProcessEnv = Object.fromEntries(
  Object.entries(process.env).filter(
    ([key]) =>
      !/^(VITEST\w*|TEST|NODE_ENV|NODE_OPTIONS|npm_(package|lifecycle)_\w+|npm_command|npm_execpath|npm_node_execpath|npm_config_user_agent|npm_config_verify_deps_before_run|pnpm_config_\w+)$/i.test(
        key,
      ),
  ),
);

interface RunResult {
  /** Exit code; null when the process was killed (see `signal`). */
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

/** Runs a command without a shell; never rejects, so that failures show their output. */
function run(command: string, args: readonly string[], cwd: string, timeoutMs: number): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { cwd, env: childEnv, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
        resolve({ code, signal: error?.signal ?? null, stdout, stderr });
      },
    );
  });
}

/** Runs a setup command and throws with its whole output when it fails. */
async function mustRun(command: string, args: readonly string[], cwd: string, timeoutMs: number): Promise<RunResult> {
  const result = await run(command, args, cwd, timeoutMs);
  if (result.code !== 0) {
    throw new Error(
      `\`${command} ${args.join(' ')}\` in ${cwd} failed (${result.signal ?? `exit ${result.code}`}):\n${result.stdout}\n${result.stderr}`,
    );
  }
  return result;
}

/** The built files the tarballs ship; rebuilt first when missing or older than the sources. */
function ensureBuilt(): Promise<void> {
  const outputs = publishedNames.flatMap((name) =>
    ['index.js', 'index.cjs', 'index.d.ts', 'index.d.cts'].map((file) => join(root, 'packages', name, 'dist', file)),
  );
  outputs.push(
    join(root, 'packages', 'server', 'dist', 'dev.js'),
    join(root, 'packages', 'server', 'dist', 'dev.cjs'),
    join(root, 'packages', 'client', 'dist', 'chatwire-client.browser.d.ts'),
    join(root, 'packages', 'protocol', 'dist', 'asyncapi.js'),
    join(root, 'packages', 'protocol', 'dist', 'asyncapi.cjs'),
    join(root, 'packages', 'protocol', 'dist', 'compile.js'),
    join(root, 'packages', 'protocol', 'dist', 'compile.cjs'),
    join(root, 'packages', 'cli', 'dist', 'main.js'),
    join(root, 'packages', 'cli', 'dist', 'index.js'),
  );
  return ensureFreshBuild(outputs);
}

/** `pnpm pack` of one package into `destination`; resolves with the tarball's path. */
async function pack(name: PackageName | 'cli', destination: string): Promise<string> {
  const { stdout } = await mustRun(
    'pnpm',
    ['pack', '--json', '--pack-destination', destination],
    join(root, 'packages', name),
    60_000,
  );
  const report: unknown = JSON.parse(stdout);
  if (typeof report !== 'object' || report === null || !('filename' in report) || typeof report.filename !== 'string') {
    throw new Error(`pnpm pack printed no tarball name:\n${stdout}`);
  }
  return report.filename;
}

/**
 * A stand-in registry for the `@chatwire` scope that has no package at all (404 for everything) and
 * records what npm asked it. If npm needed a registry to install a @chatwire package, the install fails.
 */
async function startEmptyScopeRegistry() {
  const requests: string[] = [];
  const server = createHttpServer((request, response) => {
    requests.push(`${request.method} ${request.url}`);
    response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"Not found"}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// ---------------------------------------------------------------------------------------------------
// What the scratch apps contain: plain user code, no test helpers.

const contractSource = `defineContract({
  clientToServer: {
    add: { payload: z.object({ a: z.number(), b: z.number() }), ack: z.object({ sum: z.number() }) },
    say: { payload: z.object({ text: z.string().min(1) }) },
    secret: { ack: z.null() },
  },
  serverToClient: {
    said: { payload: z.object({ from: z.string(), text: z.string() }) },
  },
  auth: z.object({ user: z.string().min(1) }),
  socketData: z.object({ user: z.string() }),
})`;

const esmImports = `import { createServer as createHttpServer } from 'node:http';
import { createRequire } from 'node:module';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ChatwireError, defineContract } from '@chatwire/protocol';
import { toAsyncAPI } from '@chatwire/protocol/asyncapi';
import { createServer, jwtAuthenticator, signToken } from '@chatwire/server';
import { createClient } from '@chatwire/client';
import { z } from 'zod';

const require = createRequire(import.meta.url);
/** The file \`import\` loads for a package. */
const loadedFile = (name) => relative(process.cwd(), fileURLToPath(import.meta.resolve(name)));
`;

const cjsImports = `const { createServer: createHttpServer } = require('node:http');
const { relative } = require('node:path');
const { ChatwireError, defineContract } = require('@chatwire/protocol');
const { toAsyncAPI } = require('@chatwire/protocol/asyncapi');
const { createServer, jwtAuthenticator, signToken } = require('@chatwire/server');
const { createClient } = require('@chatwire/client');
const { z } = require('zod');

/** The file \`require\` loads for a package. */
const loadedFile = (name) => relative(process.cwd(), require.resolve(name));
`;

/** Starts a server and two clients, chats, prints a JSON summary, closes everything and lets node exit. */
const chatSource = `
// Fails loudly instead of hanging if something is never closed (unref: it does not keep node alive).
setTimeout(() => {
  console.error('still running after 15 s: a server, client or timer was not closed');
  process.exit(3);
}, 15_000).unref();

const contract = ${contractSource};

function connected(client) {
  return new Promise((resolve, reject) => {
    if (client.status === 'connected') return resolve();
    const off = client.onStatus((status, error) => {
      if (status === 'connected') {
        off();
        resolve();
      } else if (status === 'disconnected') {
        off();
        reject(error ?? new Error('disconnected'));
      }
    });
  });
}

async function main() {
  const httpServer = createHttpServer();
  const server = createServer(contract, { httpServer, authenticate: ({ auth }) => ({ user: auth.user }) });
  server
    .on('add', ({ payload }) => ({ sum: payload.a + payload.b }))
    .on('say', ({ payload, socket }) => socket.broadcast.emit('said', { from: socket.data.user, text: payload.text }))
    .on('secret', () => {
      throw new ChatwireError('FORBIDDEN', 'Not for you');
    });
  await new Promise((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  const url = 'http://127.0.0.1:' + httpServer.address().port;
  const as = (user) => ({ auth: { user }, transports: ['websocket'], reconnection: false });
  const alice = createClient(contract, url, as('alice'));
  const bob = createClient(contract, url, as('bob'));
  await Promise.all([connected(alice), connected(bob)]);

  const request = await alice.request('add', { a: 2, b: 3 });
  const heard = new Promise((resolve) => bob.on('said', resolve));
  alice.emit('say', { text: 'hello bob' });
  const broadcast = await heard;
  const invalidRequest = await alice.request('add', { a: 'two', b: 3 });
  // The client checks payloads before sending; the raw socket shows that the server checks them too.
  const refusedByServer = await alice.raw.timeout(5_000).emitWithAck('add', { a: 'two', b: 3 });
  const thrownByHandler = await alice.request('secret');
  // jose (ESM only) under both builds: an HS256 JWT signed and checked.
  const secret = 'a-secret-of-at-least-32-bytes-for-the-pack-test';
  const token = await signToken({ userId: 'ana', name: 'Ana' }, { secret, expiresInSeconds: 60 });
  const tokenUser = await jwtAuthenticator({ secret })({ auth: { token }, handshake: undefined });

  alice.close();
  bob.close();
  await server.close();
  const chatwireFilesInRequireCache = Object.keys(require.cache)
    .filter((file) => file.includes('@chatwire'))
    .map((file) => relative(process.cwd(), file))
    .sort();
  const loaded = {
    protocol: loadedFile('@chatwire/protocol'),
    server: loadedFile('@chatwire/server'),
    serverDev: loadedFile('@chatwire/server/dev'),
    protocolAsyncapi: loadedFile('@chatwire/protocol/asyncapi'),
    client: loadedFile('@chatwire/client'),
  };
  const asyncapi = toAsyncAPI(contract, { title: 'App', version: '1.0.0' });
  const summary = {
    loaded,
    asyncapiOperations: Object.keys(asyncapi.operations),
    chatwireFilesInRequireCache,
    request,
    broadcast,
    invalidRequest,
    refusedByServer,
    thrownByHandler,
    tokenUser,
    statusAfterClose: alice.status,
  };
  console.log(JSON.stringify(summary));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
`;

/** Typed user code: the same file is an ES module in the ESM app and a CommonJS one in the other. */
const typedSource = `import { createServer as createHttpServer } from 'node:http';
import { ChatwireError, defineContract, type Result } from '@chatwire/protocol';
import { createClient } from '@chatwire/client';
import { createServer, jwtAuthenticator, signToken } from '@chatwire/server';
import { z } from 'zod';

const contract = ${contractSource};

export const token: Promise<string> = signToken({ userId: 'ana', name: 'Ana' }, { secret: 'x'.repeat(32), expiresInSeconds: 60 });
export const fromProvider = jwtAuthenticator({ jwks: 'https://example.com/.well-known/jwks.json', issuer: 'https://example.com/' });
// @ts-expect-error one key source only
jwtAuthenticator({ secret: 'x'.repeat(32), jwks: 'https://example.com/.well-known/jwks.json' });

export async function chat(url: string): Promise<number> {
  const httpServer = createHttpServer();
  const server = createServer(contract, { httpServer, authenticate: ({ auth }) => ({ user: auth.user }) });
  server.on('add', ({ payload }) => ({ sum: payload.a + payload.b }));
  server.on('say', ({ payload, socket }) => {
    const user: string = socket.data.user;
    socket.broadcast.emit('said', { from: user, text: payload.text });
  });
  // @ts-expect-error the ack of "secret" is null
  server.on('secret', () => ({ sum: 1 }));
  // @ts-expect-error "said" needs a text
  server.emit('said', { from: 'server' });

  // @ts-expect-error the handshake auth must match the contract
  createClient(contract, url, { auth: { name: 'alice' } });
  const client = createClient(contract, url, { auth: { user: 'alice' }, transports: ['websocket'] });
  client.on('said', (message) => {
    const text: string = message.text;
    console.log(text);
  });
  // @ts-expect-error a must be a number
  void client.request('add', { a: 'two', b: 3 });
  // @ts-expect-error "say" has no ack, so it cannot be requested
  void client.request('say', { text: 'hi' });

  const result: Result<{ sum: number }> = await client.request('add', { a: 2, b: 3 });
  if (!result.ok) throw ChatwireError.fromPayload(result.error);
  const sum: number = result.data.sum;
  await server.close();
  return sum;
}
`;

const tsconfig = {
  compilerOptions: {
    strict: true,
    exactOptionalPropertyTypes: true,
    target: 'es2022',
    module: 'nodenext',
    moduleResolution: 'nodenext',
    types: ['node'],
    noEmit: true,
    // Check every declaration file, ours included (third-party ones are clean too, so no exception).
    skipLibCheck: false,
  },
  files: ['index.ts'],
};

/** A browser app as `npm create vite` (vanilla-ts) makes it, on the chat client and contract. */
const viteAppFiles = {
  'package.json': `${JSON.stringify({ name: 'chatwire-vite-app', private: true, type: 'module' }, null, 2)}\n`,
  'index.html': `<!doctype html>
<html lang="en">
  <body>
    <ul id="messages"></ul>
    <script type="module" src="/src/main.ts"></script>
  </body>
</html>
`,
  'src/main.ts': `import { type ChatRoom, createChatClient, type RoomMessage } from '@chatwire/client';
import { ChatwireError, chatContract, type Message, messageTextSchema } from '@chatwire/protocol';

const list = document.querySelector<HTMLUListElement>('#messages');
const chat = createChatClient(location.origin, { auth: { name: 'Ana' } });

function render(messages: readonly RoomMessage[]): void {
  if (list === null) return;
  list.replaceChildren(
    ...messages.map((message) => {
      const item = document.createElement('li');
      item.textContent = message.text;
      return item;
    }),
  );
}

export async function start(): Promise<Message | undefined> {
  const joined = await chat.join('general');
  if (!joined.ok) throw ChatwireError.fromPayload(joined.error);
  const room = joined.data;
  room.on('change', () => render(room.messages));
  const sent = await room.send(messageTextSchema.parse('hello from vite'));
  console.log(Object.keys(chatContract.clientToServer).length, 'events');
  return sent.ok ? sent.data : undefined;
}

export function misuse(room: ChatRoom): void {
  // @ts-expect-error send takes the text or { text, replyTo?, mentions?, meta? }, not a body
  void room.send({ body: 'hi' });
}

void start();
`,
  'tsconfig.json': `${JSON.stringify(
    {
      compilerOptions: {
        target: 'es2022',
        lib: ['es2022', 'dom', 'dom.iterable'],
        module: 'esnext',
        moduleResolution: 'bundler',
        strict: true,
        exactOptionalPropertyTypes: true,
        isolatedModules: true,
        verbatimModuleSyntax: true,
        noEmit: true,
        types: [],
        skipLibCheck: false,
      },
      include: ['src'],
    },
    null,
    2,
  )}\n`,
} as const;

// ---------------------------------------------------------------------------------------------------

describe('installing the packed packages from npm', { timeout: 180_000 }, () => {
  let work: string | undefined;
  let registry: Awaited<ReturnType<typeof startEmptyScopeRegistry>> | undefined;
  const tarballs = {} as Record<PackageName, string>;
  const appDirs = {} as Record<AppKind, string>;
  let viteAppDir = '';

  /** Writes an app and `npm install`s the three tarballs and zod into it, as a user would. */
  async function createApp(kind: AppKind, dir: string, scopeRegistry: string): Promise<void> {
    const app = apps[kind];
    await mkdir(dir);
    await writeFile(
      join(dir, 'package.json'),
      `${JSON.stringify({ name: `chatwire-${kind}-app`, private: true, type: app.type }, null, 2)}\n`,
    );
    await writeFile(join(dir, app.script), `${kind === 'esm' ? esmImports : cjsImports}${chatSource}`);
    await writeFile(join(dir, 'index.ts'), typedSource);
    await writeFile(join(dir, 'tsconfig.json'), `${JSON.stringify(tsconfig, null, 2)}\n`);
    await mustRun(
      'npm',
      [
        'install',
        '--no-audit',
        '--no-fund',
        '--prefer-offline',
        `--@chatwire:registry=${scopeRegistry}`,
        ...packageNames.map((name) => tarballs[name]),
        'zod@^4',
        // Only for the type-check: @chatwire/server's types use node:http (socket.io's need @types/node too).
        '@types/node@^20',
      ],
      dir,
      150_000,
    );
  }

  /** Writes the Vite app and installs the client's and protocol's tarballs and zod into it. */
  async function createViteApp(dir: string, scopeRegistry: string): Promise<void> {
    await mkdir(join(dir, 'src'), { recursive: true });
    for (const [file, text] of Object.entries(viteAppFiles)) await writeFile(join(dir, file), text);
    await mustRun(
      'npm',
      [
        'install',
        '--no-audit',
        '--no-fund',
        '--prefer-offline',
        `--@chatwire:registry=${scopeRegistry}`,
        tarballs.protocol,
        tarballs.client,
        'zod@^4',
      ],
      dir,
      150_000,
    );
  }

  beforeAll(async () => {
    await ensureBuilt();
    const dir = await mkdtemp(join(tmpdir(), 'chatwire-pack-'));
    work = dir;
    await mkdir(join(dir, 'tarballs'));
    for (const name of packageNames) tarballs[name] = await pack(name, join(dir, 'tarballs'));
    registry = await startEmptyScopeRegistry();
    const scopeRegistry = registry.url;
    // Both installs share npm's cache; --prefer-offline reuses what it holds.
    viteAppDir = join(dir, 'vite-app');
    await Promise.all([
      ...kinds.map((kind) => {
        appDirs[kind] = join(dir, `${kind}-app`);
        return createApp(kind, appDirs[kind], scopeRegistry);
      }),
      createViteApp(viteAppDir, scopeRegistry),
    ]);
  }, freshBuildTimeoutMs + 300_000);

  afterAll(async () => {
    await registry?.close();
    if (work !== undefined) await rm(work, { recursive: true, force: true });
  });

  it('npm takes @chatwire/protocol from its tarball, not from a registry, and installs one copy', async () => {
    const versions = {} as Record<PackageName, string>;
    for (const name of packageNames) {
      const manifest = JSON.parse(await readFile(join(root, 'packages', name, 'package.json'), 'utf8'));
      versions[name] = (manifest as { version: string }).version;
    }
    const lockedChatwire = (lock: unknown) =>
      Object.entries((lock as { packages: Record<string, { resolved?: string }> }).packages)
        .filter(([path]) => path.includes('@chatwire/'))
        .map(([path, entry]) => [path, entry.resolved]);
    for (const kind of kinds) {
      const dir = appDirs[kind];
      const lock: unknown = JSON.parse(await readFile(join(dir, 'package-lock.json'), 'utf8'));
      expect(lockedChatwire(lock), kind).toEqual([
        ['node_modules/@chatwire/client', `file:../tarballs/chatwire-client-${versions.client}.tgz`],
        ['node_modules/@chatwire/protocol', `file:../tarballs/chatwire-protocol-${versions.protocol}.tgz`],
        ['node_modules/@chatwire/server', `file:../tarballs/chatwire-server-${versions.server}.tgz`],
      ]);
      for (const name of ['server', 'client'] as const) {
        const manifest: unknown = JSON.parse(
          await readFile(join(dir, 'node_modules', '@chatwire', name, 'package.json'), 'utf8'),
        );
        // pnpm pack replaced `workspace:^` with the version range users need.
        expect(manifest, `${kind}: @chatwire/${name}`).toMatchObject({
          dependencies: { '@chatwire/protocol': `^${versions.protocol}` },
        });
      }
    }
    // The stand-in registry has no @chatwire package, yet both installs succeeded. npm may look up
    // the metadata of @chatwire/protocol@^x.y.z while it resolves the tree (and ignore the 404), but
    // it never downloads a @chatwire tarball from a registry.
    expect(registry?.requests.filter((request) => request.includes('/-/'))).toEqual([]);
  });

  for (const kind of kinds) {
    const app = apps[kind];

    it(`${app.title} installs the tarballs and chats: request with ack, broadcast, validation refusals`, async () => {
      const dir = appDirs[kind];
      const result = await run(process.execPath, [app.script], dir, 20_000);
      expect(result, `node ${app.script} failed:\n${result.stderr}`).toMatchObject({ code: 0, signal: null });
      const lastLine = result.stdout.trim().split('\n').at(-1) ?? '';
      const summary: unknown = JSON.parse(lastLine);

      const built = (name: PackageName, file: string) => join('node_modules', '@chatwire', name, 'dist', file);
      expect(summary).toMatchObject({
        // The build of the app's own module system, also for the server's and client's own imports
        // of @chatwire/protocol: the ESM app loads no chatwire file through require, the CommonJS app
        // exactly one copy of each package.
        loaded: {
          protocol: built('protocol', app.js),
          server: built('server', app.js),
          serverDev: built('server', app.js.replace('index', 'dev')),
          protocolAsyncapi: built('protocol', app.js.replace('index', 'asyncapi')),
          client: built('client', app.js),
        },
        chatwireFilesInRequireCache:
          kind === 'esm'
            ? []
            : [
                built('client', app.js),
                built('protocol', app.js.replace('index', 'asyncapi')),
                // The server compiles its contract (@chatwire/protocol/compile).
                built('protocol', app.js.replace('index', 'compile')),
                built('protocol', app.js),
                built('server', app.js),
              ],
        asyncapiOperations: ['send.add', 'send.say', 'send.secret', 'receive.said', 'receive.chatwire_error'],
        request: { ok: true, data: { sum: 5 } },
        broadcast: { from: 'alice', text: 'hello bob' },
        invalidRequest: {
          ok: false,
          error: { code: 'VALIDATION_FAILED', issues: [{ path: ['a'], code: 'invalid_type' }] },
        },
        refusedByServer: {
          ok: false,
          error: { code: 'VALIDATION_FAILED', issues: [{ path: ['a'], code: 'invalid_type' }] },
        },
        thrownByHandler: { ok: false, error: { code: 'FORBIDDEN', message: 'Not for you' } },
        tokenUser: { userId: 'ana', name: 'Ana', expiresAt: expect.any(Number) },
        statusAfterClose: 'closed',
      });
    });

    it(`${app.title} type-checks against the published declarations (strict, nodenext, skipLibCheck off)`, async () => {
      const dir = appDirs[kind];
      const result = await run(process.execPath, [tsc, '-p', 'tsconfig.json', '--listFiles'], dir, 60_000);
      const errors = result.stdout.split('\n').filter((line) => line.includes('error TS'));
      expect(errors).toEqual([]);
      expect(result.code, result.stdout).toBe(0);
      // TypeScript read the declarations of the app's module system, and no source file.
      const chatwireFiles = result.stdout
        .split('\n')
        .filter((file) => file.includes('/node_modules/@chatwire/'))
        .map((file) => file.slice(file.indexOf('/node_modules/') + 1))
        .sort();
      for (const name of packageNames)
        expect(chatwireFiles).toContain(`node_modules/@chatwire/${name}/dist/${app.dts}`);
      // (tsup may split shared declarations into chunks next to the entry points)
      const extension = app.dts.slice('index'.length);
      for (const file of chatwireFiles)
        expect(file).toMatch(
          new RegExp(`^node_modules/@chatwire/\\w+/dist/[\\w-]+${extension.replaceAll('.', '\\.')}$`),
        );
    });
  }

  it('a Vite + TypeScript app (bundler resolution) type-checks and `vite build` bundles the ESM builds', async () => {
    const checked = await run(process.execPath, [tsc, '-p', 'tsconfig.json', '--listFiles'], viteAppDir, 60_000);
    expect(checked.stdout.split('\n').filter((line) => line.includes('error TS'))).toEqual([]);
    expect(checked.code, checked.stdout).toBe(0);
    // Bundler resolution reads the `import` declarations.
    const declarations = checked.stdout.split('\n').filter((file) => file.includes('/node_modules/@chatwire/'));
    for (const name of ['protocol', 'client'])
      expect(
        declarations.some((file) => file.endsWith(`/@chatwire/${name}/dist/index.d.ts`)),
        name,
      ).toBe(true);

    const built = await run(process.execPath, [vite, 'build', '--logLevel', 'warn'], viteAppDir, 120_000);
    expect(built, `vite build failed:\n${built.stdout}\n${built.stderr}`).toMatchObject({ code: 0, signal: null });
    // Vite warns about a package, e.g. "Module "node:fs" has been externalized for browser compatibility,
    // imported by …/@chatwire/client/dist/index.js"; third-party notices (zod's comments) are not ours.
    expect(`${built.stdout}${built.stderr}`).not.toContain('@chatwire/');
    const html = await readFile(join(viteAppDir, 'dist', 'index.html'), 'utf8');
    const script = /<script type="module" crossorigin src="\/(assets\/index-[\w-]+\.js)"><\/script>/.exec(html)?.[1];
    expect(script, html).toBeDefined();
    const bundle = await readFile(join(viteAppDir, 'dist', script ?? ''), 'utf8');
    // The app, the client (with socket.io-client) and the contract (with zod) are in the one bundle.
    expect(bundle).toContain('hello from vite');
    expect(bundle).toContain('room:join');
    expect(bundle).toContain('VALIDATION_FAILED');
    expect(bundle).not.toMatch(/\brequire\(/);
  });

  it.each(packageNames)(
    'are-the-types-wrong (attw, node16 profile) finds nothing wrong in @chatwire/%s',
    async (name) => {
      const tarball = tarballs[name];
      // node16 covers Node 20: `import` and `require` of every entry point, and bundlers. The client's
      // browser bundle is an ES module for browsers, with types for `import` only: checked on its own.
      const checks: string[][] =
        name === 'client'
          ? [
              ['--profile', 'node16', '--exclude-entrypoints', './browser'],
              ['--profile', 'esm-only', '--entrypoints', './browser'],
            ]
          : [['--profile', 'node16']];
      for (const args of checks) {
        const result = await run(process.execPath, [attw, tarball, ...args, '--format', 'ascii'], root, 60_000);
        // attw exits with 1 when it finds a problem in a resolution the profile does not ignore.
        expect(result.code, `attw ${args.join(' ')}:\n${result.stdout}${result.stderr}`).toBe(0);
      }
    },
  );

  it.each(publishedNames)('publint --strict finds nothing to fix in @chatwire/%s', async (name) => {
    const result = await run('npx', ['--no', 'publint', '--strict'], join(root, 'packages', name), 60_000);
    const output = `${result.stdout}${result.stderr}`;
    expect(output).toContain('All good!');
    expect(result.code, output).toBe(0);
  });
});

describe('the chatwire bin from its packed tarball', { timeout: 180_000 }, () => {
  it('installs with npm and its bin chats against a server: joins, sends, lists the members', async () => {
    await ensureBuilt();
    const dir = await mkdtemp(join(tmpdir(), 'chatwire-cli-pack-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    await mkdir(join(dir, 'tarballs'));
    const tarballs = [];
    for (const name of ['protocol', 'client', 'cli'] as const) tarballs.push(await pack(name, join(dir, 'tarballs')));
    const app = join(dir, 'app');
    await mkdir(app);
    await writeFile(join(app, 'package.json'), `${JSON.stringify({ name: 'chatwire-cli-app', private: true })}\n`);
    const registry = await startEmptyScopeRegistry();
    onTestFinished(() => registry.close());
    await mustRun(
      'npm',
      ['install', '--no-audit', '--no-fund', '--prefer-offline', `--@chatwire:registry=${registry.url}`, ...tarballs],
      app,
      150_000,
    );

    const { url } = await startChat();
    const ben = createChatClient(url, { auth: { name: 'Ben', userId: 'ben' }, transports: ['websocket'] });
    onTestFinished(() => ben.close());
    const joined = await ben.join('lobby');
    if (!joined.ok) throw new Error(joined.error.message);
    const heard = new Promise<string>((resolve) => joined.data.on('message', (message) => resolve(message.text)));

    // The bin npm linked, run as a user would; the end of its input quits it once the lines ran.
    const child = spawn(join(app, 'node_modules', '.bin', 'chatwire'), ['connect', url, '--name', 'Ana'], {
      cwd: app,
      env: childEnv,
    });
    onTestFinished(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.stdin.end('/join lobby\nhello from the tarball\n/who\n');
    expect(await heard).toBe('hello from the tarball');
    expect(await exited, output).toBe(0);
    expect(output).toContain('Connected to');
    expect(output).toContain('Joined #lobby: 2 members');
    expect(output).toMatch(/^\d\d:\d\d #lobby Ana: hello from the tarball$/m);
    expect(output).toMatch(/^#lobby: 2 members: .*Ben \(ben\)/m);
  });

  it('publint --strict finds nothing to fix in @chatwire/cli', async () => {
    const result = await run('npx', ['--no', 'publint', '--strict'], join(root, 'packages', 'cli'), 60_000);
    const output = `${result.stdout}${result.stderr}`;
    expect(output).toContain('All good!');
    expect(result.code, output).toBe(0);
  });
});
