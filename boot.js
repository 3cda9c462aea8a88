// Starts the app on its own page. Trunk's own boot script is inline, which
// the strict Content-Security-Policy (script-src 'self') forbids, so
// Trunk.toml points its script pattern here and passes the hashed file
// names as data-*.
import { load, mount } from "./embed.js";

const script = document.querySelector("script[data-app-js]");
await load({ js: script.dataset.appJs, wasm: script.dataset.appWasm });
await mount(document.body);
