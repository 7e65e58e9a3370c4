// DOM helpers. User text only ever becomes a text node or an attribute value set through the DOM: nothing here
// parses HTML.

/** el('div', {class: 'x', text: 'hello', onclick: fn, 'data-id': 1}, child, 'text child', ...) */
export function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v == null || v === false) {
      continue;
    }
    if (k === 'class') {
      e.className = v;
    } else if (k === 'text') {
      e.textContent = v;
    } else if (k.startsWith('on') && typeof v === 'function') {
      e.addEventListener(k.slice(2), v);
    } else {
      e.setAttribute(k, v === true ? '' : String(v));
    }
  }
  for (const c of children.flat()) {
    if (c != null && c !== false) {
      e.append(c); // strings become text nodes
    }
  }
  return e;
}

const URL_PATTERN = /\bhttps?:\/\/[^\s<>"'`]+/gi;
const TRAILING = /[.,;:!?)\]}'"]+$/;

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

/** Message text as nodes: plain text, with http(s) URLs as links that open in a new tab without an opener. */
export function linkify(text) {
  const out = [];
  let last = 0;
  for (const m of text.matchAll(URL_PATTERN)) {
    let url = m[0];
    const trail = url.match(TRAILING);
    if (trail) {
      url = url.slice(0, -trail[0].length);
    }
    const href = safeHref(url);
    if (!href) {
      continue;
    }
    if (m.index > last) {
      out.push(document.createTextNode(text.slice(last, m.index)));
    }
    out.push(el('a', { href, target: '_blank', rel: 'noopener noreferrer', text: url }));
    last = m.index + url.length;
  }
  if (last < text.length) {
    out.push(document.createTextNode(text.slice(last)));
  }
  return out;
}
