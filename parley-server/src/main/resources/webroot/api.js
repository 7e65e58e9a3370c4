// The REST calls the app makes (docs/api.md). Errors reject with ApiError carrying the server's code.

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message || code);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

export class Api {
  constructor(token, base = '/api/v1') {
    this.token = token;
    this.base = base;
  }

  static async login(username, password, register) {
    return new Api(null).call('POST', register ? '/auth/register' : '/auth/login', { username, password });
  }

  async call(method, path, body) {
    const headers = { accept: 'application/json' };
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
    }
    if (this.token) {
      headers.authorization = `Bearer ${this.token}`;
    }
    const res = await fetch(this.base + path, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let json = null;
    if (text) {
      try {
        json = JSON.parse(text);
      } catch (err) {
        throw new ApiError(res.status, 'bad_json', `unexpected answer (${res.status}): ${text.slice(0, 200)}`);
      }
    }
    if (!res.ok) {
      const e = (json && json.error) || {};
      throw new ApiError(res.status, e.code || `http_${res.status}`, e.message || res.statusText);
    }
    return json;
  }

  conversations() {
    return this.call('GET', '/conversations').then((r) => r.conversations);
  }

  conversation(id) {
    return this.call('GET', `/conversations/${encodeURIComponent(id)}`);
  }

  userByName(username) {
    return this.call('GET', `/users/by-username/${encodeURIComponent(username)}`);
  }

  openDirect(username) {
    return this.call('POST', '/conversations', { type: 'direct', username });
  }

  createGroup(title, memberIds) {
    return this.call('POST', '/conversations', { type: 'group', title, members: memberIds });
  }

  addMembers(conversationId, userIds) {
    return this.call('POST', `/conversations/${encodeURIComponent(conversationId)}/members`, { userIds });
  }

  /** A page of messages: newest when `before` is null, else the newest ones below `before`. */
  messages(conversationId, before, limit = 30) {
    const q = new URLSearchParams({ limit: String(limit) });
    if (before != null) {
      q.set('before', String(before));
    }
    return this.call('GET', `/conversations/${encodeURIComponent(conversationId)}/messages?${q}`);
  }
}
