/**
 * The "Show unverified sentences" setting of generated answers: sentences a language model wrote that could not be
 * checked against their sources are shown marked "not verified", or hidden. Kept in localStorage; shown only when the
 * server answers with a model (`generator` in `/api/health`).
 */
const STORAGE_KEY = 'verbatim.showUnverified';
/** Set on the root element while unverified sentences are hidden; the stylesheet hides them. */
const HIDDEN_CLASS = 'hide-unverified';

export class UnverifiedSetting {
  constructor(
    private readonly elements: { readonly container: HTMLElement; readonly checkbox: HTMLInputElement },
    private readonly storage: Pick<Storage, 'getItem' | 'setItem'> = window.localStorage,
  ) {
    elements.checkbox.checked = storage.getItem(STORAGE_KEY) !== 'false';
    this.apply();
    elements.checkbox.addEventListener('change', () => {
      storage.setItem(STORAGE_KEY, String(elements.checkbox.checked));
      this.apply();
    });
  }

  /** Shows the setting when answers are generated (it means nothing for quoted answers). */
  setAvailable(available: boolean): void {
    this.elements.container.hidden = !available;
  }

  private apply(): void {
    document.documentElement.classList.toggle(HIDDEN_CLASS, !this.elements.checkbox.checked);
  }
}
