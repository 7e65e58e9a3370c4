// The Parley JavaScript client (docs/client-js.md): the WebSocket client, the REST client and the error codes.

export { Backoff, MessageState, OutgoingMessage, ParleyClient, ParleyError, PERMANENT_ERRORS, State }
  from './parley-client.js';
export { ParleyApi, ParleyApiError } from './parley-api.js';
export { ParleyAttachments } from './parley-attachments.js';
export { ErrorCodes } from './protocol.js';
