// The sidebar: who is logged in, starting a DM or a group, and the conversation list.

import { el } from '../dom.js';
import { previewOf } from '../format.js';
import { touches } from '../store.js';
import { presenceDot } from './parts.js';

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
      return el('li', { class: `conv${c.id === openId ? ' active' : ''}`, 'data-id': c.id, 'data-name': c.displayName() },
        el('button', { type: 'button', class: 'conv-open', onclick: () => actions.openConversation(c.id) },
          peer ? presenceDot(client, peer.userId) : el('span', { class: 'group-icon', text: '#' }),
          el('span', { class: 'conv-text' },
            el('span', { class: 'conv-name', text: c.displayName() }),
            el('span', { class: 'preview', text: previewOf(c, session.userId) })),
          c.unread > 0 && c.id !== openId ? el('span', { class: 'badge', text: String(c.unread) }) : null));
    }));
  }

  return (state, changed) => {
    if (touches(changed, 'session')) {
      $('me').textContent = state.session ? (state.session.username || state.session.userId) : '';
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
  };
}
