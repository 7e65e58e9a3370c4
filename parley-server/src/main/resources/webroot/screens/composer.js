// The composer under the open conversation: a text area that grows with its text, the reply/edit bar, the counter
// near and past the server's limit (the text stays, sending waits until it fits), the emoji picker, Enter to send,
// Shift+Enter for a new line, Escape to cancel a reply or an edit.

import { counterOf } from '../format.js';
import { touches } from '../store.js';

export function mount({ store, actions, $ }) {
  const input = $('composer-input');
  const grow = () => {
    input.style.height = 'auto';
    input.style.height = `${Math.min(input.scrollHeight + 2, Math.round(innerHeight * 0.4))}px`;
  };
  const count = (refused) => {
    const c = counterOf(input.value.length, actions.maxBody());
    $('composer-count').textContent = c.text;
    $('composer-count').classList.toggle('over', c.over);
    $('send-btn').setAttribute('aria-disabled', String(c.over));
    if (refused && c.over) {
      input.focus();
    }
  };
  $('composer').addEventListener('submit', (event) => {
    event.preventDefault();
    actions.submit(input.value);
  });
  input.addEventListener('input', () => {
    grow();
    count(false);
    actions.composerInput(input.value);
  });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      $('composer').requestSubmit();
    } else if (e.key === 'Escape' && (store.state.replyTo || store.state.editing)) {
      actions.cancelComposerMode();
    }
  });
  // The virtual keyboard shrinks the visual viewport: keep the caret's line in view above it.
  window.visualViewport?.addEventListener('resize', () => {
    if (document.activeElement === input) {
      input.scrollIntoView({ block: 'nearest' });
    }
  });
  $('reply-cancel').addEventListener('click', () => actions.cancelComposerMode());
  $('emoji-btn').addEventListener('click', () => actions.openPicker({ target: 'composer' }));
  $('emoji-btn').dataset.opensPicker = '';

  let appliedN = 0;
  return (state, changed) => {
    if (state.composer.n !== appliedN) {
      appliedN = state.composer.n;
      input.value = state.composer.text;
      grow();
      count(false);
    }
    for (const topic of changed) {
      if (topic.startsWith('insert-emoji:')) {
        const emoji = topic.slice('insert-emoji:'.length);
        const at = input.selectionStart ?? input.value.length;
        input.setRangeText(emoji, at, input.selectionEnd ?? at, 'end');
        input.focus();
        input.dispatchEvent(new Event('input'));
      }
    }
    if (touches(changed, 'composer-refused')) {
      count(true);
    }
    if (touches(changed, 'picker')) {
      $('emoji-btn').setAttribute('aria-expanded', String(state.picker?.target === 'composer'));
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
