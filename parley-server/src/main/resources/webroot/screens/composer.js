// The composer under the open conversation: the text, the reply/edit bar, Enter to send, Escape to cancel.

import { touches } from '../store.js';

export function mount({ store, actions, $ }) {
  const input = $('composer-input');
  $('composer').addEventListener('submit', (event) => {
    event.preventDefault();
    actions.submit(input.value);
  });
  input.addEventListener('input', () => actions.composerInput(input.value));
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      $('composer').requestSubmit();
    } else if (e.key === 'Escape') {
      actions.cancelComposerMode();
    }
  });
  $('reply-cancel').addEventListener('click', () => actions.cancelComposerMode());

  let appliedN = 0;
  return (state, changed) => {
    if (state.composer.n !== appliedN) {
      appliedN = state.composer.n;
      input.value = state.composer.text;
    }
    if (touches(changed, 'openId', 'replyTo', 'editing', 'convs', 'messages')) {
      const c = state.convs.get(state.openId);
      const bar = $('reply-bar');
      const { replyTo, editing } = state;
      if (c && (replyTo || editing)) {
        const m = c.messages.get(replyTo || editing);
        const snippet = m && m.body ? m.body.slice(0, 80) : '';
        $('reply-text').textContent = editing ? `Editing: ${snippet}` : `Replying to ${c.nameOf(m ? m.senderId : '')}: ${snippet}`;
        bar.hidden = false;
      } else {
        bar.hidden = true;
      }
      $('send-btn').textContent = editing ? 'Save' : 'Send';
    }
    if (touches(changed, 'openId', 'open', 'focus-composer') && state.openId) {
      input.focus();
    }
  };
}
