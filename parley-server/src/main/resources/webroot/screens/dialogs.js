// The emoji picker (reactions and the composer) and the information dialog (edit history, read by). Escape closes
// either and focus returns to the control that opened it.

import { el } from '../dom.js';
import { timeOf } from '../format.js';
import { touches } from '../store.js';

export const EMOJI = ['👍', '❤️', '😂', '🎉', '😮', '😢', '🙏', '👀', '🔥', '✅', '👏', '😄', '🤔', '😅', '🙌',
  '💯', '🚀', '👋', '😍', '😎', '🤝', '☕', '🎂', '❌'];

export function mount({ actions, $ }) {
  let opener = null;
  const picker = $('emoji-picker');
  picker.replaceChildren(...EMOJI.map((e) => el('button', { type: 'button', class: 'emoji', 'data-emoji': e,
    'aria-label': `Emoji ${e}`, onclick: () => actions.pick(e) }, e)));
  picker.addEventListener('keydown', (e) => {
    const buttons = [...picker.querySelectorAll('button')];
    const i = buttons.indexOf(document.activeElement);
    const step = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: 6, ArrowUp: -6 }[e.key];
    if (step && i >= 0) {
      e.preventDefault();
      buttons[(i + step + buttons.length) % buttons.length].focus();
    }
  });
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && (!picker.hidden || !$('info-dialog').hidden)) {
      e.preventDefault();
      actions.closeDialog();
    }
  });
  document.addEventListener('pointerdown', (e) => {
    if (!picker.hidden && !picker.contains(e.target) && !e.target.closest('[data-opens-picker]')) {
      actions.closeDialog();
    }
  });
  $('info-close').addEventListener('click', () => actions.closeDialog());

  return (state, changed) => {
    if (touches(changed, 'picker')) {
      if (state.picker) {
        opener = document.activeElement;
        const r = opener && opener.getBoundingClientRect ? opener.getBoundingClientRect() : { left: 8, top: 200 };
        picker.hidden = false;
        const w = picker.offsetWidth;
        const h = picker.offsetHeight;
        picker.style.left = `${Math.max(4, Math.min(innerWidth - w - 4, r.left))}px`;
        picker.style.top = `${r.top - h - 6 > 4 ? r.top - h - 6 : Math.min(innerHeight - h - 4, r.bottom + 6)}px`;
        picker.querySelector('button').focus();
      } else {
        picker.hidden = true;
      }
    }
    if (touches(changed, 'dialog')) {
      const d = $('info-dialog');
      if (state.dialog) {
        opener = document.activeElement;
        $('info-title').textContent = state.dialog.title;
        const list = state.dialog.kind === 'history' ? 'ol' : 'ul';
        $('info-body').replaceChildren(state.dialog.items.length === 0 ? el('p', { text: 'Nobody yet.' })
          : el(list, { class: `info-${state.dialog.kind}` }, state.dialog.items.map((it) => el('li', null,
            el('span', { class: 'info-text', text: it.text }),
            el('span', { class: 'info-time', text: [it.detail, it.at ? timeOf(it.at) : null].filter(Boolean).join(' · ') })))));
        d.hidden = false;
        $('info-close').focus();
      } else {
        d.hidden = true;
      }
    }
    if (touches(changed, 'focus-return') && opener && opener.isConnected) {
      opener.focus();
      opener = null;
    }
  };
}
