// The app's public entry point for pages that embed it. A host page does:
//
//   import { mount } from "/path/to/app/embed.js";
//   const app = await mount(element, { getToken });   // later: app.unmount()
//
// The element's data-* attributes configure the app (see the README's
// Embedding section). This file has a stable name; the app's own files are
// hashed per build, so it reads their names from the index.html beside it.

const here = new URL(".", import.meta.url);
let loading = null;

/**
 * Loads the app's code once. `files` names the hashed JS and wasm (relative
 * to this file); without it they, and the stylesheet, are taken from the
 * index.html beside this file.
 */
export function load(files) {
  loading ??= (async () => {
    const { js, wasm } = files ?? (await filesFromIndex());
    const app = await import(new URL(js, here).href);
    await app.default({ module_or_path: new URL(wasm, here) });
    return app;
  })();
  return loading;
}

/**
 * Mounts the app into `element`. Resolves to `{ unmount() }`. If the app
 * cannot load, the element says so instead of staying blank.
 */
export async function mount(element, options = {}) {
  preloadCatalogue(element);
  // From before the app's first line runs: a fault while it starts counts too.
  running.add(element);
  try {
    const app = await load(options.files);
    const mounted = await app.mount(element, { ...options, assets: here.href });
    return {
      unmount() {
        running.delete(element);
        mounted.unmount();
      },
    };
  } catch (error) {
    running.delete(element);
    if (element instanceof HTMLElement && !element.hasChildNodes()) {
      const message = document.createElement("p");
      message.setAttribute("role", "alert");
      message.textContent = couldNotStart(element);
      element.append(message);
    }
    throw error;
  }
}

// The app's catalogues are in the code that failed to load; this one
// sentence stands in, in the page's or the browser's language.
function couldNotStart(element) {
  return inLanguageOf(element, {
    en: "App passwords could not start. Check your connection and reload the page.",
    de: "App-Kennwörter konnte nicht starten. Prüfen Sie Ihre Verbindung und laden Sie die Seite neu.",
    ar: "تعذّر تشغيل كلمات مرور التطبيقات. تحقّق من اتصالك وأعد تحميل الصفحة.",
  });
}

// Of `texts` (one per language code), the one in the language of
// `element` (the app sets its lang), else of the browser, else English.
function inLanguageOf(element, texts) {
  return texts[firstSpoken([element.closest("[lang]")?.lang, ...navigator.languages]) ?? "en"];
}

// The elements the app runs in.
const running = new Set();

// The release build stops at a panic without a word of its own
// (-Cpanic=immediate-abort; README, "Performance"): the browser reports a
// WebAssembly.RuntimeError to the page. The app no longer answers then, so
// each element it runs in says so, above a page that would ignore every
// click, with a way to start it again. What was on screen stays (a new
// password, say, can still be selected and copied): the notice goes into
// an open dialog, which covers the rest, or else at the element's top.
function stopped(error) {
  if (!(error instanceof WebAssembly.RuntimeError)) {
    return;
  }
  for (const element of running) {
    const notice = document.createElement("div");
    notice.className = "app-stopped";
    notice.setAttribute("role", "alert");
    const said = document.createElement("p");
    said.textContent = inLanguageOf(element, {
      en: "Something went wrong and App passwords stopped. Reload the page to go on.",
      de: "Etwas ist schiefgegangen, und App-Kennwörter wurde angehalten. Laden Sie die Seite neu, um fortzufahren.",
      ar: "حدث خطأ وتوقّفت كلمات مرور التطبيقات. أعد تحميل الصفحة للمتابعة.",
    });
    const reload = document.createElement("button");
    reload.type = "button";
    reload.className = "button button-primary";
    reload.textContent = inLanguageOf(element, { en: "Reload", de: "Neu laden", ar: "إعادة التحميل" });
    reload.addEventListener("click", () => location.reload());
    notice.append(said, reload);
    (element.querySelector("dialog[open]") ?? element).prepend(notice);
    reload.focus();
  }
  running.clear();
}
addEventListener("error", (event) => stopped(event.error));
addEventListener("unhandledrejection", (event) => stopped(event.reason));

// The first of `tags` (language tags, most wanted first) the app speaks.
function firstSpoken(tags) {
  const spoken = ["en", "de", "ar"];
  return tags.map((tag) => (tag ?? "").split(/[-_]/)[0].toLowerCase()).find((code) => spoken.includes(code));
}

// The app fetches its catalogue (locales/<lang>.json; English is built in)
// as it starts. The language it will most likely speak, the user's earlier
// choice or else the browser's (src/i18n/choice.rs decides), is fetched
// now, beside the code, as index.html does with app-config.json.
function preloadCatalogue(element) {
  let chosen = null;
  try {
    chosen = localStorage.getItem("app-passwords:lang");
  } catch {
    // Storage refused (a private window's setting): the browser's languages.
  }
  const lang = firstSpoken([chosen, element.dataset.lang, ...navigator.languages]);
  const href = new URL(`locales/${lang}.json`, here).href;
  if (!lang || lang === "en" || document.querySelector(`link[rel="preload"][href="${href}"]`)) {
    return;
  }
  const link = document.createElement("link");
  link.rel = "preload";
  link.as = "fetch";
  link.crossOrigin = "anonymous";
  link.href = href;
  document.head.append(link);
}

async function filesFromIndex() {
  const index = new URL("index.html", here);
  const answer = await fetch(index, { cache: "no-cache" });
  if (!answer.ok) {
    throw new Error(`app-passwords: ${index} answered ${answer.status}`);
  }
  const page = new DOMParser().parseFromString(await answer.text(), "text/html");
  const files = filesNamedIn(page);
  if (!files) {
    throw new Error(`app-passwords: ${index} does not name the app's files`);
  }
  for (const sheet of page.querySelectorAll('link[rel="stylesheet"]')) {
    addStylesheet(sheet);
  }
  return files;
}

// The hashed JS and wasm that index.html (the document `page`) names on
// its <meta> (Trunk.toml's pattern_script), or null.
function filesNamedIn(page) {
  const names = page.querySelector("meta[data-app-js][data-app-wasm]");
  return names && { js: names.dataset.appJs, wasm: names.dataset.appWasm };
}

// The host page gets the app's stylesheet (every rule of which is scoped
// under .ap-root), with its integrity hash, once.
function addStylesheet(sheet) {
  const href = new URL(sheet.getAttribute("href"), here).href;
  if ([...document.styleSheets].some((s) => s.href === href)) {
    return;
  }
  const link = document.createElement("link");
  link.rel = "stylesheet";
  link.href = href;
  const integrity = sheet.getAttribute("integrity");
  if (integrity) {
    link.integrity = integrity;
    link.crossOrigin = "anonymous";
  }
  document.head.append(link);
}

// On the app's own page, index.html loads a hashed copy of this file as its
// boot script (a name that changes with the content is cached for good):
// that copy starts the app in <body>, with the files the page names.
const boot = document.querySelector("script[data-app-boot]");
if (boot?.src === import.meta.url) {
  await mount(document.body, { files: filesNamedIn(document) });
  document.querySelector("body > .first-screen")?.remove(); // index.html first paint
}
