// people.mjs: the registry's test data for the browser tests, made through the real API (a session
// of its own, outside the browser): log in, find units, add households and residents, link an
// account to a person, ask whether a route exists yet.

/** A logged-in API session: call(method, path, body) → {status, body}; raw(method, path, bytes, headers). */
export async function apiSession(baseURL, username, password) {
  const res = await fetch(`${baseURL}/api/v1/session`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username, password }),
  });
  const body = await res.json();
  if (res.status !== 200) throw new Error(`log-in of ${username}: ${res.status} ${JSON.stringify(body)}`);
  const cookie = res.headers.get('set-cookie').split(';')[0];
  const csrf = body.csrf_token;
  async function send(method, path, init) {
    const r = await fetch(`${baseURL}/api/v1${path}`, {
      method, ...init, headers: { Cookie: cookie, 'X-CSRF-Token': csrf, Accept: 'application/json', ...(init.headers || {}) },
    });
    const text = await r.text();
    let data = null;
    try { data = text ? JSON.parse(text) : null; } catch { data = text; }
    return { status: r.status, body: data };
  }
  const call = (method, path, json) => send(method, path, json === undefined ? {}
    : { body: JSON.stringify(json), headers: { 'Content-Type': 'application/json' } });
  const ok = async (method, path, json) => {
    const r = await call(method, path, json);
    if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  return { user: body.user, call, ok, raw: (method, path, bytes, headers = {}) => send(method, path, { body: bytes, headers }) };
}

/** The id of the unit with this exact name. */
export async function unitId(api, name) {
  const d = await api.ok('GET', `/units?q=${encodeURIComponent(name)}&per_page=50`);
  const u = (d.items || []).find((x) => x.name === name);
  if (!u) throw new Error(`no unit named ${name}`);
  return u.id;
}

/** Whether the server has this path (from its OpenAPI document), e.g. '/api/v1/imports'. */
export async function hasRoute(baseURL, path) {
  const res = await fetch(`${baseURL}/api/v1/openapi.json`);
  const doc = await res.json();
  return Object.prototype.hasOwnProperty.call(doc.paths || {}, path);
}
