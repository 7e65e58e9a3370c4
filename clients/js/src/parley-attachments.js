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
   * ({id, status: 'pending' | 'ready', ...}). `onProgress(sent, total)` is called as bytes leave (XMLHttpRequest where
   * the runtime has it, as browsers do; elsewhere once at the end).
   */
  async upload(conversationId, blob, { name, type, onProgress } = {}) {
    const contentType = type || blob.type;
    const size = blob.size ?? blob.byteLength;
    const slot = await this.api.request('POST', `/conversations/${encodeURIComponent(conversationId)}/attachments`,
      { name: name || blob.name, contentType, size });
    const url = this._url(slot.upload.url);
    const progress = onProgress || (() => {});
    if (typeof XMLHttpRequest === 'function') {
      await new Promise((resolve, reject) => {
        const x = new XMLHttpRequest();
        x.open('PUT', url);
        x.setRequestHeader('Content-Type', contentType);
        x.upload.onprogress = (e) => progress(e.loaded, size);
        x.onload = () => (x.status === 200 ? resolve() : reject(refusal(x.status, x.responseText)));
        x.onerror = () => reject(new ParleyApiError(0, 'network', `PUT ${slot.upload.url}: no answer`));
        x.send(blob);
      });
    } else {
      const res = await this.api._fetch(url, { method: 'PUT', headers: { 'content-type': contentType }, body: blob });
      if (res.status !== 200) {
        throw refusal(res.status, await res.text());
      }
    }
    progress(size, size);
    return this.api.request('POST', `/attachments/${encodeURIComponent(slot.id)}/finalize`);
  }

  /** Sends a message with these attachment ids and an optional caption -> the ack, with `events`. */
  send(conversationId, clientMsgId, attachmentIds, caption) {
    const body = { clientMsgId, attachments: [...attachmentIds] };
    if (caption != null) {
      body.caption = caption;
    }
    return this.api.request('POST', `/conversations/${encodeURIComponent(conversationId)}/attachment-messages`, body);
  }

  /** -> the attachment ({id, status, name, contentType, size, width, height, thumbnail, ...}). */
  info(attachmentId) {
    return this.api.request('GET', `/attachments/${encodeURIComponent(attachmentId)}`);
  }

  /** A signed URL (valid at most 60 s) for an <img src> or a link: -> {url, expiresAt}, url absolute. */
  async url(attachmentId, { thumbnail = false } = {}) {
    const r = await this.api.request('GET',
      `/attachments/${encodeURIComponent(attachmentId)}/download?redirect=false${thumbnail ? '&thumbnail=true' : ''}`);
    return { url: this._url(r.url), expiresAt: r.expiresAt };
  }

  /** Downloads the file -> a Blob; `onProgress(received, total)` as bytes arrive. */
  async download(attachmentId, { thumbnail = false, onProgress } = {}) {
    const { url } = await this.url(attachmentId, { thumbnail });
    const res = await this.api._fetch(url, { method: 'GET' });
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
