// The login / registration screen: shown while there is no session. One form in two modes; the visible mode is the
// one Enter submits (the mode, not the button that happens to be first, decides).

import { touches } from '../store.js';

export function mount({ store, actions, $ }) {
  $('login-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const register = store.state.loginMode === 'register';
    if (await actions.login($('username').value, $('password').value, register)) {
      $('password').value = '';
    }
  });
  $('switch-mode').addEventListener('click', () => {
    actions.setLoginMode(store.state.loginMode === 'register' ? 'login' : 'register');
    $('username').focus();
  });

  return (state, changed) => {
    if (touches(changed, 'loginMode', 'session')) {
      const register = state.loginMode === 'register';
      $('login-form').dataset.mode = state.loginMode;
      $('login-heading').textContent = register ? 'Create a Parley account' : 'Log in to Parley';
      $('login-btn').hidden = register;
      $('register-btn').hidden = !register;
      $('switch-text').textContent = register ? 'Have an account?' : 'New here?';
      $('switch-mode').textContent = register ? 'Log in instead' : 'Create an account';
      $('password').autocomplete = register ? 'new-password' : 'current-password';
      $('username-hint').hidden = !register;
    }
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
