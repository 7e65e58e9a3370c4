// The one owner of the app's state. Screens read it and render; only actions.js changes it. No DOM here.
//
// State is a plain object replaced on every set(); the Conversation objects inside `convs` (model.js) are changed in
// place by actions, which then touch('convs') so the screens that show them render again. Listeners run
// synchronously, in subscription order, with the set of keys (or topics) that changed.

export function createStore(initial) {
  let state = Object.freeze({ ...initial });
  const listeners = new Set();
  let notifying = 0;
  const queued = [];

  function notify(changed) {
    if (notifying > 0) {
      queued.push(changed); // a listener changed the state: the others first see this round's change
      return;
    }
    notifying++;
    try {
      for (const fn of [...listeners]) {
        fn(state, changed);
      }
    } finally {
      notifying--;
    }
    if (queued.length > 0) {
      notify(new Set(queued.splice(0).flatMap((s) => [...s])));
    }
  }

  return {
    get state() {
      return state;
    },
    /** Replaces the given keys; listeners hear the keys whose value changed, plus any extra topics named. */
    set(patch, ...topics) {
      const changed = new Set(topics);
      for (const [k, v] of Object.entries(patch)) {
        if (!Object.is(state[k], v)) {
          changed.add(k);
        }
      }
      if (changed.size === 0) {
        return;
      }
      state = Object.freeze({ ...state, ...patch });
      notify(changed);
    },
    /** Says that something inside the state changed in place (a Conversation of `convs`): listeners render again. */
    touch(...topics) {
      if (topics.length > 0) {
        notify(new Set(topics));
      }
    },
    /** Calls fn(state, changedKeys) after every change; returns the function that unsubscribes. */
    subscribe(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
  };
}

/** Whether any of the keys changed (a screen's render test: `if (!touches(changed, 'convs', 'openId')) return;`). */
export function touches(changed, ...keys) {
  return keys.some((k) => changed.has(k));
}
