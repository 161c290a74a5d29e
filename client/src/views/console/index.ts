// The facilitator console (`/console#token=…`): propositions on the left,
// the session, the queue, hubs and participants on the right.
import "../../styles/console.css";
import { h, replace } from "../../dom";
import { t } from "../../i18n";
import { openLinkedView, renderSnapshots } from "../../linked-view";
import type { Snapshot } from "../../protocol";
import { consoleContext } from "./context";
import { draftPanel } from "./draft-import";
import { opinionsPanel } from "./opinions";
import { hubsPanel, participantsPanel } from "./people";
import { projectorPanel } from "./projector";
import { propositionsPanel, type Panel } from "./propositions";
import { publishPanel } from "./publish";
import { queuePanel } from "./queue";
import { registrantsPanel } from "./registrants";
import { sessionPanel } from "./session";
import { speakerLogPanel } from "./speaker-log";
import { windowsPanel } from "./windows";

export function start(): void {
  const view = openLinkedView("view-console", t("console_title"));
  if (!view) return;
  const { shell, connection, token } = view;
  const ctx = consoleContext(connection, shell, token);
  // Panels hold translated labels: every mount (again after a language
  // switch) builds them anew.
  renderSnapshots(view, () => {
    const props = propositionsPanel(ctx);
    const draft = draftPanel(ctx);
    const side = [
      projectorPanel(ctx),
      queuePanel(ctx),
      speakerLogPanel(),
      opinionsPanel(),
      sessionPanel(ctx),
      windowsPanel(ctx),
      publishPanel(ctx),
      hubsPanel(ctx),
      participantsPanel(ctx),
      registrantsPanel(ctx, () => connection.snapshot?.session.session_id ?? ""),
    ];
    const panels: Panel[] = [props, draft, ...side];
    replace(
      shell.main,
      h(
        "div",
        { class: "console-grid" },
        h("div", { class: "col-main" }, draft.el, props.el),
        h("div", { class: "col-side" }, ...side.map((panel) => panel.el)),
      ),
    );
    return (s: Snapshot) => {
      shell.setTitle(`${t("console_title")} · ${s.session.title}`);
      for (const panel of panels) panel.update(s);
    };
  });
}
