// A minimal static file server for the built site: the page must work from any static host, so
// the tests serve dist/ with nothing but correct content types.
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.gz': 'application/octet-stream',
  '.txt': 'text/plain; charset=utf-8',
};

// `mounts` maps URL prefixes to further directories ({ '/peer/': 'tests/bench' }): the benchmark
// serves the TF.js peer beside the site, from the same origin.
export async function serve(dir, mounts = {}) {
  const roots = Object.entries(mounts).map(([prefix, d]) => [prefix, resolve(d)]);
  roots.push(['/', resolve(dir)]);
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(`http://localhost${req.url}`).pathname);
    const [prefix, root] = roots.find(([prefix]) => path.startsWith(prefix));
    let file = normalize(join(root, path.slice(prefix.length - 1)));
    if (!file.startsWith(root)) {
      res.writeHead(403).end();
      return;
    }
    try {
      if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((ok) => server.close(ok)) };
}
