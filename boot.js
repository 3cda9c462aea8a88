// Starts the app. Trunk's own boot script is inline, which the strict
// Content-Security-Policy (script-src 'self') forbids, so Trunk.toml points
// its script pattern here and passes the hashed file names as data-*.
const script = document.querySelector("script[data-app-js]");
const app = await import(script.dataset.appJs);
await app.default({ module_or_path: script.dataset.appWasm });
