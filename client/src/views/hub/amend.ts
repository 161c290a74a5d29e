// A hub's moderator proposes a rewording on the room's behalf (counted under
// the hub's channel, group `other`), and follows what became of the hub's
// proposals; the chair never sees who proposed.
import type { Connection } from "../../connection";
import { h, setText, syncList } from "../../dom";
import { t } from "../../i18n";
import type { Proposition, Snapshot } from "../../protocol";
import type { Shell } from "../../shell";
import { amendForm, ownAmendments, type AmendForm } from "../phone/amend";

export function hubAmendments(
  shell: Shell,
  connection: Connection,
): { el: HTMLElement; update(s: Snapshot): void } {
  const heading = h("h2", { id: "h-hub-amend" });
  const list = h("div", { class: "hub-amend-list" });
  const own = ownAmendments();
  const el = h(
    "section",
    { class: "card hub-amend", "aria-labelledby": "h-hub-amend" },
    heading,
    list,
    own.el,
  );
  const forms = new Map<string, { el: HTMLElement; form: AmendForm; text: HTMLElement }>();
  const make = (p: Proposition): { el: HTMLElement; form: AmendForm; text: HTMLElement } => {
    const form = amendForm(p, connection, shell);
    const text = h("p", { class: "prop-text", dir: "auto" });
    return { el: h("article", { "data-proposition": p.id }, text, form.el), form, text };
  };
  return {
    el,
    update(s) {
      setText(heading, t("amend_open"));
      const open = s.propositions.filter((p) => p.status === "open");
      el.hidden = open.length === 0 && (s.hub?.amendments.length ?? 0) === 0;
      syncList(
        list,
        open,
        (p) => p.id,
        make,
        (item, p) => {
          setText(item.text, p.text);
          item.form.update(p);
        },
        forms,
      );
      own.update(s);
    },
  };
}
