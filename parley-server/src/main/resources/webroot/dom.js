// DOM helpers. User text only ever becomes a text node or an attribute value set through the DOM: nothing here
// parses HTML.

import { parseInline } from './format.js';

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

/** Message text as nodes (format.js parseInline): text nodes, <strong>, <em>, <code>, and http(s) links that open in
 * a new tab without an opener. */
export function renderText(text) {
  return renderTokens(parseInline(text));
}

function renderTokens(tokens) {
  return tokens.map((t) => {
    switch (t.type) {
      case 'bold': return el('strong', null, renderTokens(t.children));
      case 'italic': return el('em', null, renderTokens(t.children));
      case 'code': return el('code', { text: t.text });
      case 'link': return el('a', { href: t.href, target: '_blank', rel: 'noopener noreferrer', text: t.text });
      default: return document.createTextNode(t.text);
    }
  });
}

/**
 * Makes parent's children exactly `nodes`, in order, touching only what differs: nodes already in place stay (a live
 * region then announces only what was added, and focus inside an unchanged message is kept).
 */
export function reconcile(parent, nodes) {
  let cursor = parent.firstChild;
  for (const node of nodes) {
    if (node === cursor) {
      cursor = cursor.nextSibling;
    } else {
      parent.insertBefore(node, cursor);
    }
  }
  while (cursor) {
    const next = cursor.nextSibling;
    parent.removeChild(cursor);
    cursor = next;
  }
}
