// The drill pages (drills/templates/drills/): the commander's stopwatch and live class
// reports, and the class teacher's headcount that survives a dropped connection.
// Texts come translated in data- attributes; the CSP allows no inline script.

const POLL_MS = 3000;
const RESEND_MS = 5000;

function clock(seconds) {
  const whole = Math.max(0, Math.floor(seconds));
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, "0")}`;
}

// --- The stopwatch: runs from the server's signal time; shows the kept time once stopped.
const stopwatch = document.querySelector("[data-stopwatch]");

function showStopwatch() {
  if (stopwatch.dataset.seconds !== "") {
    stopwatch.textContent = clock(Number(stopwatch.dataset.seconds));
  } else if (stopwatch.dataset.started) {
    stopwatch.textContent = clock((Date.now() - Date.parse(stopwatch.dataset.started)) / 1000);
  }
}

if (stopwatch) {
  showStopwatch();
  if (stopwatch.dataset.status === "running") {
    setInterval(showStopwatch, 250);
  }
}

// --- The class reports on the commander's screen, polled from the drill's `live` action.
const board = document.querySelector("[data-live-url]");

function cell(text, className) {
  const td = document.createElement("td");
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

function showReports(live) {
  if (live.status !== board.dataset.status) {
    // Started or stopped from another phone: the page shows the buttons of the new state.
    window.location.reload();
    return;
  }
  const rows = document.getElementById("headcount-rows");
  rows.replaceChildren();
  for (const report of live.headcounts) {
    const tr = document.createElement("tr");
    tr.className = report.missing ? "headcount-row table-danger" : "headcount-row";
    tr.append(
      cell(report.class_name),
      cell(report.teacher_name),
      cell(`${report.arrived}/${report.expected}`, "text-end"),
      cell(String(report.missing), "text-end fw-semibold"),
    );
    rows.append(tr);
  }
  if (!live.headcounts.length) {
    const tr = document.createElement("tr");
    tr.className = "headcount-empty";
    const td = cell(rows.dataset.empty, "text-body-secondary");
    td.colSpan = 4;
    tr.append(td);
    rows.append(tr);
  }
  const missing = document.getElementById("headcount-missing");
  missing.textContent = `${missing.dataset.label}: ${live.totals.missing}`;
  missing.classList.toggle("text-bg-danger", live.totals.missing > 0);
  missing.classList.toggle("text-bg-success", live.totals.missing === 0);
}

async function poll() {
  try {
    const response = await fetch(board.dataset.liveUrl, {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
    if (response.ok) showReports(await response.json());
  } catch {
    // Offline for a moment: the next poll tries again.
  }
}

if (board) {
  setInterval(poll, POLL_MS);
}

// --- The class teacher's headcount: kept on the phone until the server has it.
const form = document.querySelector("[data-headcount-form]");

function newReportId() {
  // A version 4 UUID; crypto.randomUUID needs a secure context an intranet may not give.
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

if (form) {
  const key = `drill-headcount:${form.dataset.postUrl}`;
  const state = document.getElementById("headcount-state");
  let sending = false;

  const say = (text, kind) => {
    state.className = `alert alert-${kind} mb-0`;
    state.textContent = text;
  };

  const send = async () => {
    const stored = localStorage.getItem(key);
    if (!stored || sending) return;
    sending = true;
    try {
      const response = await fetch(form.dataset.postUrl, {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: stored,
      });
      const answer = await response.json().catch(() => ({}));
      if (response.ok && answer.report_id === JSON.parse(stored).report_id) {
        localStorage.removeItem(key);
        say(`${form.dataset.sent} ${answer.class_name}: ${answer.arrived}/${answer.expected}`, "success");
      } else if (response.status === 429 || response.status >= 500) {
        say(form.dataset.kept, "warning");
      } else {
        // Refused for good (a closed drill, a bad count): nothing to send again.
        localStorage.removeItem(key);
        const detail = answer.detail || Object.values(answer).flat().join(" ");
        say(`${form.dataset.refused} ${detail}`, "danger");
      }
    } catch {
      say(form.dataset.kept, "warning");
    } finally {
      sending = false;
    }
  };

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!form.reportValidity()) return;
    const data = new FormData(form);
    const report = {
      class_name: data.get("class_name"),
      teacher_name: data.get("teacher_name"),
      expected: Number(data.get("expected")),
      arrived: Number(data.get("arrived")),
      report_id: newReportId(),
    };
    localStorage.setItem(key, JSON.stringify(report));
    send();
  });

  // A report kept from before (the page reloaded, the phone was offline): send it again.
  window.addEventListener("online", send);
  setInterval(send, RESEND_MS);
  if (localStorage.getItem(key)) {
    say(form.dataset.kept, "warning");
    send();
  }
}
