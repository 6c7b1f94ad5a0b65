// Calls to portald's public API 2.0: JSON in and out, the CSRF token on every change, a retry
// when the server asks for one (503 with Retry-After) or the connection drops.

export class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

let onSignedOut = () => {};
/** What to do when the session ends (a 401 on any call but the sign-in). */
export function whenSignedOut(handler) {
  onSignedOut = handler;
}

function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)portald_csrf=([^;]*)/);
  return match ? decodeURIComponent(match[1]) : '';
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A query string from an object; arrays repeat their name, empty values are left out. */
export function query(params = {}) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    for (const item of [].concat(value)) {
      if (item !== undefined && item !== null && item !== '') search.append(name, item);
    }
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

/** The envelope of `method path`, or an ApiError whose message is a sentence for people. */
export async function call(method, path, body, { signal } = {}) {
  // A form (a file upload) sets its own multipart type; anything else is sent as JSON.
  const form = body instanceof FormData;
  const headers = { Accept: 'application/json' };
  if (body !== undefined && !form) headers['Content-Type'] = 'application/json';
  if (method !== 'GET') headers['X-CSRF-Token'] = csrfToken();
  for (let attempt = 0; ; attempt++) {
    let response;
    try {
      response = await fetch(`/api/2.0/${path}`, {
        method,
        headers,
        body: body === undefined || form ? body : JSON.stringify(body),
        credentials: 'same-origin',
        signal,
      });
    } catch (error) {
      if (error.name === 'AbortError') throw error;
      if (attempt < 2) {
        await sleep(1000 * (attempt + 1));
        continue;
      }
      throw new ApiError('The server cannot be reached. Check the connection and try again.', 0);
    }
    const retryAfter = response.headers.get('Retry-After');
    if (response.status === 503 && retryAfter && attempt < 3) {
      await sleep(Math.min(Number(retryAfter) || 1, 10) * 1000);
      continue;
    }
    let envelope = null;
    try {
      envelope = await response.json();
    } catch {
      // Not JSON: the status says enough.
    }
    if (response.ok) return envelope || {};
    if (response.status === 401 && path !== 'authentication') onSignedOut();
    throw new ApiError(explain(response.status, envelope, retryAfter), response.status);
  }
}

function explain(status, envelope, retryAfter) {
  const said = envelope && envelope.error && typeof envelope.error.message === 'string' ? envelope.error.message : '';
  switch (status) {
    case 401:
      return said && said !== 'Unauthorized' ? said : 'You are signed out. Sign in again.';
    case 403:
      return said || 'You may not do this.';
    case 404:
      return 'It was not found: it may have been deleted, or you may not see it.';
    case 429:
      return `Too many attempts. Try again in ${retryAfter || 'a few'} seconds.`;
    case 503:
      return 'The server is busy. Try again in a moment.';
    default:
      return said || `The server could not do it (error ${status}).`;
  }
}

export const get = async (path, params, options) => (await call('GET', path + query(params), undefined, options)).response;
/** A page of a list: its items and the total. */
export async function page(path, params, options) {
  const envelope = await call('GET', path + query(params), undefined, options);
  return { items: envelope.response || [], total: envelope.total ?? (envelope.response || []).length };
}
export const post = async (path, body) => (await call('POST', path, body)).response;
export const put = async (path, body) => (await call('PUT', path, body)).response;
export const del = async (path, body) => (await call('DELETE', path, body)).response;
