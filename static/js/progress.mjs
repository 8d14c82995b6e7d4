// Progress pages (exports being built): with JavaScript, the status region updates itself
// every few seconds without reloading the page, and a screen reader hears the change
// through aria-live. Without JavaScript the page has a "Refresh now" link. No automatic
// page refresh (WCAG 2.2.1), no inline script (the CSP forbids it).
const region = document.querySelector("[data-progress-poll]");

async function poll(element) {
  const seconds = Number(element.dataset.progressPoll) || 3;
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  let fresh;
  try {
    const response = await fetch(window.location.href, { credentials: "same-origin", cache: "no-store" });
    if (!response.ok) return; // signed out or gone: the link still works
    const page = new DOMParser().parseFromString(await response.text(), "text/html");
    fresh = page.querySelector("[data-progress]");
  } catch {
    fresh = null;
  }
  if (!fresh) return;
  element.innerHTML = fresh.innerHTML;
  if (fresh.hasAttribute("data-progress-poll")) {
    poll(element);
  } else {
    element.removeAttribute("data-progress-poll");
  }
}

if (region) poll(region);
