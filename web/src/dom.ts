/**
 * The only way this page creates elements: children are nodes or strings, and strings always become
 * text nodes. There is no path from document or answer text to HTML parsing.
 */

/** A child of `el`: strings become text nodes; null, undefined and false are skipped. */
export type Child = Node | string | null | undefined | false;

/** Attributes that would run code or load styles from a string; `el` refuses them. */
const UNSAFE_ATTRIBUTE = /^(?:on|style$|srcdoc$|formaction$)/i;

/** Properties of a new element. */
export interface ElementProps {
  readonly className?: string;
  /** Plain attributes (`aria-*`, `type`, `data-*`, ...). */
  readonly attrs?: Readonly<Record<string, string>>;
}

/** Creates `<tag>` with the given class, attributes and children. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: ElementProps = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (props.className) node.className = props.className;
  for (const [name, value] of Object.entries(props.attrs ?? {})) {
    if (UNSAFE_ATTRIBUTE.test(name)) throw new Error(`refusing to set attribute ${name}`);
    node.setAttribute(name, value);
  }
  append(node, ...children);
  return node;
}

/** Appends children, strings as text nodes. */
export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
  }
}

/** Looks up an element the page's HTML must contain. */
export function required<T extends HTMLElement>(id: string, type: { new (): T }): T {
  const node = document.getElementById(id);
  if (!(node instanceof type)) throw new Error(`the page is missing #${id}`);
  return node;
}
