// Small pieces more than one screen draws.

import { el } from '../dom.js';

export function presenceDot(client, userId) {
  const p = client && client.presence(userId);
  const online = p && p.status === 'online';
  return el('span', { class: `presence-dot${online ? ' online' : ''}`, 'data-presence': online ? 'online' : 'offline',
    title: online ? 'online' : 'offline' });
}
