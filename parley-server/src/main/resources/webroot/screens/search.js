// Message search on screen (search.js has the logic): the search box with its scope (every conversation, or the
// open one), the hits with the server's snippet (matches as <mark>, text only ever as text nodes), sender,
// conversation and time, "More results" and the server's reason for a refused query. A hit opens its conversation
// around the message.

import { el } from '../dom.js';
import { relativeTime, timeOf } from '../format.js';
import { snippetParts } from '../search.js';
import { touches } from '../store.js';

export function mount({ store, actions, $ }) {
  $('search-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const scope = $('search-scope').value === 'open' && store.state.openId ? store.state.openId : 'all';
    actions.runSearch($('search-input').value, scope);
  });
  $('search-close').addEventListener('click', () => {
    actions.closeSearch();
    $('search-input').focus();
  });
  $('search-more').addEventListener('click', () => actions.moreResults());
  $('search-input').addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && store.state.search) {
      actions.closeSearch();
    }
  });

  function hitNode(state, hit) {
    const c = state.convs.get(hit.conversationId);
    const where = c ? c.displayName() : 'a conversation';
    const who = hit.senderId === state.session.userId ? 'You' : (c ? c.nameOf(hit.senderId) : hit.senderId);
    const at = new Date(hit.createdAt).toISOString();
    const snippet = el('span', { class: 'hit-snippet' }, snippetParts(hit.snippet, hit.highlights)
      .map((p) => (p.match ? el('mark', { text: p.text }) : p.text)));
    return el('li', null, el('button', { type: 'button', class: 'search-hit', 'data-conversation-id': hit.conversationId,
      'data-seq': hit.seq, onclick: () => actions.openHit(hit) },
    el('span', { class: 'hit-meta' }, `${who} in ${where} · `,
      el('time', { datetime: at, title: relativeTime(at) }, `${new Date(at).toLocaleDateString()} ${timeOf(at)}`)),
    snippet));
  }

  function render(state) {
    const q = state.search;
    $('search-panel').hidden = !q;
    const scopeOpen = $('search-scope').querySelector('option[value="open"]');
    scopeOpen.disabled = !state.openId;
    if (!state.openId && $('search-scope').value === 'open') {
      $('search-scope').value = 'all';
    }
    if (!q) {
      $('search-results').replaceChildren();
      return;
    }
    const n = q.results.length;
    const scope = q.scope === 'all' ? 'all conversations' : (state.convs.get(q.scope)?.displayName() || 'this one');
    $('search-status').textContent = q.loading ? 'Searching…'
      : `${n === 0 ? 'No' : n}${q.nextCursor ? '+' : ''} message${n === 1 ? '' : 's'} found in ${scope}`;
    $('search-error').textContent = q.error || '';
    $('search-results').replaceChildren(...q.results.map((hit) => hitNode(state, hit)));
    $('search-more').hidden = !q.nextCursor;
    $('search-more').disabled = q.loading;
  }

  return (state, changed) => {
    if (state.session && touches(changed, 'search', 'openId', 'session')) {
      render(state);
    }
  };
}
