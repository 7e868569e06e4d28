// Behaviour the templates ask for with data- attributes: the Content-Security-Policy
// allows no inline script or event handler (README, "Security").

// <form data-confirm="Delete …?">: ask before submitting.
document.addEventListener("submit", (event) => {
  const question = event.target.dataset.confirm;
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});

// <button data-print>: print the page.
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});

// Bootstrap progress bars take their width from their aria-valuenow (a
// style="width: …" attribute is inline style, which the policy refuses).
for (const bar of document.querySelectorAll(".progress[aria-valuenow] > .progress-bar")) {
  bar.style.width = `${bar.parentElement.getAttribute("aria-valuenow")}%`;
}

// <select name="kind"> with fields marked data-kinds="a b": show each field (its
// .mb-3 wrapper) only for the kinds it applies to (equipment movements).
for (const select of document.querySelectorAll("form select[name=kind]")) {
  const form = select.form;
  const show = () => {
    for (const field of form.querySelectorAll("[data-kinds]")) {
      const wrapper = field.closest(".mb-3") || field;
      wrapper.hidden = !field.dataset.kinds.split(" ").includes(select.value);
    }
  };
  select.addEventListener("change", show);
  show();
}
