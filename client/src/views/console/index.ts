// The facilitator console (`/console#token=…`): propositions on the left,
// the session, the queue, hubs and participants on the right.
import "../../styles/console.css";
import { describeChanges } from "../../announce";
import { Connection, storeTokenInFragment, tokenFromFragment } from "../../connection";
import { h, replace } from "../../dom";
import { onLanguage, t } from "../../i18n";
import type { Snapshot } from "../../protocol";
import { createShell } from "../../shell";
import { consoleContext } from "./context";
import { hubsPanel, participantsPanel } from "./people";
import { propositionsPanel, type Panel } from "./propositions";
import { queuePanel } from "./queue";
import { sessionPanel } from "./session";
import { speakerLogPanel } from "./speaker-log";

export function start(): void {
  const shell = createShell("view-console", t("console_title"));
  const token = tokenFromFragment();
  if (!token) {
    shell.showFatal(t("missing_token"));
    return;
  }
  const connection = new Connection(token, storeTokenInFragment);
  shell.watch(connection, (error) => shell.showFatal(t("unauthorized", { message: error.message })));
  const ctx = consoleContext(connection, shell, token);

  let panels: Panel[] = [];
  const render = (s: Snapshot): void => {
    shell.setTitle(`${t("console_title")} · ${s.session.title}`);
    for (const panel of panels) panel.update(s);
  };
  const mount = (): void => {
    const props = propositionsPanel(ctx);
    const side = [
      queuePanel(ctx),
      speakerLogPanel(),
      sessionPanel(ctx),
      hubsPanel(ctx),
      participantsPanel(ctx),
    ];
    panels = [props, ...side];
    replace(
      shell.main,
      h(
        "div",
        { class: "console-grid" },
        h("div", { class: "col-main" }, props.el),
        h("div", { class: "col-side" }, ...side.map((panel) => panel.el)),
      ),
    );
    if (connection.snapshot) render(connection.snapshot);
  };
  mount();
  // Panels hold translated labels; a language switch rebuilds them.
  onLanguage(mount);
  connection.onSnapshot((next, previous) => {
    render(next);
    for (const text of describeChanges(previous, next)) shell.announce(text);
  });
}
