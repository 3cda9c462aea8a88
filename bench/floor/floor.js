// The floor page's whole program: the same session and list requests as the
// app, the same list, create, copy and delete, written directly against the
// DOM. Everything the app adds on top of this is what the benchmark weighs.
const api = "/api/v1";
let csrf = "";
const $ = (id) => document.getElementById(id);

async function call(method, path, body, headers = {}) {
  const response = await fetch(api + path, {
    method,
    credentials: "include",
    headers: {
      Accept: "application/json",
      ...(body ? { "Content-Type": "application/json" } : {}),
      ...(method === "GET" ? {} : { "X-CSRF-Token": csrf }),
      ...headers,
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status}`);
  return response.status === 204 ? null : response.json();
}

function render(items) {
  const rows = items.map((item) => {
    const row = document.createElement("tr");
    row.className = "app-password-row";
    const name = row.insertCell();
    name.className = "name";
    name.textContent = item.name;
    row.insertCell().textContent = new Date(item.created_at).toLocaleDateString();
    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "button-danger-quiet";
    remove.textContent = "Delete";
    remove.onclick = () => confirmDelete(item.id);
    row.insertCell().append(remove);
    return row;
  });
  $("rows").replaceChildren(...rows);
  $("create").disabled = false;
}

const reload = async () => render((await call("GET", "/app-passwords")).items);

function confirmDelete(id) {
  const dialog = $("delete-dialog");
  dialog.querySelector("button").onclick = async () => {
    await call("DELETE", `/app-passwords/${encodeURIComponent(id)}`);
    dialog.close();
    await reload();
  };
  dialog.showModal();
}

$("create").onclick = () => {
  $("create-form").hidden = false;
  $("created").hidden = true;
  $("app-password-name").value = "";
  $("create-dialog").showModal();
};

$("create-form").onsubmit = async (event) => {
  event.preventDefault();
  const name = $("app-password-name").value;
  const created = await call("POST", "/app-passwords", { name }, { "Idempotency-Key": crypto.randomUUID() });
  $("new-password").textContent = created.password;
  $("create-form").hidden = true;
  $("created").hidden = false;
};

$("copy-password").onclick = () => navigator.clipboard.writeText($("new-password").textContent);

$("done").onclick = async () => {
  $("new-password").textContent = "";
  $("create-dialog").close();
  await reload();
};

// Both at once, as the app sends them: the floor is the fastest page that
// makes these requests, not the simplest.
const [session, list] = await Promise.all([call("GET", "/session"), call("GET", "/app-passwords")]);
csrf = session.csrf_token;
render(list.items);
