// What sits around every screen: the connection banner and the toast.

import { State } from '../parley-client.js';
import { touches } from '../store.js';

export function mount({ $ }) {
  return (state, changed) => {
    if (touches(changed, 'connection', 'session')) {
      const { state: cs, everLive } = state.connection;
      const banner = $('banner');
      if (!state.session || cs == null || cs === State.LIVE || cs === State.CLOSED) {
        banner.hidden = true;
      } else {
        banner.textContent = everLive ? 'Reconnecting…' : 'Connecting…';
        banner.className = everLive ? 'reconnecting' : 'connecting';
        banner.hidden = false;
      }
    }
    if (touches(changed, 'toast')) {
      const t = $('toast');
      if (state.toast) {
        t.textContent = state.toast.text;
        t.dataset.kind = state.toast.kind;
      }
      t.hidden = !state.toast;
    }
  };
}
