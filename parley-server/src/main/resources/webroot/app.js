// The Parley web app: plain ES modules, no build step.
//
//   store.js    the one owner of state (createStore: state, set, touch, subscribe)
//   actions.js  everything that changes it: the session, the client's events (parley-client.js), REST loads
//               (parley-api.js), what the user does
//   format.js   what the app says, as pure functions (dates, presence, statuses, errors)
//   model.js    a conversation's messages, receipts and unread counts, built from REST pages and events
//   dom.js      el(), renderText() (Markdown basics) and reconcile(): user text only ever becomes text nodes
//   screens/    one module per screen; each draws its part of index.html from the state
//
// Adding a screen: write screens/<name>.js exporting `mount({ store, actions, $ })`, which binds its DOM events once
// (calling actions, never changing the state itself) and returns `render(state, changed)`; render runs after every
// change with the set of keys that changed (`touches(changed, 'convs', 'openId')` says whether to draw). Put its
// markup in index.html and its rules in style.css, give it state keys in actions.INITIAL_STATE and the actions
// that change them in actions.js (or a module of its own that takes the store, returned by createActions), and
// add it to SCREENS below. Its pure logic goes in a module without DOM so web-tests/unit can test it under node.

import { createStore } from './store.js';
import { INITIAL_STATE, createActions } from './actions.js';
import * as login from './screens/login.js';
import * as chrome from './screens/chrome.js';
import * as list from './screens/list.js';
import * as conversation from './screens/conversation.js';
import * as composer from './screens/composer.js';
import * as dialogs from './screens/dialogs.js';
import * as attachments from './screens/attachments.js';
import * as search from './screens/search.js';
import * as notifications from './screens/notifications.js';
import { mountStranger } from './stranger.js';

const SCREENS = [login, chrome, list, conversation, composer, dialogs, attachments, search, notifications];

const $ = (id) => document.getElementById(id);
const store = createStore({ ...INITIAL_STATE, convs: new Map() });
const actions = createActions(store);
const renders = SCREENS.map((screen) => screen.mount({ store, actions, $ }));
store.subscribe((state, changed) => renders.forEach((render) => render(state, changed)));
// Talk to a stranger (stranger.js): its own panel, mounted on each login's client.
store.subscribe((state, changed) => changed.has('client') && state.client && mountStranger(state.client));
const everything = new Set(Object.keys(store.state));
renders.forEach((render) => render(store.state, everything)); // the first draw: every screen from the initial state

document.addEventListener('visibilitychange', () => actions.onVisible());
actions.boot();
