// The sidebar: who is logged in, starting a DM (with the names this browser knows as suggestions) or a group, and
// the conversation list. On a phone it is the first of the two screens.

import { el } from '../dom.js';
import { previewOf } from '../format.js';
import { touches } from '../store.js';
import { avatar } from './parts.js';

export function mount({ store, actions, $ }) {
  $('logout').addEventListener('click', () => actions.logout());
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
    // Names to start a DM with: everyone this user shares a conversation with.
    const names = new Set();
    convs.forEach((c) => c.others().forEach((m) => m.username && names.add(m.username)));
    $('user-suggestions').replaceChildren(...[...names].sort().map((n) => el('option', { value: n })));
  }

  return (state, changed) => {
    if (touches(changed, 'session')) {
      const name = state.session ? (state.session.username || state.session.userId) : '';
      $('me').textContent = name;
      $('me-avatar').replaceChildren(...(state.session ? [avatar(name, state.session.userId)] : []));
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
