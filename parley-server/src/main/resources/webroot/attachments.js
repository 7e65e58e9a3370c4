// Attachments in the web app (docs/api.md "Attachments", docs/protocol.md "Attachments"): the uploads of this tab
// (slot, the signed upload, finalize, the attachment message; progress and cancel), the attachment events of history
// pages, and signed URLs for thumbnails, images and downloads. No DOM here: screens/attachments.js draws the uploads
// and the files of a message.
//
// State: `uploads` (this tab's files on their way: [{key, conversationId, name, size, sent, status: 'uploading' |
// 'sending' | 'failed', error}]) and `viewer` (the image shown full size: {name, url} | null). What a file became
// once sent (pending, ready, rejected, removed) is the conversation's (model.js `attachments`), from its events, on
// every device alike.

import { ParleyAttachments } from './parley-attachments.js';
import { describeError } from './format.js';

/** Events asked for per request when reading a history page's attachment events (the API's maximum). */
const EVENTS_PAGE = 200;
/** A signed URL is used until this long before it expires, then asked for again. */
const URL_MARGIN_MS = 5000;

export const ATTACHMENT_STATE = { uploads: [], viewer: null };

/** `deps`: {toast, touchMessages(c)} from actions.js. */
export function createAttachmentActions(store, deps) {
  const s = () => store.state;
  const controllers = new Map(); // upload key -> AbortController
  const urls = new Map(); // `${id}:${thumbnail}` -> {url, expiresAt} or a promise of it
  let keys = 0;

  function patchUpload(key, patch) {
    store.set({ uploads: s().uploads.map((u) => (u.key === key ? { ...u, ...patch } : u)) });
  }

  function dropUpload(key) {
    controllers.delete(key);
    store.set({ uploads: s().uploads.filter((u) => u.key !== key) });
  }

  /**
   * Sends each file as an attachment message of the open conversation, one message per file. The server decides
   * the limits (attachments.max-bytes, allowed-types): its refusal is shown on the file, which stays until dismissed.
   */
  function attachFiles(files) {
    const c = s().convs.get(s().openId);
    if (!c || !s().api) {
      return;
    }
    for (const file of files) {
      upload(c, file);
    }
  }

  async function upload(c, file) {
    const key = `u${++keys}`;
    const ctl = new AbortController();
    controllers.set(key, ctl);
    const name = file.name || `pasted-${Date.now()}.${(file.type.split('/')[1] || 'bin').replace(/\W/g, '')}`;
    store.set({ uploads: [...s().uploads, { key, conversationId: c.id, name, size: file.size, sent: 0,
      status: 'uploading', error: '' }] });
    try {
      const att = await new ParleyAttachments(s().api).upload(c.id, file, {
        name, type: file.type || 'application/octet-stream', signal: ctl.signal,
        onProgress: (sent) => patchUpload(key, { sent }),
      });
      patchUpload(key, { status: 'sending', sent: file.size });
      await s().api.sendAttachments(c.id, [att.id]);
      dropUpload(key); // the message and its attachment events arrive like any other
    } catch (err) {
      if (err && err.name === 'AbortError') {
        dropUpload(key);
        return;
      }
      controllers.delete(key);
      patchUpload(key, { status: 'failed', error: `${name}: ${describeError(err)}` });
    }
  }

  /** Cancels a file still uploading (nothing is sent), or dismisses a failed one. */
  function cancelUpload(key) {
    const ctl = controllers.get(key);
    if (ctl) {
      ctl.abort();
    }
    dropUpload(key);
  }

  /**
   * Reads the attachment events of the seqs a history page covers (they follow their message in the same commit),
   * then asks the server for the current state of any file still pending there: a later `ready` or `rejected` may
   * lie beyond the events read. Live events keep them current from then on.
   */
  async function loadPageAttachments(c, page) {
    if (!page || page.firstSeq == null || !s().api) {
      return;
    }
    try {
      let after = page.firstSeq - 1;
      const until = page.lastSeq + 10; // up to 10 files per message, at the seqs after it
      for (;;) {
        const r = await s().api.events(c.id, { after, limit: EVENTS_PAGE });
        r.events.filter((e) => e.kind === 'attachment').forEach((e) => c.applyAttachment(e));
        if (!r.hasMore || r.lastSeq == null || r.lastSeq >= until) {
          break;
        }
        after = r.lastSeq;
      }
      const pending = [];
      for (const m of page.messages) {
        for (const f of c.attachmentsOf(m.messageId)) {
          if (f.status === 'pending' && !f.removed) {
            pending.push([m.messageId, f]);
          }
        }
      }
      await Promise.all(pending.map(async ([messageId, f]) => {
        const now = await s().api.attachment(f.id);
        // Applied as of the event it was read after: any live event, newer, still wins.
        c.applyAttachment({ messageId, seq: f.seq + 0.5, attachment: { ...f, ...now } });
      }));
    } catch (err) {
      deps.toast(`Could not load the files of these messages: ${describeError(err)}`);
    }
    deps.touchMessages(c);
  }

  /** A signed URL of the file or its thumbnail (docs/api.md: made after a membership check, valid at most 60 s). */
  async function fileUrl(attachmentId, thumbnail = false) {
    const key = `${attachmentId}:${thumbnail}`;
    const known = await urls.get(key);
    if (known && Date.parse(known.expiresAt) - URL_MARGIN_MS > Date.now()) {
      return known.url;
    }
    const asked = s().api.attachmentUrl(attachmentId, { thumbnail }).then((r) => {
      const url = /^https?:/.test(r.url) ? r.url : `${s().api.baseUrl}${r.url}`;
      return { url, expiresAt: r.expiresAt };
    });
    urls.set(key, asked);
    try {
      return (await asked).url;
    } catch (err) {
      urls.delete(key);
      throw err;
    }
  }

  async function openImage(file) {
    try {
      store.set({ viewer: { name: file.name, url: await fileUrl(file.id, false) } });
    } catch (err) {
      deps.toast(describeError(err));
    }
  }

  function closeViewer() {
    store.set({ viewer: null }); // screens/attachments.js gives focus back to what opened it
  }

  return { attachFiles, cancelUpload, loadPageAttachments, fileUrl, openImage, closeViewer };
}
