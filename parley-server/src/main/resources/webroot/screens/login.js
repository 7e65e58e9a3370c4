// The login / registration screen: shown while there is no session.

import { touches } from '../store.js';

export function mount({ store, actions, $ }) {
  $('login-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const register = event.submitter && event.submitter.id === 'register-btn';
    if (await actions.login($('username').value, $('password').value, register)) {
      $('password').value = '';
    }
  });

  return (state, changed) => {
    if (!touches(changed, 'session', 'loginError')) {
      return;
    }
    const out = !state.session;
    const wasHidden = $('login-view').hidden;
    $('login-view').hidden = !out;
    $('app-view').hidden = out;
    $('login-error').textContent = state.loginError || '';
    if (out && wasHidden) {
      $('username').focus();
    }
  };
}
