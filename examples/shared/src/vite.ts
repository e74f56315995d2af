import { readFile, stat, writeFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, createServer, type Plugin, resolveConfig, type ViteDevServer } from 'vite';

/** Where {@link recordInputs} writes, in the build's output folder (dotfiles are never served). */
const RECORD = '.inputs.json';

interface InputRecord {
  /** When the build started (ms since the epoch): a file changed after it makes the build stale. */
  startedAt: number;
  /** Every file the build read: the page's sources, the workspace packages' sources, dependencies. */
  files: string[];
}

const toPath = (file: URL | string) => (typeof file === 'string' ? resolve(file) : fileURLToPath(file));

/**
 * A Vite plugin that records, beside the build's output, when the build started and every file it read,
 * so that {@link buildPageIfStale} knows whether the output is older than its sources.
 */
function recordInputs(): Plugin {
  let outDir = '';
  let startedAt = 0;
  return {
    name: 'chatwire:record-inputs',
    apply: 'build',
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    buildStart() {
      startedAt = Date.now();
    },
    async writeBundle() {
      const files = new Set<string>();
      for (const id of this.getModuleIds()) {
        const file = id.split('?')[0] ?? '';
        if (isAbsolute(file) && !file.includes('\0')) files.add(file);
      }
      const record: InputRecord = { startedAt, files: [...files].sort() };
      await writeFile(join(outDir, RECORD), JSON.stringify(record));
    },
  };
}

/** True when `outDir` holds a build whose recorded inputs (and `configFile`) have not changed since. */
async function isFresh(outDir: string, configFile: string): Promise<boolean> {
  let record: InputRecord;
  try {
    record = JSON.parse(await readFile(join(outDir, RECORD), 'utf8')) as InputRecord;
    await stat(join(outDir, 'index.html'));
  } catch {
    return false;
  }
  const modified = await Promise.all(
    [configFile, ...record.files].map((file) =>
      stat(file).then(
        (info) => info.mtimeMs,
        () => Number.POSITIVE_INFINITY, // a file gone is a change
      ),
    ),
  );
  return modified.every((mtime) => mtime < record.startedAt);
}

/**
 * Runs `vite build` with `configFile` unless its output is already there and newer than every file a
 * previous call built it from (a plain `vite build` records nothing, so the next call builds again).
 * Resolves with whether it built.
 */
export async function buildPageIfStale(configFile: URL | string): Promise<boolean> {
  const path = toPath(configFile);
  const config = await resolveConfig({ configFile: path, logLevel: 'silent' }, 'build');
  if (await isFresh(resolve(config.root, config.build.outDir), path)) return false;
  await build({ configFile: path, logLevel: 'error', plugins: [recordInputs()] });
  return true;
}

/** Starts Vite's dev server (HMR) with `configFile` on its port (5173 by default) and prints its URLs. */
export async function startDevServer(configFile: URL | string): Promise<ViteDevServer> {
  const server = await createServer({ configFile: toPath(configFile) });
  await server.listen();
  console.info('The page, reloaded as you edit it (Vite):');
  server.printUrls();
  return server;
}
