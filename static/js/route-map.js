// The route map's progressive enhancement. Without it, each tile's "links" link loads the map
// with ?focus=CODE, rendered by the server. With it, choosing a tile focuses it in place: the
// same server-rendered page is fetched, its marks (aria-current, data-link, data-dimmed, the
// words on linked tiles) and its focus panel are copied in, arrows are drawn between the tile
// and its linked tiles, and the URL follows (so Back and Forward work). Escape clears it.

const map = document.querySelector("[data-route-map]");

if (map) {
  const status = document.getElementById("focus-status");
  const SVG = "http://www.w3.org/2000/svg";
  let arrows = null;
  let current = new URL(window.location.href).searchParams.get("focus") || "";

  const parse = async (url) => {
    const response = await fetch(url, { headers: { Accept: "text/html" } });
    if (!response.ok) throw new Error(`${response.status} for ${url}`);
    return new DOMParser().parseFromString(await response.text(), "text/html");
  };

  const copyMarks = (page) => {
    for (const tile of map.querySelectorAll(".card")) {
      const source = page.getElementById(tile.id);
      if (!source) continue;
      for (const name of ["aria-current", "data-link", "data-dimmed"]) {
        if (source.hasAttribute(name)) tile.setAttribute(name, source.getAttribute(name));
        else tile.removeAttribute(name);
      }
      tile.querySelector(".card__link")?.remove();
      const words = source.querySelector(".card__link");
      if (words) tile.append(document.importNode(words, true));
    }
    const focused = page.querySelector(".map-grid--focused") !== null;
    for (const grid of map.querySelectorAll(".map-grid")) {
      grid.classList.toggle("map-grid--focused", focused);
    }
    const panel = page.getElementById("focus");
    const here = document.getElementById("focus");
    if (here) here.remove();
    if (panel) {
      document.querySelector(".legend-disclosure").before(document.importNode(panel, true));
    }
    const hidden = page.querySelector(".filters input[name=focus]");
    document.querySelector(".filters input[name=focus]")?.remove();
    if (hidden) document.querySelector(".filters form").prepend(document.importNode(hidden, true));
  };

  const drawArrows = () => {
    arrows?.remove();
    arrows = null;
    const chosen = map.querySelector('.card[aria-current="true"]');
    if (!chosen) return;
    const box = map.getBoundingClientRect();
    arrows = document.createElementNS(SVG, "svg");
    arrows.setAttribute("class", "map-arrows");
    arrows.setAttribute("aria-hidden", "true");
    arrows.setAttribute("width", String(box.width));
    arrows.setAttribute("height", String(box.height));
    arrows.innerHTML =
      '<defs><marker id="map-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7"' +
      ' markerHeight="7" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z"/></marker></defs>';
    const centre = (el) => {
      const r = el.getBoundingClientRect();
      return [r.left - box.left + r.width / 2, r.top - box.top + r.height / 2];
    };
    const edge = (from, to, el) => {
      // Where the line from `from` to the centre of `el` meets el's border.
      const r = el.getBoundingClientRect();
      const [cx, cy] = centre(el);
      const dx = from[0] - cx;
      const dy = from[1] - cy;
      const scale = 1 / Math.max(Math.abs(dx) / (r.width / 2), Math.abs(dy) / (r.height / 2), 1);
      return [cx + dx * scale, cy + dy * scale];
    };
    const start = centre(chosen);
    for (const tile of map.querySelectorAll(".card[data-link]")) {
      const end = centre(tile);
      const a = edge(end, start, chosen);
      const b = edge(start, end, tile);
      const line = document.createElementNS(SVG, "line");
      line.setAttribute("class", "map-arrows__line");
      line.setAttribute("x1", a[0]);
      line.setAttribute("y1", a[1]);
      line.setAttribute("x2", b[0]);
      line.setAttribute("y2", b[1]);
      line.dataset.to = tile.dataset.code;
      const side = tile.dataset.link;
      if (side === "to" || side === "both") line.setAttribute("marker-end", "url(#map-arrow)");
      if (side === "from" || side === "both") line.setAttribute("marker-start", "url(#map-arrow)");
      arrows.append(line);
    }
    map.append(arrows);
  };

  const show = async (url, push) => {
    const code = url.searchParams.get("focus") || "";
    const page = await parse(url.href);
    copyMarks(page);
    current = code;
    if (push) window.history.pushState({ focus: code }, "", url.href);
    drawArrows();
    const chosen = map.querySelector('.card[aria-current="true"]');
    if (status) {
      const linked = map.querySelectorAll(".card[data-link]").length;
      status.textContent = chosen
        ? `${chosen.querySelector(".card__title").textContent}: ${linked} linked on this map are marked.`
        : "No occupation chosen: the whole map is shown.";
    }
  };

  const without = () => {
    const url = new URL(window.location.href);
    url.searchParams.delete("focus");
    url.hash = "";
    return url;
  };

  map.addEventListener("click", (event) => {
    const link = event.target.closest(".card__focus");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    const url = new URL(link.href);
    url.hash = "";
    const tile = link.closest(".card");
    // Choosing the chosen tile again clears the choice.
    const target = tile.dataset.code === current ? without() : url;
    show(target, true).then(() => link.focus());
  });

  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && current) {
      show(without(), true);
    }
  });

  window.addEventListener("popstate", () => {
    show(new URL(window.location.href), false);
  });

  let pending = 0;
  window.addEventListener("resize", () => {
    cancelAnimationFrame(pending);
    pending = requestAnimationFrame(drawArrows);
  });

  drawArrows();
}
