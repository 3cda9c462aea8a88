// The benchmark's in-page half, run in the app's page and in the floor's
// (bench/floor/ uses the app's ids and classes). Timing happens here, in
// the page, so that WebDriver's own round trips are never in a figure.
// bench/main.rs sends this file followed by one call of `bench`.

const selectors = {
  rows: ".app-password-row",
  create: "#create",
  name: "#app-password-name",
  next: "dialog[open] button[type=submit]",
  password: "#new-password",
  copy: "#copy-password",
  done: "#done",
  confirm: "dialog[open] .button-danger",
};
const one = (css) => document.querySelector(css);
const rowCount = () => document.querySelectorAll(selectors.rows).length;
// Rows the list holds: all drawn (the floor), or those in view and a margin
// with their number on the table (the app's windowed list, aria-rowcount
// counting the header row).
const listedRows = () => {
  const declared = Number(one("table[aria-rowcount]")?.getAttribute("aria-rowcount") ?? 0) - 1;
  return rowCount() > 0 ? Math.max(rowCount(), declared) : 0;
};

// Resolves with performance.now() at the first DOM change after which
// `test` holds (checked at once, then after every mutation).
function when(test, what, patience = 15000) {
  return new Promise((resolve, reject) => {
    const observer = new MutationObserver(() => check());
    const timer = setTimeout(() => {
      observer.disconnect();
      reject(new Error(`timed out waiting for ${what}`));
    }, patience);
    function check() {
      if (!test()) return false;
      const at = performance.now();
      observer.disconnect();
      clearTimeout(timer);
      resolve(at);
      return true;
    }
    if (!check()) {
      observer.observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
    }
  });
}

// Installed before the page's own scripts (DevTools'
// Page.addScriptToEvaluateOnNewDocument): notes when the list of `rows`
// is on screen with Create usable, and keeps the wasm memory to weigh.
function watchLoad(rows) {
  for (const name of ["instantiate", "instantiateStreaming"]) {
    const original = WebAssembly[name];
    WebAssembly[name] = async function (...args) {
      const start = performance.now();
      const result = await original.apply(WebAssembly, args);
      performance.measure(`WebAssembly.${name}`, { start });
      window.__benchWasmMemory = (result.instance ?? result).exports.memory;
      return result;
    };
  }
  window.__benchReady = when(
    () => listedRows() >= rows && one(selectors.create) && !one(selectors.create).disabled,
    `${rows} rows and Create`,
    60000,
  );
}

// The first call to /api/v1/app-passwords (the list's GET, or a create's
// POST) that started at or after `since`.
function appPasswordsCall(since = 0) {
  return performance
    .getEntriesByType("resource")
    .find((entry) => entry.startTime >= since && new URL(entry.name).pathname.endsWith("/api/v1/app-passwords"));
}

// Time to interactive, and from the list's last byte to its rows on screen.
async function loaded() {
  const ready = await window.__benchReady;
  const list = appPasswordsCall();
  const tenths = (ms) => Math.round(ms * 10) / 10;
  const [page] = performance.getEntriesByType("navigation");
  const timeline = [
    { path: "(page)", start: tenths(page.responseStart), end: tenths(page.domInteractive), bytes: page.transferSize },
    ...performance.getEntriesByType("resource").map((entry) => ({
      path: new URL(entry.name).pathname,
      start: tenths(entry.startTime),
      end: tenths(entry.responseEnd),
      bytes: entry.transferSize,
    })),
    ...performance.getEntriesByType("measure").map((entry) => ({
      path: `(${entry.name})`,
      start: tenths(entry.startTime),
      end: tenths(entry.startTime + entry.duration),
    })),
  ].sort((a, b) => a.start - b.start);
  return { interactive: ready, render: list ? ready - list.responseEnd : null, timeline };
}

function type(css, text) {
  const input = one(css);
  input.value = text;
  input.dispatchEvent(new Event("input", { bubbles: true }));
}

const nextFrame = () => new Promise((resolve) => requestAnimationFrame(() => resolve()));

// One create → copy → done → delete through the page's own controls.
// Returns Next → password on screen, and the server's time for the create
// (its Server-Timing), both in milliseconds.
async function cycle(index) {
  const before = rowCount();
  const name = `Bench ${index}`;
  one(selectors.create).click();
  await when(() => one(selectors.name), "the name field");
  type(selectors.name, name);
  await when(() => one(selectors.next) && !one(selectors.next).disabled, "Next");
  performance.clearResourceTimings();
  const clicked = performance.now();
  one(selectors.next).click();
  const shown = await when(() => (one(selectors.password)?.textContent.trim().length ?? 0) > 0, "the password");
  const create = appPasswordsCall(clicked);
  const server = create?.serverTiming.find((timing) => timing.name === "app")?.duration ?? null;
  one(selectors.copy).click();
  // The app counts the password as taken only once the browser confirmed
  // the copy (it says Copied); Done before that asks "close anyway?". The
  // floor page has no such state.
  await when(() => one(selectors.copy).classList.contains("button-done") || !document.querySelector(".ap-root"), "the copy");
  await nextFrame();
  one(selectors.done).click();
  await when(() => !one("dialog[open]") && rowCount() === before + 1, "the list with the new row");
  const row = [...document.querySelectorAll(selectors.rows)].find((r) => r.querySelector(".name")?.textContent === name);
  [...row.querySelectorAll("button")].at(-1).click();
  await when(() => one(selectors.confirm), "the delete confirmation");
  one(selectors.confirm).click();
  await when(() => !one("dialog[open]") && rowCount() === before, "the row gone");
  return { next: shown - clicked, server };
}

async function cycles(count) {
  const runs = [];
  for (let index = 0; index < count; index += 1) runs.push(await cycle(index));
  return runs;
}

function wasmMemory() {
  return window.__benchWasmMemory?.buffer.byteLength ?? 0;
}
