/**
 * A button that copies text to the clipboard and says so on itself ("Copied"), or says that it could not (a browser
 * that refuses clipboard access), for a moment, then reads as before.
 */
import { el } from './dom.js';

/** How long the button says "Copied" before it reads as before, in milliseconds. */
const CONFIRM_MS = 2000;

/** Options of {@link copyButton}. */
export interface CopyButtonOptions {
  /** The button's words, e.g. `Copy`. */
  readonly label: string;
  /** What a screen reader hears, when the words alone do not say what is copied. */
  readonly accessibleName?: string;
  /** The text to copy, worked out when the button is pressed. */
  readonly text: () => string | Promise<string>;
  readonly className?: string;
}

/** Creates the button. */
export function copyButton(options: CopyButtonOptions): HTMLButtonElement {
  const attrs: Record<string, string> = { type: 'button' };
  if (options.accessibleName) attrs['aria-label'] = options.accessibleName;
  const button = el('button', { className: `copy ${options.className ?? 'link-button'}`, attrs }, options.label);
  let timer: ReturnType<typeof setTimeout> | null = null;
  const show = (words: string, name: string | undefined) => {
    button.textContent = words;
    if (name) button.setAttribute('aria-label', name);
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      button.textContent = options.label;
      if (options.accessibleName) button.setAttribute('aria-label', options.accessibleName);
      else button.removeAttribute('aria-label');
      button.removeAttribute('title');
    }, CONFIRM_MS);
  };
  button.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(await options.text());
      show('Copied', options.accessibleName ? `Copied: ${options.accessibleName.replace(/^Copy /, '')}` : undefined);
    } catch (error) {
      button.title = `The browser did not allow copying (${(error as Error).message}): select the text and copy it by hand.`;
      show('Copy failed', undefined);
    }
  });
  return button;
}
