/** The real server serving the built page and a fresh Chromium, started before a describe block's tests and closed after. */
import { afterAll, beforeAll } from 'vitest';
import { startTestServer, type TestServer, type TestServerOptions } from '../../server/__fixtures__/test-server.js';
import { launch } from './launch-chromium.js';

/** Desktop and phone widths the page is checked at. */
export const VIEWPORTS = { desktop: { width: 1280, height: 800 }, phone: { width: 375, height: 740 } } as const;

/** What {@link usePageServer} started; read inside tests (it is set once `beforeAll` has run). */
export interface PageServer {
  readonly server: TestServer;
  readonly browser: Awaited<ReturnType<typeof launch>>;
}

/**
 * Registers `beforeAll`/`afterAll` hooks in the calling describe block: the test server over the seed corpus with the
 * page built (`webRoot: 'build'`, plus `options`), and Chromium.
 */
export function usePageServer(options: Omit<TestServerOptions, 'webRoot'> = {}): PageServer {
  const started: { server?: TestServer; browser?: PageServer['browser'] } = {};
  beforeAll(async () => {
    started.server = await startTestServer({ webRoot: 'build', ...options });
    started.browser = await launch();
  });
  afterAll(async () => {
    await started.browser?.close();
    await started.server?.close();
  });
  return {
    get server() {
      if (!started.server) throw new Error('usePageServer: read the server inside a test, after beforeAll');
      return started.server;
    },
    get browser() {
      if (!started.browser) throw new Error('usePageServer: read the browser inside a test, after beforeAll');
      return started.browser;
    },
  };
}
