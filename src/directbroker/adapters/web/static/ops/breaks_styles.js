// The stylesheet of the console's two data panels (clearing breaks and the monthly report),
// linked once by whichever panel mounts first, unless the page already links it.

const HREF = "/ui/static/ops/data.css";

export function useDataStyles() {
  const linked = [...document.querySelectorAll("link[rel='stylesheet']")].some((link) => link.getAttribute("href") === HREF);
  if (linked) return;
  const link = document.createElement("link");
  link.rel = "stylesheet";
  link.href = HREF;
  document.head.append(link);
}
