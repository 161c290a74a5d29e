// Tiny DOM helpers. Text only ever enters the page as text nodes or
// textContent, so names, comments and propositions can never become markup.

type Child = Node | string | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined | EventListener>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === "function") {
      el.addEventListener(name.replace(/^on/, ""), value);
    } else if (name === "class") {
      el.className = String(value);
    } else {
      el.setAttribute(name, value === true ? "" : String(value));
    }
  }
  append(el, children);
  return el;
}

export function append(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
  }
}

/** Replaces all children of `parent`. */
export function replace(parent: Node, ...children: Child[]): void {
  while (parent.firstChild) parent.removeChild(parent.firstChild);
  append(parent, children);
}

export function setText(el: Element, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}

/**
 * Keeps `container`'s children in step with `items`, reusing the widget made
 * for each key so that focus and half-typed input survive every update.
 */
export function syncList<T, W extends { el: HTMLElement }>(
  container: HTMLElement,
  items: readonly T[],
  key: (item: T) => string,
  create: (item: T) => W,
  update: (widget: W, item: T) => void,
  cache: Map<string, W>,
): void {
  const wanted = new Set(items.map(key));
  for (const [k, widget] of cache) {
    if (!wanted.has(k)) {
      widget.el.remove();
      cache.delete(k);
    }
  }
  let previous: Element | null = null;
  for (const item of items) {
    const k = key(item);
    let widget = cache.get(k);
    if (!widget) {
      widget = create(item);
      cache.set(k, widget);
    }
    update(widget, item);
    const expected: ChildNode | null = previous ? previous.nextSibling : container.firstChild;
    if (expected !== widget.el) container.insertBefore(widget.el, expected);
    previous = widget.el;
  }
}

/** A random id for request_id: works on plain http too, unlike randomUUID. */
export function randomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

let idCounter = 0;
/** A page-unique element id, for label/for and aria-describedby pairs. */
export function uid(prefix: string): string {
  idCounter += 1;
  return `${prefix}-${idCounter}`;
}
