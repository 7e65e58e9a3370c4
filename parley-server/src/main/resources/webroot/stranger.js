// Talk to a stranger (docs/protocol.md, "Matching"): a screen of its own over the conversation view. app.js mounts it
// once per login with mountStranger(client); everything else lives here.

import { el } from './dom.js';

const ID = 'stranger-view';

export function mountStranger(client) {
  document.getElementById(ID)?.remove();
  document.getElementById('stranger-open')?.remove();

  let active = false; // the screen is open and this tab takes part in matching
  let conversationId = null;
  let paired = false;
  // The pair's pseudonyms (the matched frame's you and partner): the conversation's events name both sides by them.
  let me = null;
  let partner = null;

  const status = el('p', { id: 'stranger-status', role: 'status', 'aria-live': 'polite' });
  const list = el('div', { id: 'stranger-messages', 'aria-live': 'polite' });
  const input = el('input', {
    id: 'stranger-input', placeholder: 'Say hi', 'aria-label': 'Message to the stranger', autocomplete: 'off',
  });
  const sendBtn = el('button', { type: 'submit', id: 'stranger-send' }, 'Send');
  const form = el('form', { id: 'stranger-form', class: 'inline' }, input, sendBtn);
  const nextBtn = el('button', { type: 'button', id: 'stranger-next' }, 'Next');
  const endBtn = el('button', { type: 'button', id: 'stranger-end', class: 'secondary' }, 'End');
  const reportBtn = el('button', { type: 'button', id: 'stranger-report', class: 'secondary' }, 'Report');
  const blockBtn = el('button', { type: 'button', id: 'stranger-block', class: 'secondary' }, 'Block');
  const closeBtn = el('button', { type: 'button', id: 'stranger-close', class: 'link' }, 'Close');
  const view = el('section', { id: ID, hidden: true, 'aria-label': 'Talk to a stranger' },
    el('header', { class: 'stranger-head' }, el('h2', { text: 'Talk to a stranger' }), nextBtn, endBtn, reportBtn, blockBtn,
      closeBtn),
    status, list, form);
  const openBtn = el('button', { type: 'button', id: 'stranger-open', class: 'secondary' }, 'Talk to a stranger');

  document.getElementById('sidebar')?.insertBefore(openBtn, document.getElementById('conversation-list'));
  document.getElementById('app-view')?.append(view);

  function say(text) {
    status.textContent = text;
  }

  function setPaired(on) {
    paired = on;
    input.disabled = !on;
    sendBtn.disabled = !on;
    endBtn.disabled = !on;
    reportBtn.disabled = !on;
    blockBtn.disabled = !on;
  }

  function line(who, text) {
    list.append(el('div', { class: `stranger-line ${who === 'You' ? 'mine' : 'theirs'}` },
      el('b', { text: `${who}: ` }), text));
    list.scrollTop = list.scrollHeight;
  }

  // A join asked for while the socket is (re)connecting: sent once the next sync completes (null: none waiting).
  let joinWhenConnected = null;

  function refused(err) {
    if (err.code === 'offline') {
      say('Connecting… you will be matched as soon as the connection is up.');
      return;
    }
    if (err.code === 'match_session_taken') {
      say('You are already talking to a stranger in another tab.');
      const take = el('button', { type: 'button', id: 'stranger-takeover', class: 'link' }, 'Use this tab instead');
      take.addEventListener('click', () => { take.remove(); join(true); });
      status.append(' ', take);
    } else {
      say(`Matching is unavailable right now (${err.code}). Try again in a moment.`);
    }
  }

  function join(takeover = false) {
    joinWhenConnected = null;
    setPaired(false);
    say('Looking for a stranger…');
    client.matchJoin({ takeover }).catch((err) => {
      if (err.code === 'offline') {
        joinWhenConnected = takeover;
      }
      refused(err);
    });
  }

  function onMatch(m) {
    if (!active) {
      return;
    }
    switch (m.event) {
      case 'waiting':
        say(`Waiting for a stranger… ${m.online ?? '?'} online, ${m.waiting ?? '?'} waiting.`);
        break;
      case 'matched':
        conversationId = m.conversationId;
        me = m.you;
        partner = m.partner;
        list.replaceChildren();
        setPaired(true);
        say(`You are talking to ${m.partner}. Say hi! (They see you as ${m.you}.)`);
        break;
      case 'rejoined':
        conversationId = m.conversationId;
        me = m.you;
        partner = m.partner;
        setPaired(true);
        say(`Back with ${m.partner}.`);
        break;
      case 'partner_away':
        say(`The stranger lost their connection; waiting ${Math.round((m.graceMs || 0) / 1000)} s for them to come back…`);
        break;
      case 'partner_back':
        say('The stranger is back.');
        break;
      case 'partner_left':
        setPaired(false);
        say('The stranger left the chat. Press Next to meet someone new.');
        break;
      case 'ended':
        setPaired(false);
        say(m.reason === 'next' ? 'Looking for a stranger…'
          : m.reason === 'block' ? 'Blocked: you will not meet this stranger again. Press Next to meet someone new.'
            : 'You ended the chat. Press Next to meet someone new.');
        break;
      case 'reported':
        say('Thank you: the conversation was sent to the moderators. You can go on, press Next, or Block.');
        break;
      case 'lost':
        active = false;
        setPaired(false);
        say('This tab is no longer talking to strangers (another tab took over).');
        break;
      default:
        break;
    }
  }

  client.on('match', onMatch);
  client.on('event', (e) => {
    if (active && e.conversationId === conversationId && e.kind === 'message' && !e.deleted) {
      line(e.actorId === me ? 'You' : (partner || 'Stranger'), e.body);
    }
  });
  client.on('synced', (s) => {
    if (active && joinWhenConnected !== null) {
      const takeover = joinWhenConnected;
      joinWhenConnected = null;
      join(takeover);
    } else if (active && s.resumed && conversationId) {
      client.matchJoin().catch(refused); // within the grace: rejoined
    }
  });

  openBtn.addEventListener('click', () => {
    view.hidden = false;
    if (!active) {
      active = true;
      list.replaceChildren();
      join();
    }
    input.focus();
  });
  closeBtn.addEventListener('click', () => {
    view.hidden = true;
    if (active) {
      active = false;
      joinWhenConnected = null;
      (paired ? client.matchEnd() : client.matchLeave()).catch(() => {});
      setPaired(false);
    }
  });
  nextBtn.addEventListener('click', () => {
    if (paired) {
      client.matchNext().catch(refused);
    } else {
      join();
    }
  });
  endBtn.addEventListener('click', () => client.matchEnd().catch(refused));
  reportBtn.addEventListener('click', () => client.matchReport('reported from the web app').catch(refused));
  blockBtn.addEventListener('click', () => client.matchBlock().catch(refused));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const text = input.value.trim();
    if (paired && text) {
      client.send(conversationId, text);
      input.value = '';
    }
  });
  setPaired(false);
}
