// <select data-search-url="…">: a type-ahead choice (campussafety.forms.SearchSelect).
// The select holds only the chosen option; a search box above it asks the
// endpoint for matches in the user's scope and lists them in the select.

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
    const chosen = select.value;
    select.replaceChildren(...(blank ? [blank] : []));
    for (const item of results) {
      select.add(new Option(item.text, item.id, false, String(item.id) === chosen));
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
}

for (const select of document.querySelectorAll("select[data-search-url]")) {
  searchSelect(select);
}
