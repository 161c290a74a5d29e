// The start shared by the views opened from a link carrying a token in its
// fragment (console, display, hub): the page shell, the connection, and a
// render of every snapshot with its changes announced.
import { describeChanges } from "./announce";
import { Connection, storeTokenInFragment, tokenFromFragment } from "./connection";
import { onLanguage, t } from "./i18n";
import type { Snapshot } from "./protocol";
import { createShell, type Shell } from "./shell";

export interface LinkedView {
  shell: Shell;
  connection: Connection;
  token: string;
}

/** Opens the page with the link's token; without one, says so and gives null. */
export function openLinkedView(viewClass: string, title: string): LinkedView | null {
  const shell = createShell(viewClass, title);
  const token = tokenFromFragment();
  if (!token) {
    shell.showFatal(t("missing_token"));
    return null;
  }
  const connection = new Connection(token, storeTokenInFragment);
  shell.watch(connection, (error) => shell.showFatal(t("unauthorized", { message: error.message })));
  return { shell, connection, token };
}

/**
 * Mounts the view now and again after every language switch (its labels are
 * translated when built), renders every snapshot, and announces what changed.
 */
export function renderSnapshots(view: LinkedView, mount: () => (s: Snapshot) => void): void {
  let render: (s: Snapshot) => void = () => undefined;
  const remount = (): void => {
    render = mount();
    if (view.connection.snapshot) render(view.connection.snapshot);
  };
  remount();
  onLanguage(remount);
  view.connection.onSnapshot((next, previous) => {
    render(next);
    for (const text of describeChanges(previous, next)) view.shell.announce(text);
  });
}
