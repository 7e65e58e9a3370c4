// Attachments over REST (docs/api.md "Attachments", docs/client-js.md): upload with progress (slot, PUT to the signed
// URL, finalize), a message that refers to uploads, and downloads with progress through the members-only endpoint.
// The bytes go straight to the blob store's signed URL, never through the WebSocket.

import { ParleyApiError } from './parley-api.js';

export class ParleyAttachments {
  /** `api`: a ParleyApi (its base URL, token and fetch are used). */
  constructor(api) {
    this.api = api;
  }

  _url(u) {
    return /^https?:/.test(u) ? u : `${this.api.baseUrl}${u}`;
  }

  /**
   * Uploads `blob` (a Blob/File, or bytes with `type` given) to the conversation -> the finalized attachment
   * ({id, status: 'pending' | 'ready', ...}): a slot (ParleyApi.attachmentSlot), one request to the URL it answers
   * with its method and exactly its headers (the embedded store's blob route or an S3 URL), then finalize.
   * `onProgress(sent, total)` is called as bytes leave (XMLHttpRequest where the runtime has it, as browsers do;
   * elsewhere once at the end). `signal` (an AbortSignal) cancels the upload: the promise rejects with the signal's
   * reason (an AbortError) and nothing is finalized; the slot is collected by the server.
   * Refusals are ParleyApiError with the server's code (`attachment_too_large`, `attachment_type_unsupported`, ...).
   */
  async upload(conversationId, blob, { name, type, onProgress, signal } = {}) {
    const contentType = type || blob.type;
    const size = blob.size ?? blob.byteLength;
    signal?.throwIfAborted();
    const slot = await this.api.attachmentSlot(conversationId, { name: name || blob.name, contentType, size });
    signal?.throwIfAborted();
    const url = this._url(slot.upload.url);
    const method = slot.upload.method || 'PUT';
    const headers = slot.upload.headers || { 'Content-Type': contentType };
    const progress = onProgress || (() => {});
    if (typeof XMLHttpRequest === 'function') {
      await new Promise((resolve, reject) => {
        const x = new XMLHttpRequest();
        const abort = () => x.abort();
        x.open(method, url);
        for (const [k, v] of Object.entries(headers)) {
          x.setRequestHeader(k, v);
        }
        x.upload.onprogress = (e) => progress(e.loaded, size);
        x.onload = () => {
          signal?.removeEventListener('abort', abort);
          if (x.status >= 200 && x.status < 300) {
            resolve();
          } else {
            reject(refusal(x.status, x.responseText));
          }
        };
        x.onerror = () => reject(new ParleyApiError(0, 'network', `${method} ${slot.upload.url}: no answer`));
        x.onabort = () => reject(signal?.reason ?? new DOMException('upload cancelled', 'AbortError'));
        signal?.addEventListener('abort', abort, { once: true });
        x.send(blob);
      });
    } else {
      const res = await this.api._fetch(url, { method, headers, body: blob, signal });
      if (res.status < 200 || res.status >= 300) {
        throw refusal(res.status, await res.text());
      }
    }
    progress(size, size);
    signal?.throwIfAborted();
    return this.api.finalizeAttachment(slot.id);
  }

  /** Sends a message with these attachment ids and an optional caption -> the ack, with `events`. */
  send(conversationId, clientMsgId, attachmentIds, caption) {
    return this.api.sendAttachments(conversationId, attachmentIds, { clientMsgId, caption });
  }

  /** -> the attachment ({id, status, name, contentType, size, width, height, thumbnail, ...}). */
  info(attachmentId) {
    return this.api.attachment(attachmentId);
  }

  /** A signed URL (valid at most 60 s) for an <img src> or a link: -> {url, expiresAt}, url absolute. */
  async url(attachmentId, { thumbnail = false } = {}) {
    const r = await this.api.attachmentUrl(attachmentId, { thumbnail });
    return { url: this._url(r.url), expiresAt: r.expiresAt };
  }

  /** Downloads the file -> a Blob; `onProgress(received, total)` as bytes arrive; `signal` cancels. */
  async download(attachmentId, { thumbnail = false, onProgress, signal } = {}) {
    const { url } = await this.url(attachmentId, { thumbnail });
    const res = await this.api._fetch(url, { method: 'GET', signal });
    if (res.status !== 200) {
      throw refusal(res.status, await res.text());
    }
    const total = Number(res.headers.get('content-length')) || 0;
    const reader = res.body.getReader();
    const chunks = [];
    let received = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      received += value.byteLength;
      if (onProgress) onProgress(received, total);
    }
    return new Blob(chunks, { type: res.headers.get('content-type') || '' });
  }
}

function refusal(status, text) {
  try {
    const e = JSON.parse(text).error;
    if (e && typeof e.code === 'string') {
      return new ParleyApiError(status, e.code, e.message || e.code);
    }
  } catch {
    // Not the API's JSON (an S3 error document): reported by status.
  }
  return new ParleyApiError(status, status === 403 ? 'forbidden' : 'bad_response', `HTTP ${status}`);
}
