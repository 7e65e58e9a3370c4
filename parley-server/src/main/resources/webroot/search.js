// Message search in the web app (docs/api.md "Search"): a query over every conversation or the open one, pages of
// hits with the server's snippets ("more" follows nextCursor), and opening a hit in its conversation around it
// (model.js openAround; older and newer pages from there). No DOM here: screens/search.js draws it.
//
// State: `search` ({q, scope: 'all' | conversationId, results, nextCursor, loading, error} | null: no search shown)
// and `highlight` ({conversationId, seq} | null: the message a hit opened, marked until another conversation opens).

import { describeError } from './format.js';

/** Hits per page. */
export const SEARCH_PAGE = 20;
/** Messages of the window opened around a hit (half before it). */
export const AROUND_PAGE = 30;

export const SEARCH_STATE = { search: null, highlight: null };

/**
 * A snippet as parts [{text, match}] from the server's highlights ([start, end) in UTF-16 units, ascending and
 * disjoint): the screen makes text nodes and <mark>s of them, never HTML. Ranges out of bounds are clipped.
 */
export function snippetParts(snippet, highlights) {
  const parts = [];
  let at = 0;
  for (const [a, b] of highlights || []) {
    const start = Math.max(at, Math.min(a, snippet.length));
    const end = Math.max(start, Math.min(b, snippet.length));
    if (start > at) {
      parts.push({ text: snippet.slice(at, start), match: false });
    }
    if (end > start) {
      parts.push({ text: snippet.slice(start, end), match: true });
    }
    at = end;
  }
  if (at < snippet.length) {
    parts.push({ text: snippet.slice(at), match: false });
  }
  return parts;
}

/** `deps`: {openConversation(id, options), loadPageAttachments(c, page), touchMessages(c)} from actions.js. */
export function createSearchActions(store, deps) {
  const s = () => store.state;
  let asked = 0; // the latest query: answers to older ones are dropped
  let loadingNewer = false;

  async function runSearch(q, scope) {
    const text = q.trim();
    const n = ++asked;
    if (!text) {
      store.set({ search: null });
      return;
    }
    store.set({ search: { q: text, scope, results: [], nextCursor: null, loading: true, error: '' } });
    await page(n, text, scope, null);
  }

  async function moreResults() {
    const cur = s().search;
    if (!cur || !cur.nextCursor || cur.loading) {
      return;
    }
    store.set({ search: { ...cur, loading: true, error: '' } });
    await page(asked, cur.q, cur.scope, cur.nextCursor);
  }

  async function page(n, q, scope, cursor) {
    try {
      const r = await s().api.search(q, { conversation: scope === 'all' ? null : scope, cursor, limit: SEARCH_PAGE });
      if (n !== asked) {
        return;
      }
      const cur = s().search;
      store.set({ search: { ...cur, results: [...cur.results, ...r.results], nextCursor: r.nextCursor || null,
        loading: false } });
    } catch (err) {
      if (n === asked) {
        store.set({ search: { ...s().search, loading: false, error: describeError(err) } });
      }
    }
  }

  function closeSearch() {
    asked++;
    store.set({ search: null });
  }

  /** Opens the hit's conversation with the window of messages around it, and marks it. */
  async function openHit(hit) {
    const c = s().convs.get(hit.conversationId);
    if (!c) {
      return;
    }
    let around;
    try {
      around = await s().api.around(c.id, hit.seq, AROUND_PAGE);
    } catch (err) {
      store.set({ search: { ...s().search, error: describeError(err) } });
      return;
    }
    c.openAround(around);
    store.set({ highlight: { conversationId: c.id, seq: hit.seq } });
    deps.openConversation(c.id, { around: true });
    store.touch('scroll-highlight');
    deps.loadPageAttachments(c, around);
  }

  /** The next page after the window (scrolling down from a hit), until the newest message. */
  async function loadNewer(c) {
    const after = c.highestSeq();
    if (loadingNewer || !c.hasMoreAfter || after == null) {
      return;
    }
    loadingNewer = true;
    const epoch = c.epoch;
    c.fetching++;
    let next;
    try {
      next = await s().api.messages(c.id, { after, limit: AROUND_PAGE });
    } catch (err) {
      store.set({ historyError: `Could not load newer messages: ${describeError(err)}` });
      return;
    } finally {
      c.fetching--;
      loadingNewer = false;
    }
    if (epoch !== c.epoch) {
      return; // the window was replaced meanwhile
    }
    c.mergeNewer(next);
    deps.touchMessages(c);
    deps.loadPageAttachments(c, next);
  }

  /** Leaves the window around a hit for the newest messages (the "Jump to latest" control, and before a send). */
  function jumpToLatest(c) {
    c.unload();
    store.set({ highlight: null });
    deps.openConversation(c.id);
  }

  return { runSearch, moreResults, closeSearch, openHit, loadNewer, jumpToLatest };
}
