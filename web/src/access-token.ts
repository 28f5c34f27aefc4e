/**
 * The optional access token (servers bound beyond loopback require one). It arrives once in the URL
 * fragment, `#token=...`, which browsers never send to servers, and is then kept for the tab only.
 */

const STORAGE_KEY = 'verbatim.token';

/** Reads the token from `#token=` (removing it from the address bar) or from this tab's storage. */
export function takeAccessToken(): string | null {
  const match = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (match?.[1]) {
    const token = decodeURIComponent(match[1]);
    try {
      sessionStorage.setItem(STORAGE_KEY, token);
    } catch {
      // Storage can be disabled; the token then lasts until reload.
    }
    history.replaceState(null, '', location.pathname + location.search);
    return token;
  }
  try {
    return sessionStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}
