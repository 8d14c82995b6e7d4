// The GOV.UK timeout-warning pattern. Two minutes before the session would end (30 minutes
// without a request, or the 12-hour absolute limit) a modal <dialog> offers "Stay signed in"
// (a GET to the keep-alive URL, which restarts the server's idle timer) and "Sign out".
// Tabs share the time of the last request through localStorage, so activity in one tab
// keeps the others from warning. Other modules can listen for the events dispatched on
// `document` ("epep:timeout-warning" before the dialog opens, "epep:timed-out" before the
// page leaves) to keep what the person has typed.

const STORAGE_KEY = "epep:last-request";

function plural(count, unit) {
  return `${count} ${unit}${count === 1 ? "" : "s"}`;
}

export function describe(secondsLeft) {
  const seconds = Math.max(0, Math.ceil(secondsLeft));
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  if (minutes === 0) return plural(rest, "second");
  if (rest === 0) return plural(minutes, "minute");
  return `${plural(minutes, "minute")} ${plural(rest, "second")}`;
}

function readShared() {
  try {
    return Number(window.localStorage.getItem(STORAGE_KEY)) || 0;
  } catch {
    return 0;
  }
}

function writeShared(time) {
  try {
    window.localStorage.setItem(STORAGE_KEY, String(time));
  } catch {
    // Storage may be disabled; this tab still keeps its own clock.
  }
}

export function initTimeoutWarning(root = document) {
  const dialog = root.querySelector("dialog[data-module='epep-timeout-warning']");
  if (!dialog || typeof dialog.showModal !== "function") return null;

  const idleMs = Number(dialog.dataset.idleSeconds) * 1000;
  const warningMs = Number(dialog.dataset.warningSeconds) * 1000;
  let absoluteEnd = dialog.dataset.absoluteSeconds
    ? Date.now() + Number(dialog.dataset.absoluteSeconds) * 1000
    : Infinity;
  const countdown = dialog.querySelector("[data-countdown]");
  const announcement = dialog.querySelector("[data-countdown-announcement]");
  const keepAliveButton = dialog.querySelector("[data-keep-alive]");
  let lastRequest = Date.now();
  let lastAnnounced = null;
  let returnFocus = null;
  let finished = false;
  writeShared(lastRequest);

  function endsAt() {
    lastRequest = Math.max(lastRequest, readShared());
    return Math.min(lastRequest + idleMs, absoluteEnd);
  }

  function signOut() {
    if (finished) return;
    finished = true;
    document.dispatchEvent(new CustomEvent("epep:timed-out"));
    window.location.assign(dialog.dataset.signedOutUrl);
  }

  function open(secondsLeft) {
    document.dispatchEvent(new CustomEvent("epep:timeout-warning", { detail: { secondsLeft } }));
    returnFocus = document.activeElement;
    dialog.showModal();
    keepAliveButton.focus();
  }

  function close() {
    if (dialog.open) dialog.close();
    lastAnnounced = null;
    if (returnFocus && typeof returnFocus.focus === "function") returnFocus.focus();
  }

  function tick() {
    if (finished) return;
    const msLeft = endsAt() - Date.now();
    if (msLeft <= 0) {
      signOut();
      return;
    }
    if (msLeft > warningMs) {
      if (dialog.open) close();
      return;
    }
    const secondsLeft = Math.ceil(msLeft / 1000);
    if (!dialog.open) open(secondsLeft);
    countdown.textContent = describe(secondsLeft);
    // Screen readers hear the time left when the dialog opens and every 30 seconds, not
    // every second.
    if (lastAnnounced === null || lastAnnounced - secondsLeft >= 30) {
      lastAnnounced = secondsLeft;
      announcement.textContent = `For your security, we will sign you out in ${describe(secondsLeft)}.`;
    }
  }

  async function staySignedIn() {
    try {
      const response = await fetch(dialog.dataset.keepAliveUrl, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      // A redirect means the server has already ended the session (to the sign-in page).
      if (!response.ok || response.redirected) {
        signOut();
        return;
      }
      const body = await response.json();
      lastRequest = Date.now();
      writeShared(lastRequest);
      if (body.absolute_seconds) absoluteEnd = Date.now() + body.absolute_seconds * 1000;
      close();
    } catch {
      // The network failed: leave the dialog open so the person can try again.
    }
  }

  keepAliveButton.addEventListener("click", staySignedIn);
  // Escape closes a modal dialog; here it means "stay signed in", as in the GOV.UK pattern.
  dialog.addEventListener("cancel", (event) => {
    event.preventDefault();
    staySignedIn();
  });
  const timer = window.setInterval(tick, 1000);
  tick();
  return { tick, stop: () => window.clearInterval(timer) };
}

// Imported by epep.mjs in the browser; the guard lets the tests import it under Node.js.
if (typeof document !== "undefined") initTimeoutWarning();
