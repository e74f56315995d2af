import { readFile } from 'node:fs/promises';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { extname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/**
 * A request listener serving the page Vite built into `dir` (`vite build`): `/` is `index.html`,
 * `/assets/*` (hashed names) are cached for a year. Anything else, dotfiles and paths leaving `dir`
 * answer 404; `/` answers 503 while the page is not built. `headers` go on every answer.
 */
export function pageHandler(
  dir: URL | string,
  headers: OutgoingHttpHeaders = {},
): (req: IncomingMessage, res: ServerResponse) => void {
  const root = resolve(typeof dir === 'string' ? dir : fileURLToPath(dir));
  return (req, res) => {
    const path = decodePath(req.url);
    const file = path === '/' ? resolve(root, 'index.html') : resolve(root, `.${path}`);
    const servable =
      (req.method === 'GET' || req.method === 'HEAD') &&
      path !== undefined &&
      file.startsWith(root + sep) &&
      !file.slice(root.length).includes(`${sep}.`) &&
      contentTypes[extname(file)] !== undefined;
    if (!servable) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', ...headers }).end('Not found');
      return;
    }
    readFile(file).then(
      (body) => {
        const cache = path.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache';
        res
          .writeHead(200, { 'content-type': contentTypes[extname(file)], 'cache-control': cache, ...headers })
          .end(req.method === 'HEAD' ? undefined : body);
      },
      () => {
        const [status, text] =
          path === '/' ? [503, 'The page is not built: run `pnpm build` in this example.'] : [404, 'Not found'];
        res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers }).end(text);
      },
    );
  };
}

/** The URL's path, decoded; undefined when it does not decode or holds a NUL. */
function decodePath(url = '/'): string | undefined {
  try {
    const path = decodeURIComponent(new URL(url, 'http://localhost').pathname);
    return path.includes('\0') ? undefined : path;
  } catch {
    return undefined;
  }
}
