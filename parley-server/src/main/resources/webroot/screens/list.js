// The sidebar: who is logged in, starting a DM (with the names this browser knows as suggestions) or a group, and
// the conversation list. On a phone it is the first of the two screens.

import { el } from '../dom.js';
import { previewOf } from '../format.js';
import { touches } from '../store.js';
import { avatar } from './parts.js';

export function mount({ store, actions, $ }) {
  $('logout').addEventListener('click', () => actions.logout());
  $('profile-btn').addEventListener('click', () => actions.toggleProfile());
  $('profile-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    await actions.setDisplayName($('display-name-input').value);
  });
  $('dm-username').addEventListener('input', () => actions.searchPeople($('dm-username').value));
  $('dm-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const name = $('dm-username').value.trim();
    if (name && await actions.openDirect(name)) {
      $('dm-username').value = '';
    }
  });
  $('group-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    if (await actions.createGroup($('group-title').value, $('group-members').value)) {
      $('group-title').value = '';
      $('group-members').value = '';
      $('group-details').open = false;
    }
  });

  let timer = null;
  function renderList() {
    const { convs, openId, session, client } = store.state;
    const sorted = [...convs.values()].sort((a, b) => String(b.lastActivity).localeCompare(String(a.lastActivity)));
    $('conversation-list').replaceChildren(...sorted.map((c) => {
      const peer = c.type === 'direct' ? c.others()[0] : null;
      const name = c.displayName();
      const unread = c.unread > 0 && c.id !== openId ? c.unread : 0;
      return el('li', { class: `conv${c.id === openId ? ' active' : ''}`, 'data-id': c.id, 'data-name': name },
        el('button', { type: 'button', class: 'conv-open', onclick: () => actions.openConversation(c.id),
          'aria-current': c.id === openId ? 'true' : null },
          avatar(name, peer ? peer.userId : c.id, peer ? client : null, peer ? peer.userId : null),
          el('span', { class: 'conv-text' },
            el('span', { class: 'conv-name', text: name }),
            el('span', { class: 'preview', text: previewOf(c, session.userId) })),
          unread ? el('span', { class: 'badge', text: String(unread) }) : null,
          unread ? el('span', { class: 'visually-hidden', text: ' unread' }) : null));
    }));
    renderSuggestions();
  }

  /** Names to start a DM with: what the server's search found for the typed text, then everyone already known. */
  function renderSuggestions() {
    const { convs, suggestions } = store.state;
    const seen = new Map();
    suggestions.forEach((u) => u.username && seen.set(u.username, u.displayName));
    convs.forEach((c) => c.others().forEach((m) => m.username && !seen.has(m.username)
      && seen.set(m.username, m.displayName)));
    $('user-suggestions').replaceChildren(...[...seen].map(([username, displayName]) =>
      el('option', { value: username, label: displayName ? `${displayName} (${username})` : null })));
  }

  return (state, changed) => {
    if (touches(changed, 'session')) {
      const s = state.session;
      const name = s ? (s.displayName || s.username || s.userId) : '';
      $('me').textContent = name;
      $('profile-btn').title = s && s.displayName ? `${s.displayName} (${s.username})` : 'Set a display name';
      $('me-avatar').replaceChildren(...(s ? [avatar(name, s.userId)] : []));
    }
    if (touches(changed, 'profileOpen', 'session')) {
      const open = !!(state.session && state.profileOpen);
      const wasOpen = !$('profile-form').hidden;
      $('profile-form').hidden = !open;
      $('profile-btn').setAttribute('aria-expanded', String(open));
      if (open && !wasOpen) {
        $('display-name-input').value = state.session.displayName || '';
        $('display-name-input').focus();
      }
    }
    if (touches(changed, 'suggestions') && state.session) {
      renderSuggestions();
    }
    $('sidebar-error').textContent = state.sidebarError || '';
    if (!state.session) {
      $('conversation-list').replaceChildren();
      return;
    }
    if (touches(changed, 'openId', 'presence', 'session')) {
      clearTimeout(timer);
      timer = null;
      renderList();
    } else if (touches(changed, 'convs') && !timer) {
      // Events come in bursts (a replay): one render for the burst.
      timer = setTimeout(() => {
        timer = null;
        renderList();
      }, 50);
    }
    if (touches(changed, 'focus-list')) {
      const active = $('conversation-list').querySelector('.conv.active .conv-open');
      (active || $('dm-username')).focus();
    }
  };
}
