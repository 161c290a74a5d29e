// Picks the view from the path the server served index.html under. Each view
// is its own chunk, so a phone downloads only the phone's code.
import "./styles/base.css";
import { h, replace } from "./dom";
import { applyDocumentLanguage, t } from "./i18n";

applyDocumentLanguage();

async function route(path: string): Promise<void> {
  const join = /^\/join\/([^/]+)\/?$/.exec(path);
  if (join?.[1]) {
    (await import("./views/phone")).start(decodeURIComponent(join[1]));
  } else if (path === "/invite") {
    (await import("./views/phone/invitation")).start();
  } else if (path === "/console") {
    (await import("./views/console")).start();
  } else if (path === "/display") {
    (await import("./views/display")).start();
  } else if (path === "/hub") {
    (await import("./views/hub")).start();
  } else if (path === "/admin") {
    (await import("./views/admin")).start();
  } else if (path === "/") {
    (await import("./views/code-page")).start();
  } else {
    const app = document.getElementById("app") ?? document.body;
    replace(app, h("main", { class: "nothing" }, h("h1", {}, "Plenary"), h("p", {}, t("not_found_page"))));
  }
}

void route(location.pathname.replace(/\/+$/, "") || "/");
