// Small pieces more than one screen draws.

import { el } from '../dom.js';
import { avatarColour, initials } from '../format.js';

/** An initials avatar; with `client`, it carries the user's presence dot. */
export function avatar(name, seed, client, userId, small) {
  const p = client && userId ? client.presence(userId) : null;
  const online = p && p.status === 'online';
  return el('span', { class: `avatar av-${avatarColour(seed)}${small ? ' small' : ''}`, 'aria-hidden': 'true' },
    initials(name),
    client && userId ? el('span', { class: `presence-dot${online ? ' online' : ''}`,
      'data-presence': online ? 'online' : 'offline', title: online ? 'online' : 'offline' }) : null);
}
