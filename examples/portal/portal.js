// An example portal page that embeds app-passwords. A real portal has signed
// its user in and holds a bearer token for the app's backend; here a form
// stands in for that sign-in. The token lives in this module's memory only:
// never in storage, the URL or the DOM.
import { mount } from "./app/embed.js";

const signIn = document.getElementById("portal-sign-in");
const tokenField = document.getElementById("portal-token");
const signInMessage = document.getElementById("portal-sign-in-message");
const tokenRequests = document.getElementById("portal-token-requests");
const eventList = document.getElementById("portal-events");

let token = null;
let waiting = [];
let asked = 0;

// The app asks before its first request, and again with `renew: true`
// whenever the backend refuses the token it has.
function getToken({ renew } = {}) {
  asked += 1;
  tokenRequests.textContent = String(asked);
  if (renew) {
    token = null;
  }
  if (token) {
    return token;
  }
  signInMessage.textContent = renew
    ? "Your portal session has ended: the token was refused. Paste a new one."
    : "Sign in to the portal: paste a token.";
  if (!signIn.open) {
    signIn.showModal();
  }
  return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
}

signIn.addEventListener("submit", (event) => {
  const value = tokenField.value.trim();
  if (!value) {
    event.preventDefault();
    return;
  }
  token = value;
  tokenField.value = "";
  for (const request of waiting.splice(0)) {
    request.resolve(token);
  }
});

// Cancel, or Escape: the user does not sign in, and the app is told so.
function decline() {
  signIn.close();
  for (const request of waiting.splice(0)) {
    request.reject(new Error("The portal user did not sign in."));
  }
}
document.getElementById("portal-cancel").addEventListener("click", decline);
signIn.addEventListener("cancel", (event) => {
  event.preventDefault();
  decline();
});

// What the app tells the portal: ids and names, never a password.
window.portalEvents = [];
const root = document.getElementById("app-passwords");
for (const type of ["created", "renamed", "deleted", "session-expired"]) {
  root.addEventListener(`app-passwords:${type}`, (event) => {
    window.portalEvents.push({ type: event.type, detail: event.detail });
    const entry = document.createElement("li");
    entry.textContent = `${event.type} ${JSON.stringify(event.detail)}`;
    eventList.prepend(entry);
  });
}

mount(root, { getToken });
