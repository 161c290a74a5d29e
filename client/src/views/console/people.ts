// Remote hubs (invite, adjust attendance) and participants (remove one,
// which revokes their token). Ratings are never shown next to a person.
import { h, replace, setText, syncList, uid } from "../../dom";
import { channelLabel, groupLabel, t } from "../../i18n";
import type { HubSummary, ParticipantRow, Snapshot } from "../../protocol";
import type { ConsoleContext } from "./context";
import type { Panel } from "./propositions";

export function hubsPanel(ctx: ConsoleContext): Panel {
  const nameId = uid("hub-name");
  const attendanceId = uid("hub-att");
  const name = h("input", { id: nameId, required: true, maxlength: 80 });
  const attendance = h("input", {
    id: attendanceId,
    type: "number",
    min: 1,
    max: 100000,
    required: true,
    value: 20,
  });
  const invited = h("div", { class: "invited", hidden: true });
  const form = h(
    "form",
    { class: "row invite-form" },
    h("div", { class: "field" }, h("label", { for: nameId }, t("hub_name")), name),
    h("div", { class: "field" }, h("label", { for: attendanceId }, t("attendance")), attendance),
    h("button", { type: "submit", class: "primary" }, t("invite")),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const ack = await ctx.run("hub:invite", {
      name: name.value.trim(),
      attendance: Number(attendance.value),
    });
    if (!ack) return;
    form.reset();
    showLink(ack);
  });
  const showLink = (ack: { url: string; token: string }): void => {
    replace(
      invited,
      readonlyField(t("hub_link"), ack.url, "hub-url"),
      readonlyField(t("hub_token"), ack.token, "hub-token"),
    );
    invited.hidden = false;
  };
  const list = h("ul", { class: "hub-list" });
  const el = h(
    "section",
    { class: "panel hubs", "aria-labelledby": "h-hubs" },
    h("h2", { id: "h-hubs" }, t("hubs")),
    form,
    invited,
    list,
  );

  const hubItem = (hub: HubSummary): Row<HubSummary> => {
    const id = uid("att");
    const nameEl = h("span", { class: "hub-name", dir: "auto" }, hub.name);
    const input = h("input", { id, type: "number", min: 0, value: hub.attendance, class: "narrow" });
    const update = h("button", { type: "button", class: "small" }, t("update"));
    update.addEventListener(
      "click",
      () => void ctx.run("hub:update", { hub_id: hub.hub_id, attendance: Number(input.value) }),
    );
    const rotate = h(
      "button",
      { type: "button", class: "small", "aria-label": `${t("new_link")}: ${hub.name}` },
      t("new_link"),
    );
    rotate.addEventListener("click", async () => {
      if (!window.confirm(t("confirm_rotate_hub", { name: hub.name }))) return;
      const ack = await ctx.run("hub:rotate", { hub_id: hub.hub_id });
      if (ack) showLink(ack);
    });
    return {
      el: h("li", { class: "row" }, nameEl, h("label", { for: id }, t("attendance")), input, update, rotate),
      update(next) {
        setText(nameEl, next.name);
        if (document.activeElement !== input) input.value = String(next.attendance);
      },
    };
  };
  const rows = new Map<string, Row<HubSummary>>();
  return {
    el,
    update(s: Snapshot) {
      syncList(
        list,
        s.hubs ?? [],
        (hub) => hub.hub_id,
        hubItem,
        (row, hub) => row.update(hub),
        rows,
      );
    },
  };
}

interface Row<T> {
  el: HTMLElement;
  update(item: T): void;
}

function readonlyField(label: string, value: string, cls: string): HTMLElement {
  const id = uid(cls);
  const input = h("input", { id, class: cls, readonly: true, value });
  input.addEventListener("focus", () => input.select());
  return h("div", { class: "field" }, h("label", { for: id }, label), input);
}

export function participantsPanel(ctx: ConsoleContext): Panel {
  const list = h("ul", { class: "participant-list" });
  const empty = h("p", { class: "muted" }, t("no_participants"));
  const el = h(
    "section",
    { class: "panel participants", "aria-labelledby": "h-people" },
    h("h2", { id: "h-people" }, t("participants")),
    empty,
    list,
  );

  const item = (p: ParticipantRow): Row<ParticipantRow> => {
    const label = p.name || groupLabel(p.stakeholder_group);
    const details = [p.name ? groupLabel(p.stakeholder_group) : "", channelLabel(p.channel), p.language ?? ""]
      .filter(Boolean)
      .join(" · ");
    const remove = h(
      "button",
      { type: "button", class: "small danger", "aria-label": `${t("remove")}: ${label}` },
      t("remove"),
    );
    remove.addEventListener("click", () => {
      if (window.confirm(t("confirm_remove")))
        void ctx.run("participant:remove", { participant_id: p.participant_id });
    });
    const state = h("span", {});
    const el = h(
      "li",
      { "data-participant": p.participant_id },
      h("span", { class: "speaker-name", dir: "auto" }, label),
      " ",
      h("span", { class: "speaker-details" }, details),
      " ",
      state,
    );
    return {
      el,
      update(next) {
        el.classList.toggle("is-removed", next.removed);
        if (next.removed) replace(state, h("span", { class: "badge" }, t("removed")));
        else if (!state.contains(remove)) replace(state, remove);
      },
    };
  };
  const rows = new Map<string, Row<ParticipantRow>>();
  let shown: ParticipantRow[] | undefined;
  return {
    el,
    update(s: Snapshot) {
      if (s.participants === shown) return; // unchanged since the last patch
      shown = s.participants;
      const people = s.participants ?? [];
      empty.hidden = people.length > 0;
      syncList(
        list,
        people,
        (p) => p.participant_id,
        item,
        (row, p) => row.update(p),
        rows,
      );
    },
  };
}
