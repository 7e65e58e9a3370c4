// Attachments on screen (attachments.js has the logic): the composer's attach button, pasting an image and dropping
// files on the conversation; the tray of this tab's uploads (progress, cancel, the server's refusal); the files of
// a message (filesNode, drawn by screens/conversation.js): a placeholder while scanned, the thumbnail (click: the
// full image in a dialog) or a chip with name, size and Download, and the blocked and removed states. Image and
// download URLs are signed ones asked for when needed (they last a minute), never kept in the page for long.

import { el } from '../dom.js';
import { touches } from '../store.js';

const IMAGE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

/** 1234567 -> "1.2 MB" (decimal units, as file managers show them). */
export function fileSize(bytes) {
  if (!(bytes >= 0)) {
    return '';
  }
  if (bytes < 1000) {
    return `${bytes} B`;
  }
  const units = ['kB', 'MB', 'GB'];
  let v = bytes;
  let u = -1;
  do {
    v /= 1000;
    u++;
  } while (v >= 1000 && u < units.length - 1);
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[u]}`;
}

/** The files of message `m` (model.js attachmentsOf), or null when it has none. */
export function filesNode(c, m, actions) {
  const files = c.attachmentsOf(m.messageId);
  if (files.length === 0) {
    return null;
  }
  return el('div', { class: 'files' }, files.map((f) => fileNode(f, actions)));
}

function fileNode(f, actions) {
  const attrs = (status) => ({ 'data-attachment-id': f.id, 'data-file-status': status });
  if (f.removed) {
    return el('div', { class: 'file-state removed', ...attrs('removed') }, `${f.name}: removed`);
  }
  if (f.status === 'rejected') {
    return el('div', { class: 'file-state blocked', ...attrs('rejected') }, `${f.name}: blocked: infected`);
  }
  if (f.status !== 'ready') {
    return el('div', { class: 'file-state pending', ...attrs('pending') },
      `${f.name} (${fileSize(f.size)}): checking the file…`);
  }
  if (IMAGE_TYPES.has(f.contentType)) {
    const img = el('img', { alt: f.name, width: f.width || null, height: f.height || null });
    actions.fileUrl(f.id, !!f.thumbnail).then((url) => { img.src = url; },
      (err) => { img.alt = `${f.name} (${err.message || err.code})`; });
    return el('button', { type: 'button', class: 'file-image', ...attrs('ready'), 'aria-label': `Open image ${f.name}`,
      onclick: () => actions.openImage(f) }, img);
  }
  return el('div', { class: 'file-chip', ...attrs('ready') },
    el('span', { class: 'file-name', text: f.name }),
    el('span', { class: 'file-size', text: fileSize(f.size) }),
    el('button', { type: 'button', class: 'secondary file-download', 'aria-label': `Download ${f.name}`,
      onclick: () => download(f, actions) }, 'Download'));
}

async function download(f, actions) {
  let url;
  try {
    url = await actions.fileUrl(f.id, false);
  } catch (err) {
    actions.toast(`Could not download ${f.name}: ${err.message || err.code}`);
    return;
  }
  const a = el('a', { href: url, download: f.name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
}

export function mount({ store, actions, $ }) {
  const input = $('attach-input');
  $('attach-btn').addEventListener('click', () => input.click());
  input.addEventListener('change', () => {
    actions.attachFiles([...input.files]);
    input.value = '';
  });
  $('composer-input').addEventListener('paste', (e) => {
    const files = [...(e.clipboardData?.files || [])];
    if (files.length > 0) {
      e.preventDefault(); // a pasted image is sent as a file, not as its name
      actions.attachFiles(files);
    }
  });
  const view = $('conversation-view');
  const carriesFiles = (e) => [...(e.dataTransfer?.types || [])].includes('Files');
  view.addEventListener('dragover', (e) => {
    if (carriesFiles(e) && store.state.openId) {
      e.preventDefault();
      view.classList.add('dropping');
    }
  });
  view.addEventListener('dragleave', (e) => {
    if (!view.contains(e.relatedTarget)) {
      view.classList.remove('dropping');
    }
  });
  view.addEventListener('drop', (e) => {
    view.classList.remove('dropping');
    if (carriesFiles(e) && store.state.openId) {
      e.preventDefault();
      actions.attachFiles([...e.dataTransfer.files]);
    }
  });

  let opener = null;
  $('viewer-close').addEventListener('click', () => actions.closeViewer());
  $('image-viewer').addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      actions.closeViewer();
    } else if (e.key === 'Tab') {
      e.preventDefault(); // a modal dialog: Close is its one control, focus stays on it
      $('viewer-close').focus();
    }
  });

  function renderTray(state) {
    const uploads = state.uploads.filter((u) => u.conversationId === state.openId);
    const tray = $('upload-tray');
    tray.hidden = uploads.length === 0;
    tray.replaceChildren(...uploads.map((u) => {
      if (u.status === 'failed') {
        return el('li', { class: 'upload failed', 'data-upload': u.name },
          el('p', { class: 'error', role: 'alert', text: u.error }),
          el('button', { type: 'button', class: 'secondary upload-dismiss', 'aria-label': `Dismiss ${u.name}`,
            onclick: () => actions.cancelUpload(u.key) }, 'Dismiss'));
      }
      const pct = u.size > 0 ? Math.floor((100 * u.sent) / u.size) : 100;
      return el('li', { class: 'upload', 'data-upload': u.name, 'data-status': u.status },
        el('span', { class: 'upload-name', text: u.name }),
        el('progress', { max: u.size || 1, value: u.sent, 'aria-label': `Uploading ${u.name}` }),
        el('span', { class: 'upload-pct', text: u.status === 'sending' ? 'sending…' : `${pct} %` }),
        u.status === 'uploading' ? el('button', { type: 'button', class: 'secondary upload-cancel',
          'aria-label': `Cancel upload of ${u.name}`, onclick: () => actions.cancelUpload(u.key) }, 'Cancel') : null);
    }));
  }

  function renderViewer(state) {
    const v = state.viewer;
    const box = $('image-viewer');
    const wasOpen = !box.hidden;
    box.hidden = !v;
    if (v) {
      $('viewer-title').textContent = v.name;
      $('viewer-img').alt = v.name;
      $('viewer-img').src = v.url;
      if (!wasOpen) {
        opener = document.activeElement;
        $('viewer-close').focus();
      }
    } else {
      $('viewer-img').removeAttribute('src');
      if (wasOpen && opener && opener.isConnected) {
        opener.focus();
      }
      opener = null;
    }
  }

  return (state, changed) => {
    if (touches(changed, 'uploads', 'openId')) {
      renderTray(state);
    }
    if (touches(changed, 'viewer')) {
      renderViewer(state);
    }
  };
}
