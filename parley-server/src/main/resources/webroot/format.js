// What the app says, as pure functions of data and the current time: no DOM, no state (tested under node:test,
// web-tests/unit/format.test.mjs).

export function timeOf(iso) {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

/** "last seen 5 min ago", "last seen at 14:05", ... */
export function lastSeenText(iso, now = Date.now()) {
  if (!iso) {
    return 'offline';
  }
  const d = new Date(iso);
  const mins = Math.round((now - d.getTime()) / 60000);
  if (mins < 1) {
    return 'last seen just now';
  }
  if (mins < 60) {
    return `last seen ${mins} min ago`;
  }
  if (mins < 24 * 60) {
    return `last seen at ${timeOf(iso)}`;
  }
  return `last seen ${d.toLocaleDateString()}`;
}

/** The list's one-line preview of a conversation's last message. */
export function previewOf(c, me) {
  const lm = c.lastMessage;
  if (!lm) {
    return c.type === 'group' ? 'Group created' : 'No messages yet';
  }
  const who = lm.actorId === me ? 'You: ' : (c.type === 'group' ? `${c.nameOf(lm.actorId)}: ` : '');
  const text = lm.deleted ? 'message deleted' : (lm.body || '');
  return who + (text.length > 80 ? `${text.slice(0, 80)}…` : text);
}

export const STATUS_TEXT = {
  pending: 'sending…', sent: '✓ sent', delivered: '✓✓ delivered', read: '✓✓ read', failed: 'not sent',
  unconfirmed: 'not confirmed yet…',
};

/** Why an own message was not sent. */
export function failureText(o) {
  const t = { body_too_long: 'too long', timeout: 'no answer from the server', closed: 'logged out' };
  return t[o.errorCode] || o.errorMessage || o.errorCode;
}

/** An error (ParleyApiError, ClientError, Error) as a sentence for the user. */
export function describeError(err) {
  const texts = {
    bad_credentials: 'Wrong username or password.',
    conflict: 'That username is taken.',
    user_not_found: 'No user with that name.',
    invalid_field: 'That is not allowed here.',
    offline: 'Not connected; try again in a moment.',
  };
  return texts[err.code] || err.message || String(err);
}

/** "bob is typing…", "bob and carol are typing…", or ''. */
export function typingText(names) {
  if (names.length === 0) {
    return '';
  }
  return names.length === 1 ? `${names[0]} is typing…` : `${names.join(' and ')} are typing…`;
}
