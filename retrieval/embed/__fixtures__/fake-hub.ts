/**
 * A loopback HTTP server posing as the Hugging Face hub, for download tests without a network.
 * It serves `<root>/<model>/<file>` at `/<model>/resolve/<revision>/<file>`, the layout transformers.js requests
 * (`env.remotePathTemplate` = `{model}/resolve/{revision}/`), and records every request.
 */
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

/** How the fake hub answers. */
export type FakeHubMode =
  /** Serve files from `root`, 404 for anything missing. */
  | 'serve'
  /** Accept connections and never answer: a hub behind a black-holing proxy. */
  | 'hang'
  /** Serve JSON files but never answer for `.onnx` files: a download that stalls midway. */
  | 'stall-onnx';

/** A running fake hub. */
export interface FakeHub {
  /** Pass as `remoteHost`, e.g. `http://127.0.0.1:41234/`. */
  readonly url: string;
  /** Request paths received, in order, e.g. `GET /owner/name/resolve/main/config.json`. */
  readonly requests: string[];
  /** Stops the server and drops open connections, including ones left hanging. */
  close(): Promise<void>;
}

/** Starts a fake hub on 127.0.0.1 with an ephemeral port. */
export async function startFakeHub(options: { root: string; mode?: FakeHubMode }): Promise<FakeHub> {
  const mode = options.mode ?? 'serve';
  const root = path.resolve(options.root);
  const requests: string[] = [];
  const server = http.createServer((request, response) => {
    const url = decodeURIComponent(new URL(request.url ?? '/', 'http://hub').pathname);
    requests.push(`${request.method} ${url}`);
    if (mode === 'hang' || (mode === 'stall-onnx' && url.endsWith('.onnx'))) return;
    const match = /^\/(.+?)\/resolve\/[^/]+\/(.+)$/.exec(url);
    const file = match ? path.join(root, match[1]!, match[2]!) : null;
    if (!file || !file.startsWith(root + path.sep)) {
      response.writeHead(404).end();
      return;
    }
    readFile(file).then(
      (data) => {
        response.writeHead(200, { 'content-type': file.endsWith('.json') ? 'application/json' : 'application/octet-stream', 'content-length': data.length });
        response.end(request.method === 'HEAD' ? undefined : data);
      },
      () => response.writeHead(404).end(),
    );
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
