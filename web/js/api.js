// api.js: the only door to the server. JSON in and out, same-origin cookie, CSRF header on writes.

export const NETWORK_MESSAGE = 'Không kết nối được máy chủ. Kiểm tra mạng rồi thử lại.';
const BASE = '/api/v1';
const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

let csrfToken = null;
let unauthenticatedHandler = null;

export class ApiError extends Error {
  constructor(status, code, message, field = null, errors = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.field = field;
    this.errors = errors; // [{field, message}] when several fields are wrong at once
  }
}

export function setCsrfToken(token) {
  csrfToken = token || null;
}

/** For the one request that does not go through request() (an upload with a progress bar). */
export function getCsrfToken() {
  return csrfToken;
}

/** Called when the server says the session is gone (401 other than a wrong password). */
export function onUnauthenticated(fn) {
  unauthenticatedHandler = fn;
}

function buildUrl(path, query) {
  let url = BASE + path;
  if (query) {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value === undefined || value === null || value === '') continue;
      params.set(key, String(value));
    }
    const qs = params.toString();
    if (qs) url += `?${qs}`;
  }
  return url;
}

function fallbackMessage(status) {
  if (status === 401) return 'Phiên làm việc đã hết. Vui lòng đăng nhập lại.';
  if (status === 403) return 'Bạn không có quyền thực hiện thao tác này.';
  if (status === 404) return 'Không tìm thấy dữ liệu yêu cầu.';
  if (status === 429) return 'Bạn thao tác quá nhanh. Vui lòng chờ một lát rồi thử lại.';
  if (status >= 500) return `Máy chủ gặp sự cố (mã ${status}). Vui lòng thử lại sau.`;
  return `Yêu cầu không thực hiện được (mã ${status}).`;
}

/**
 * request('GET', '/units', {query: {q}}) → parsed JSON (null for 204); {raw: file} sends a file's bytes.
 * Throws ApiError; code 'network' when the server cannot be reached.
 */
export async function request(method, path, { query, body, raw, retryCsrf = true } = {}) {
  const headers = { Accept: 'application/json' };
  const init = { method, headers, credentials: 'same-origin', cache: 'no-store' };
  if (raw !== undefined) {
    // A file's bytes as they are (an upload route).
    headers['Content-Type'] = 'application/octet-stream';
    init.body = raw;
  } else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  if (WRITE_METHODS.has(method) && csrfToken) headers['X-CSRF-Token'] = csrfToken;

  let response;
  try {
    response = await fetch(buildUrl(path, query), init);
  } catch {
    throw new ApiError(0, 'network', NETWORK_MESSAGE);
  }

  let data = null;
  if (response.status !== 204) {
    let text = '';
    try {
      text = await response.text();
    } catch {
      throw new ApiError(0, 'network', NETWORK_MESSAGE);
    }
    if (text) {
      try {
        data = JSON.parse(text);
      } catch {
        data = null;
      }
    }
  }
  if (response.ok) return data;

  const err = data && typeof data === 'object' && data.error && typeof data.error === 'object' ? data.error : {};
  const code = typeof err.code === 'string' ? err.code : `http_${response.status}`;
  const message = typeof err.message === 'string' && err.message ? err.message : fallbackMessage(response.status);
  const field = typeof err.field === 'string' && err.field ? err.field : null;

  // A stale CSRF token (e.g. after a log-in in another tab): fetch a fresh one and retry once.
  if (response.status === 403 && code === 'csrf_failed' && retryCsrf && WRITE_METHODS.has(method)) {
    try {
      const me = await request('GET', '/me', { retryCsrf: false });
      if (me && me.csrf_token) {
        setCsrfToken(me.csrf_token);
        return request(method, path, { query, body, raw, retryCsrf: false });
      }
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) throw e;
    }
  }
  if (response.status === 401 && code !== 'invalid_credentials' && unauthenticatedHandler) {
    unauthenticatedHandler();
  }
  const errors = Array.isArray(err.errors) ? err.errors.filter((e) => e && typeof e.message === 'string') : null;
  throw new ApiError(response.status, code, message, field, errors);
}

export const api = {
  get: (path, query) => request('GET', path, { query }),
  post: (path, body) => request('POST', path, { body: body ?? {} }),
  put: (path, body) => request('PUT', path, { body: body ?? {} }),
  patch: (path, body) => request('PATCH', path, { body: body ?? {} }),
  del: (path) => request('DELETE', path),
};

let pathsPromise = null;
/**
 * Whether the server has a route, e.g. hasRoute('/requests/summary'), from its OpenAPI document
 * (read once). Pages built ahead of a route they need say it is not ready instead of failing.
 */
export function hasRoute(path) {
  if (!pathsPromise) {
    pathsPromise = fetch(`${BASE}/openapi.json`, { credentials: 'same-origin' })
      .then((res) => (res.ok ? res.json() : null))
      .then((doc) => new Set(Object.keys((doc && doc.paths) || {})), () => null)
      .then((set) => {
        if (!set) pathsPromise = null; // not known: ask again next time
        return set;
      });
  }
  return pathsPromise.then((set) => !set || set.has(BASE + path));
}
