// Amendments from a phone: propose a rewording of an open proposition, with a
// why, and see what became of one's own proposals (nobody else sees them).
import type { Connection } from "../../connection";
import { h, replace, setText, uid } from "../../dom";
import { t } from "../../i18n";
import { LIMITS } from "../../generated/vocabulary";
import type { OwnAmendment, Proposition, Snapshot } from "../../protocol";
import type { Shell } from "../../shell";

export interface AmendForm {
  el: HTMLElement;
  update(p: Proposition): void;
}

export function amendForm(p: Proposition, connection: Connection, shell: Shell): AmendForm {
  let current = p;
  const textId = uid("amend");
  const whyId = uid("amend-why");
  const text = h("textarea", { id: textId, dir: "auto", rows: 3, maxlength: LIMITS.proposition });
  const why = h("textarea", { id: whyId, dir: "auto", rows: 2, maxlength: LIMITS.why });
  const send = h("button", { type: "submit", class: "secondary" }, t("amend_send"));
  const sent = h("p", { class: "muted", role: "status" });
  const form = h(
    "form",
    { class: "amend-form" },
    h("div", { class: "field" }, h("label", { for: textId }, t("amend_text")), text),
    h("div", { class: "field" }, h("label", { for: whyId }, t("amend_why")), why),
    send,
    sent,
  );
  const el = h("details", { class: "amend" }, h("summary", {}, t("amend_open")), form);
  // The form starts from the wording as it stands, and holds it before it is
  // opened: filled on opening (the `toggle` event comes a moment after the
  // click), it could land after someone selected the empty box and before
  // what they typed or pasted, giving the old wording and theirs run together.
  // Once they edit it, it is theirs until sent; until then it follows revisions.
  let edited = false;
  const follow = (): void => {
    if (!edited && text.value !== current.text) text.value = current.text;
  };
  text.addEventListener("input", () => {
    edited = true;
  });
  follow();
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    send.disabled = true;
    const proposed = text.value.trim();
    const ack = await connection.command(
      "amendment:propose",
      {
        proposition_id: current.id,
        text: proposed,
        ...(why.value.trim() ? { why: why.value.trim() } : {}),
      },
      { retry: true },
    );
    send.disabled = false;
    if (!ack.ok) {
      shell.showError(ack.error);
      return;
    }
    edited = false;
    follow();
    why.value = "";
    el.open = false;
    setText(sent, t("amend_sent"));
    // One's own list shows it at once; the chair's decision comes in a `state`.
    const mine: OwnAmendment = {
      amendment_id: ack.amendment_id,
      proposition_id: current.id,
      text: proposed,
      status: "proposed",
      note: null,
      revision: null,
    };
    connection.update((s) => (s.me ? { ...s, me: { ...s.me, amendments: [...s.me.amendments, mine] } } : s));
  });
  return {
    el,
    update(next) {
      current = next;
      follow();
      el.hidden = next.status !== "open";
    },
  };
}

/** One's own proposed rewordings, each with what became of it. */
export function ownAmendments(): { el: HTMLElement; update(s: Snapshot): void } {
  const list = h("ul", { class: "own-amendments" });
  const heading = h("h2", { id: "h-own-amend" });
  const el = h("section", { class: "card own-amendments-panel", "aria-labelledby": "h-own-amend" });
  replace(el, heading, list);
  return {
    el,
    update(s) {
      setText(heading, t("own_amendments"));
      // A participant's own proposals, or a hub's on its room's behalf.
      const mine = s.me?.amendments ?? s.hub?.amendments ?? [];
      el.hidden = mine.length === 0;
      replace(
        list,
        ...mine.map((a) =>
          h(
            "li",
            { "data-amendment": a.amendment_id, "data-status": a.status },
            h("q", { dir: "auto" }, a.text),
            " ",
            h("span", { class: `badge amendment-${a.status}` }, t(`amendment_status_${a.status}`)),
            a.note
              ? h("span", { class: "note", dir: "auto" }, ` ${t("amendment_note", { note: a.note })}`)
              : null,
          ),
        ),
      );
    },
  };
}
