// The notification controls: the bell in the sidebar's head (push on this browser, notify.js) and the mute switch
// in the conversation's header.

import { touches } from '../store.js';

export function mount({ store, actions, $ }) {
  $('notify-btn').addEventListener('click', () => actions.toggleNotifications());
  $('mute-btn').addEventListener('click', () => store.state.openId && actions.toggleMute(store.state.openId));

  return (state, changed) => {
    if (touches(changed, 'notifications')) {
      const n = state.notifications;
      const bell = $('notify-btn');
      bell.setAttribute('aria-pressed', String(n.enabled));
      bell.setAttribute('aria-label', n.enabled ? 'Notifications on: turn off' : 'Turn on notifications');
      bell.title = n.supported ? bell.getAttribute('aria-label') : 'This browser cannot show notifications';
      bell.setAttribute('aria-busy', String(n.busy));
    }
    if (touches(changed, 'openId', 'open', 'convs', 'header')) {
      const c = state.openId && state.convs.get(state.openId);
      const mute = $('mute-btn');
      mute.hidden = !c;
      if (c) {
        const muted = c.notify === 'none';
        mute.setAttribute('aria-pressed', String(muted));
        mute.setAttribute('aria-label', muted ? 'Muted: unmute this conversation' : 'Mute this conversation');
        mute.title = mute.getAttribute('aria-label');
        mute.textContent = muted ? '🔕' : '🔔';
      }
    }
  };
}
