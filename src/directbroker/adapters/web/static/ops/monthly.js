// Placeholder of the operations console's monthly panel (replaced by its implementation).
import { el } from "../common/format.js";

export async function mountMonthly(panel) {
  panel.append(el("p", { class: "muted" }, "Not available yet."));
}
