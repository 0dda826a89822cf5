// Suggestions under the search box as one types: the ARIA combobox pattern (a list box that
// pops up). Without this script the box is a plain text field and the form searches as before.
const MIN_LENGTH = 2;
const DELAY_MS = 150;

function setUp(input) {
  const url = input.dataset.suggestUrl;
  const listbox = document.createElement("ul");
  listbox.id = `${input.id}-suggestions`;
  listbox.className = "suggestions";
  listbox.setAttribute("role", "listbox");
  listbox.setAttribute("aria-label", "Suggestions");
  listbox.hidden = true;
  const status = document.createElement("div");
  status.className = "visually-hidden";
  status.setAttribute("role", "status");
  const wrapper = document.createElement("div");
  wrapper.className = "suggest";
  input.replaceWith(wrapper);
  wrapper.append(input, listbox, status);

  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", listbox.id);
  input.setAttribute("autocomplete", "off");

  let items = [];
  let active = -1;
  let timer = null;
  let request = null;

  function close() {
    listbox.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function highlight(index) {
    const options = listbox.querySelectorAll("[role=option]");
    options.forEach((option, i) => option.setAttribute("aria-selected", String(i === index)));
    active = index;
    if (index >= 0) {
      input.setAttribute("aria-activedescendant", options[index].id);
      options[index].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function show(suggestions) {
    items = suggestions;
    listbox.replaceChildren();
    suggestions.forEach((item, index) => {
      const option = document.createElement("li");
      option.id = `${listbox.id}-${index}`;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      option.className = "suggestions__option";
      const label = document.createElement("span");
      label.textContent = item.label;
      const kind = document.createElement("span");
      kind.className = "suggestions__kind";
      kind.textContent = item.kind;
      option.append(label, " ", kind);
      option.addEventListener("mousedown", (event) => event.preventDefault());
      option.addEventListener("click", () => choose(index));
      listbox.append(option);
    });
    const count = suggestions.length;
    status.textContent = count ? `${count} suggestion${count === 1 ? "" : "s"}; use the arrow keys to choose` : "";
    if (count) {
      listbox.hidden = false;
      input.setAttribute("aria-expanded", "true");
      active = -1;
    } else {
      close();
    }
  }

  function choose(index) {
    const item = items[index];
    if (item) {
      window.location.assign(item.url);
    }
  }

  async function fetchSuggestions(text) {
    if (request) {
      request.abort();
    }
    request = new AbortController();
    try {
      const response = await fetch(`${url}?${new URLSearchParams({ q: text })}`, {
        signal: request.signal,
        headers: { Accept: "application/json" },
      });
      if (!response.ok) {
        return;
      }
      const body = await response.json();
      if (input.value.trim() === text) {
        show(body.suggestions);
      }
    } catch (error) {
      if (error.name !== "AbortError") {
        close();
      }
    }
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    const text = input.value.trim();
    if (text.length < MIN_LENGTH) {
      show([]);
      return;
    }
    timer = setTimeout(() => fetchSuggestions(text), DELAY_MS);
  });

  input.addEventListener("keydown", (event) => {
    const open = !listbox.hidden;
    if (event.key === "ArrowDown") {
      event.preventDefault();
      if (!open && items.length) {
        listbox.hidden = false;
        input.setAttribute("aria-expanded", "true");
      }
      highlight(Math.min(active + 1, items.length - 1));
    } else if (event.key === "ArrowUp" && open) {
      event.preventDefault();
      highlight(Math.max(active - 1, -1));
    } else if (event.key === "Enter" && open && active >= 0) {
      event.preventDefault();
      choose(active);
    } else if (event.key === "Escape") {
      if (open) {
        event.preventDefault();
        close();
      } else {
        input.value = "";
      }
    }
  });

  input.addEventListener("blur", close);
}

document.querySelectorAll("input[data-suggest-url]").forEach(setUp);
