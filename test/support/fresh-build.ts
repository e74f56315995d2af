import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rmdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const root = new URL('../..', import.meta.url).pathname;
const packages = ['protocol', 'server', 'client'] as const;
const lock = join(root, 'node_modules', '.chatwire-build.lock');
/** A build takes at most this long; a lock older than that was left by a worker that died. */
const buildTimeoutMs = 240_000;

/** The newest modification time under `path` (a file, or a folder walked recursively). */
async function newest(path: string): Promise<number> {
  const info = await stat(path);
  if (!info.isDirectory()) return info.mtimeMs;
  const entries = await readdir(path);
  const times = await Promise.all(entries.map((entry) => newest(join(path, entry))));
  return Math.max(info.mtimeMs, ...times);
}

/** True when an output is missing or older than a package's sources, manifest or build config. */
async function stale(outputs: readonly string[]): Promise<boolean> {
  if (!outputs.every((file) => existsSync(file))) return true;
  const built = Math.min(...(await Promise.all(outputs.map(async (file) => (await stat(file)).mtimeMs))));
  const inputs = packages.flatMap((name) =>
    ['src', 'package.json', 'tsup.config.ts'].map((file) => join(root, 'packages', name, file)),
  );
  const sources = await Promise.all(inputs.filter((file) => existsSync(file)).map(newest));
  return Math.max(...sources) > built;
}

/** The hook timeout a test calling {@link ensureFreshBuild} needs: a whole build, and some. */
export const freshBuildTimeoutMs = buildTimeoutMs + 60_000;

/**
 * Runs `pnpm build` unless every one of `outputs` (absolute paths of built files) is newer than every
 * package source, so that a test of the built packages never tests an old build. CI builds first, so
 * there this only checks times. One build at a time across test workers (a lock directory).
 */
export async function ensureFreshBuild(outputs: readonly string[]): Promise<void> {
  if (!(await stale(outputs))) return;
  for (;;) {
    try {
      await mkdir(lock);
      break;
    } catch {
      // Another worker is building: wait for it, then check again.
      const held = await stat(lock).catch(() => undefined);
      if (held !== undefined && Date.now() - held.mtimeMs > buildTimeoutMs) await rmdir(lock).catch(() => {});
      await new Promise((resolve) => setTimeout(resolve, 500));
      if (!(await stale(outputs))) return;
    }
  }
  try {
    if (await stale(outputs)) await promisify(execFile)('pnpm', ['build'], { cwd: root, timeout: buildTimeoutMs });
  } finally {
    await rmdir(lock);
  }
}
