// <select data-search-url="…">: a type-ahead choice (campussafety.forms.SearchSelect,
// and SearchSelectMultiple for a <select multiple>).
// The select holds only the chosen option(s); a search box above it asks the
// endpoint for matches in the user's scope and lists them in the select.
// A multiple select keeps what is chosen while later searches list more beside it;
// a click picks or drops one option without a modifier key, and the chosen ones
// are listed under it as buttons that take them off again.

const SEARCH_DELAY_MS = 250;

function searchSelect(select) {
  const box = document.createElement("input");
  box.type = "search";
  box.className = "form-control form-control-sm mb-1";
  box.placeholder = select.dataset.searchPlaceholder;
  box.setAttribute("aria-label", box.placeholder);
  box.autocomplete = "off";
  select.before(box);
  const blank = select.querySelector("option[value='']");
  const chips = select.multiple ? chosenList(select) : null;
  let timer = null;
  let asked = 0;

  async function search() {
    const ask = ++asked;
    const url = new URL(select.dataset.searchUrl, window.location.href);
    url.searchParams.set("q", box.value.trim());
    const response = await fetch(url, { credentials: "same-origin" });
    if (!response.ok || ask !== asked) {
      return;
    }
    const { results } = await response.json();
    // What stays: the blank choice, and in a multiple select every chosen option.
    const kept = select.multiple
      ? Array.from(select.selectedOptions)
      : blank
        ? [blank]
        : [];
    const keptValues = new Set(kept.map((option) => option.value));
    const chosen = select.value;
    select.replaceChildren(...kept);
    for (const item of results) {
      if (!keptValues.has(String(item.id))) {
        select.add(new Option(item.text, item.id, false, String(item.id) === chosen));
      }
    }
    if (!results.length) {
      const none = new Option(select.dataset.searchEmpty, "");
      none.disabled = true;
      select.add(none);
    }
  }

  box.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(search, SEARCH_DELAY_MS);
  });
  // Opening the select without typing offers the first matches too.
  select.addEventListener("focus", () => {
    if (!asked) {
      search();
    }
  });
  if (select.multiple) {
    select.size = Math.max(select.size, 6);
    // A plain click toggles one option, as on a phone's picker, instead of
    // replacing the whole choice unless Ctrl or Shift is held.
    select.addEventListener("mousedown", (event) => {
      const option = event.target;
      if (option instanceof HTMLOptionElement && !option.disabled) {
        event.preventDefault();
        option.selected = !option.selected;
        select.focus();
        select.dispatchEvent(new Event("change", { bubbles: true }));
      }
    });
    select.addEventListener("change", () => chips.show());
    chips.show();
  }
}

function chosenList(select) {
  const list = document.createElement("ul");
  list.className = "list-inline mt-1 mb-0 search-chosen";
  select.after(list);
  return {
    show() {
      list.replaceChildren();
      for (const option of select.selectedOptions) {
        const item = document.createElement("li");
        item.className = "list-inline-item mb-1";
        const button = document.createElement("button");
        button.type = "button";
        button.className = "btn btn-sm btn-outline-secondary";
        button.textContent = `${option.text} ×`;
        button.setAttribute("aria-label", `${select.dataset.searchRemove}: ${option.text}`);
        button.addEventListener("click", () => {
          option.selected = false;
          this.show();
        });
        item.append(button);
        list.append(item);
      }
    },
  };
}

for (const select of document.querySelectorAll("select[data-search-url]")) {
  searchSelect(select);
}
