import express, { type RequestHandler } from 'express';

/** Options of `serveChatPage`. */
export interface ChatPageOptions {
  /** The built page (`web/dist`): `index.html`, `app.js`, `styles.css`. */
  readonly root: string;
}

/**
 * Serves the bundled chat page. Responses are revalidated on every load (ETag), so a rebuilt bundle is
 * picked up by a reload; dotfiles (build metadata, files being written) are never served.
 */
export function serveChatPage(options: ChatPageOptions): RequestHandler {
  return express.static(options.root, {
    index: 'index.html',
    dotfiles: 'ignore',
    redirect: false,
    fallthrough: true,
    setHeaders: (res) => res.setHeader('Cache-Control', 'no-cache'),
  });
}

/**
 * Makes sure `web/dist` holds a bundle built from the current sources (esbuild, loaded only here),
 * and returns its folder.
 */
export async function prepareChatPage(): Promise<string> {
  const { ensureWebBundle } = await import('../web/build.js');
  const { outDir } = await ensureWebBundle();
  return outDir;
}
