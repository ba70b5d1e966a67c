// Placeholder of the operations console's breaks panel (replaced by its implementation).
import { el } from "../common/format.js";

export async function mountBreaks(panel) {
  panel.append(el("p", { class: "muted" }, "Not available yet."));
}
