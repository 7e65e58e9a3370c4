// What sits around every screen: the theme, the phone's pane, the connection banner (in the page flow, above the
// panes, so it covers nothing), the toast, the tab title with the unread total.

import { State } from '../parley-client.js';
import { tabTitle } from '../format.js';
import { touches } from '../store.js';

const systemDark = () => matchMedia('(prefers-color-scheme: dark)').matches;

export function mount({ actions, $ }) {
  $('theme-btn').addEventListener('click', () => actions.toggleTheme(systemDark()));
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => {
    $('theme-btn').setAttribute('aria-pressed', String(document.documentElement.dataset.theme === 'dark'
      || (!document.documentElement.dataset.theme && systemDark())));
  });

  return (state, changed) => {
    if (touches(changed, 'theme')) {
      if (state.theme) {
        document.documentElement.dataset.theme = state.theme;
      } else {
        delete document.documentElement.dataset.theme;
      }
      const dark = state.theme ? state.theme === 'dark' : systemDark();
      $('theme-btn').setAttribute('aria-pressed', String(dark));
    }
    if (touches(changed, 'pane')) {
      $('app-view').dataset.pane = state.pane;
    }
    if (touches(changed, 'connection', 'session')) {
      const { state: cs, everLive, online } = state.connection;
      const banner = $('banner');
      if (!state.session) {
        banner.hidden = true;
      } else if (!online) {
        banner.textContent = 'You are offline. Messages you send wait and go out when the network is back.';
        banner.className = 'offline';
        banner.hidden = false;
      } else if (cs == null || cs === State.LIVE || cs === State.CLOSED) {
        banner.hidden = true;
      } else {
        banner.textContent = everLive ? 'Reconnecting… Messages you send wait and go out when it is back.'
          : 'Connecting…';
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
    if (touches(changed, 'convs', 'session', 'openId')) {
      let total = 0;
      state.convs.forEach((c) => {
        total += c.id === state.openId && document.visibilityState === 'visible' ? 0 : c.unread;
      });
      document.title = tabTitle(total);
    }
  };
}
