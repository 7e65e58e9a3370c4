// What the app says, as pure functions of data and the current time: no DOM, no state (tested under node:test,
// web-tests/unit/format.test.mjs).

export function timeOf(iso) {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

const MINUTE = 60_000;
const COARSE_MS = 15 * MINUTE;

/** "just now", "5 min ago", "3 h ago", "yesterday", or the date: how long ago `iso` was at `now`. */
export function relativeTime(iso, now = Date.now()) {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) {
    return '';
  }
  const mins = Math.floor((now - t) / MINUTE);
  if (mins < 1) {
    return 'just now';
  }
  if (mins < 60) {
    return `${mins} min ago`;
  }
  if (mins < 24 * 60 && sameDay(t, now)) {
    return `${Math.floor(mins / 60)} h ago`;
  }
  return dayLabel(iso, now).toLowerCase() === 'yesterday' ? 'yesterday' : dayLabel(iso, now);
}

/**
 * "last seen 5 min ago". `seenOfflineAt` is when this app saw the user go offline live (a presence batch), which is
 * exact; the server's lastSeen may be rounded down to 15 minutes (presence.last-seen=coarse, the default): such a
 * time says only that the user left within the 15 minutes after it, so the text gives that range.
 */
export function lastSeenText(iso, now = Date.now(), seenOfflineAt = null) {
  if (seenOfflineAt != null && (!iso || seenOfflineAt >= Date.parse(iso))) {
    return `last seen ${relativeTime(new Date(seenOfflineAt).toISOString(), now)}`;
  }
  if (!iso) {
    return 'offline';
  }
  const t = Date.parse(iso);
  if (Number.isNaN(t)) {
    return 'offline';
  }
  if (t % COARSE_MS === 0) {
    const mins = Math.floor((now - t) / MINUTE);
    if (mins < 15) {
      return 'last seen in the last 15 min';
    }
    if (mins < 60) {
      return `last seen ${mins - 14}–${mins} min ago`;
    }
  }
  return `last seen ${relativeTime(iso, now)}`;
}

function sameDay(a, b) {
  const x = new Date(a);
  const y = new Date(b);
  return x.getFullYear() === y.getFullYear() && x.getMonth() === y.getMonth() && x.getDate() === y.getDate();
}

/** The local calendar day of `iso` as a separator label: "Today", "Yesterday", a weekday this week, or the date. */
export function dayLabel(iso, now = Date.now()) {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) {
    return '';
  }
  const day = new Date(t);
  const today = new Date(now);
  const startOf = (d) => new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
  const days = Math.round((startOf(today) - startOf(day)) / 86_400_000);
  if (days === 0) {
    return 'Today';
  }
  if (days === 1) {
    return 'Yesterday';
  }
  if (days > 1 && days < 7) {
    return day.toLocaleDateString([], { weekday: 'long' });
  }
  return day.toLocaleDateString([], { year: day.getFullYear() === today.getFullYear() ? undefined : 'numeric',
    month: 'long', day: 'numeric' });
}

/** A key of the local calendar day (for "is this message on another day than the one above it"). */
export function dayKey(iso) {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
}

/** Up to two initials of a name: "alice" -> "A", "Mary Jane" -> "MJ", "bob.smith" -> "BS". */
export function initials(name) {
  const words = String(name || '?').split(/[\s._-]+/).filter(Boolean);
  const letters = words.length > 1 ? [words[0], words[words.length - 1]] : [words[0] || '?'];
  return letters.map((w) => [...w][0].toUpperCase()).join('');
}

/** Avatar backgrounds: each carries white text at 4.5:1 or more. */
export const AVATAR_COLOURS = ['#1f56c9', '#7b3fc4', '#b4237a', '#a3391c', '#84541a', '#2b6e2f', '#0f6b73', '#4a5568'];

/** The same colour for the same user everywhere: an index into AVATAR_COLOURS (style.css .av-0 ... .av-7). */
export function avatarColour(seed) {
  let h = 0;
  for (const ch of String(seed || '')) {
    h = (h * 31 + ch.codePointAt(0)) >>> 0;
  }
  return h % AVATAR_COLOURS.length;
}

/** The tab title: the unread total first, so it shows in a crowded tab bar. */
export function tabTitle(unreadTotal) {
  return unreadTotal > 0 ? `(${unreadTotal > 99 ? '99+' : unreadTotal}) Parley` : 'Parley';
}

/**
 * The composer's counter for a text of `length` characters under a limit of `max`: nothing while far below it, the
 * characters left near it, and how many to remove past it (the text stays; sending is refused until it fits).
 */
export function counterOf(length, max) {
  if (length > max) {
    return { text: `${length - max} over the limit of ${max}: shorten it to send`, over: true };
  }
  if (length >= max - 200) {
    return { text: `${max - length} left`, over: false };
  }
  return { text: '', over: false };
}

/** The list's one-line preview of a conversation's last message. */
export function previewOf(c, me) {
  const lm = c.lastMessage;
  if (!lm) {
    return c.type === 'group' ? 'Group created' : 'No messages yet';
  }
  const who = lm.actorId === me ? 'You: ' : (c.type === 'group' ? `${c.nameOf(lm.actorId)}: ` : '');
  // An empty body is an attachment message without a caption (a text message is never empty).
  const files = !lm.body && c.attachmentsOf ? c.attachmentsOf(lm.messageId).map((f) => f.name) : [];
  const text = lm.deleted ? 'message deleted' : (lm.body || `📎 ${files.join(', ') || 'a file'}`);
  return who + (text.length > 80 ? `${text.slice(0, 80)}…` : text);
}

export const STATUS_TEXT = {
  pending: 'sending…', sent: '✓ sent', delivered: '✓✓ delivered', read: '✓✓ read', failed: 'not sent',
  unconfirmed: 'not confirmed yet…',
  // The moderation queue (docs/protocol.md, Held messages): seen by nobody else until a server admin approves it.
  held: 'waiting for review', rejected: 'rejected by a moderator',
};

/**
 * The status of one's own message in a group, by the rule of docs/protocol.md ("Receipts in groups"): delivered once
 * any other member who was a member when it was sent has received it, read once any of them has read it; the
 * counts say how many of them. A member who never connects holds nothing up.
 */
export function groupStatus(seq, others, receipts) {
  const eligible = others.filter((u) => u.joinedSeq == null || u.joinedSeq < seq);
  const cursor = (u, key) => Math.max(receipts.get(u.userId)?.[key] || 0, u[key] || 0);
  const read = eligible.filter((u) => cursor(u, 'readSeq') >= seq).length;
  const delivered = eligible.filter((u) => cursor(u, 'deliveredSeq') >= seq || cursor(u, 'readSeq') >= seq).length;
  const status = read > 0 ? 'read' : (delivered > 0 ? 'delivered' : 'sent');
  return { status, read, delivered, of: eligible.length };
}

/** Why an own message was not sent (failed), or why it still waits (pending). */
export function failureText(o) {
  const t = { body_too_long: 'too long: edit it to send', timeout: 'no answer from the server', closed: 'logged out' };
  return t[o.errorCode] || o.errorMessage || o.errorCode;
}

/** Why a pending message waits: the browser is offline, or the connection to the server is not up yet. */
export function pendingReason(online, live) {
  if (!online) {
    return 'waiting for the network';
  }
  return live ? 'sending…' : 'waiting for the server';
}

/**
 * An error (ParleyApiError, ClientError, Error) as a sentence for the user: what is wrong (the server's own message
 * where it says which rule was broken) and what to do.
 */
export function describeError(err, context) {
  const code = err && err.code;
  const server = err && err.message && err.message !== code ? err.message : '';
  const texts = {
    bad_credentials: 'Wrong username or password. Check both, or create an account.',
    conflict: context === 'register' ? 'That username is taken. Pick another one.' : null,
    user_not_found: 'No user with that name. Check the spelling (names are case-sensitive).',
    offline: 'Not connected. It is tried again when the connection is back.',
    disconnected: 'Not connected. Try again when the connection is back.',
    forbidden: server ? `Not allowed: ${server}.` : 'You are not allowed to do that here.',
    unavailable: 'The server could not answer. Nothing was changed; try again in a moment.',
  };
  const text = texts[code] || (server ? sentence(server) : null) || (code ? `Refused (${code}).` : String(err));
  return text;
}

function sentence(text) {
  const t = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?]$/.test(t) ? t : `${t}.`;
}

/** Whether a failed send may succeed when sent again unchanged (protocol.js's retryable), so a Retry makes sense. */
export function canRetry(errorCode, errorCodes) {
  const c = errorCodes[errorCode];
  return c ? c.retryable : errorCode === 'timeout';
}

/** "bob is typing…", "bob and carol are typing…", or ''. */
export function typingText(names) {
  if (names.length === 0) {
    return '';
  }
  return names.length === 1 ? `${names[0]} is typing…` : `${names.join(' and ')} are typing…`;
}

// ---- Markdown-style basics ----------------------------------------------------------------------------------------
// **bold**, *italic* or _italic_, `code`, and http(s) links, parsed into tokens that dom.js turns into elements
// whose text is set as text: nothing here or there ever becomes HTML. A marker inside a word (snake_case, 2*3*4)
// stays a character.

const INLINE = new RegExp([
  '`(?<code>[^`\\n]+)`',
  '\\*\\*(?<bold>\\S(?:[^]*?\\S)?)\\*\\*',
  '(?<![\\w*])\\*(?<em1>[^\\s*](?:[^*]*?[^\\s*])?)\\*(?![\\w*])',
  '(?<!\\w)_(?<em2>[^\\s_](?:[^_]*?[^\\s_])?)_(?!\\w)',
  '(?<url>\\bhttps?:\\/\\/[^\\s<>"\'`]+)',
].join('|'), 'gi');
const TRAILING = /[.,;:!?)\]}'"*_]+$/;

/** An http(s) URL as a safe link target, or null (javascript:, data:, malformed, ...). */
export function safeHref(text) {
  let u;
  try {
    u = new URL(text);
  } catch (err) {
    return null; // not a URL: it stays plain text
  }
  return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
}

/**
 * Message text as tokens: {type: 'text', text}, {type: 'code', text}, {type: 'link', text, href},
 * {type: 'bold' | 'italic', children: [tokens]}.
 */
export function parseInline(text, depth = 0) {
  const out = [];
  let last = 0;
  const push = (t) => {
    if (t.type === 'text' && out.length && out[out.length - 1].type === 'text') {
      out[out.length - 1].text += t.text;
    } else {
      out.push(t);
    }
  };
  INLINE.lastIndex = 0;
  const matches = [...text.matchAll(INLINE)];
  for (const m of matches) {
    if (m.index < last) {
      continue;
    }
    const g = m.groups;
    let token = null;
    let length = m[0].length;
    if (g.code != null) {
      token = { type: 'code', text: g.code };
    } else if (g.bold != null && depth < 3) {
      token = { type: 'bold', children: parseInline(g.bold, depth + 1) };
    } else if ((g.em1 ?? g.em2) != null && depth < 3) {
      token = { type: 'italic', children: parseInline(g.em1 ?? g.em2, depth + 1) };
    } else if (g.url != null) {
      let url = g.url;
      const trail = url.match(TRAILING);
      if (trail) {
        url = url.slice(0, -trail[0].length);
      }
      const href = safeHref(url);
      if (href) {
        token = { type: 'link', text: url, href };
        length = url.length;
      }
    }
    if (!token) {
      continue;
    }
    if (m.index > last) {
      push({ type: 'text', text: text.slice(last, m.index) });
    }
    push(token);
    last = m.index + length;
  }
  if (last < text.length) {
    push({ type: 'text', text: text.slice(last) });
  }
  return out;
}

/** What a token list reads as (the text without the markers). */
export function plainText(tokens) {
  return tokens.map((t) => (t.children ? plainText(t.children) : t.text)).join('');
}
