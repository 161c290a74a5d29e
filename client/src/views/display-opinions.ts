// The projector's opinion map: shown only when the server sends one, which it
// does once results are public and only for groups of at least the session's
// minimum size (docs/opinions.md). No names, no ids: points and group sizes.
import { h, replace } from "../dom";
import { t } from "../i18n";
import { opinionMap } from "../opinion-map";
import type { Snapshot } from "../protocol";

export interface DisplayOpinions {
  el: HTMLElement;
  update(s: Snapshot): void;
}

export function displayOpinions(): DisplayOpinions {
  const body = h("div", {});
  const el = h(
    "section",
    { class: "display-opinions", "aria-labelledby": "h-display-opinions" },
    h("h2", { id: "h-display-opinions" }, t("opinion_groups")),
    body,
  );
  el.hidden = true;
  let rendered = "";
  return {
    el,
    update(s) {
      const key = JSON.stringify(s.opinions ?? null);
      if (key === rendered) return;
      rendered = key;
      el.hidden = !s.opinions;
      replace(body, s.opinions ? opinionMap(s.opinions, true) : null);
    },
  };
}
