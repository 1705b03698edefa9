/*
 * Seshat chat widget: plain ES2017, no framework, no build step; works with or without jQuery
 * (it touches no global but its own sessionStorage key).
 *
 * Mounts into the page's [data-seshat] element (see snippet.html), or makes one at the end of
 * <body>. Stable hooks for pages and tests:
 *   [data-seshat]                 root; data-seshat-status="waiting|open|closed" during a chat
 *   [data-seshat-open]            the button that shows (and hides) the chat box
 *   [data-seshat-log]             the messages, one element each, data-from="visitor|operator|system"
 *   [data-seshat-input]           the text box; Enter sends, Shift+Enter makes a new line
 *   [data-seshat-send]            the send button
 *   [data-seshat-close]           ends the chat
 * Texts are only ever set with textContent, never parsed as HTML.
 *
 * The API lives next to this file: the URL prefix is taken from this script's own src
 * ("https://chat.example.com/seshat/widget.js" -> "https://chat.example.com/seshat"), or from
 * a data-seshat-base attribute on the root or the script tag. Messages come by Server-Sent
 * Events, or by long-polling when EventSource is missing or keeps failing. The chat (id, token,
 * last seq) is kept in sessionStorage, so a reload resumes it; messages are deduplicated by seq.
 */
(function () {
  'use strict';

  var script = document.currentScript;
  if (!script) {
    var scripts = document.getElementsByTagName('script');
    for (var i = scripts.length - 1; i >= 0; i--) {
      if (/\/widget\.js([?#].*)?$/.test(scripts[i].src)) { script = scripts[i]; break; }
    }
  }

  var POLL_WAIT_SECONDS = 25;
  var MAX_BACKOFF_MS = 15000;
  var SSE_ERRORS_BEFORE_FALLBACK = 3;
  var STATUS_TEXT = {
    waiting: 'Waiting for someone to answer\u2026',
    open: 'You are chatting with us.',
    closed: 'This chat has ended.'
  };
  var AUTHOR_LABEL = { visitor: 'You', operator: 'Support', system: '' };

  function baseUrl(root) {
    var given = (root && root.getAttribute('data-seshat-base')) ||
      (script && script.getAttribute('data-seshat-base'));
    if (given) return given.replace(/\/+$/, '');
    if (script && script.src) return script.src.replace(/\/widget\.js([?#].*)?$/, '');
    return window.location.origin + '/seshat';
  }

  // ------------------------------------------------------------------ DOM helpers

  var uid = 0;
  function el(tag, attributes, text) {
    var node = document.createElement(tag);
    if (attributes) {
      Object.keys(attributes).forEach(function (name) {
        if (attributes[name] === true) node.setAttribute(name, '');
        else if (attributes[name] !== false && attributes[name] != null) node.setAttribute(name, attributes[name]);
      });
    }
    if (text != null) node.textContent = text;
    return node;
  }

  function ensureStylesheet(base) {
    var links = document.querySelectorAll('link[rel="stylesheet"]');
    for (var i = 0; i < links.length; i++) {
      if (/\/widget\.css([?#].*)?$/.test(links[i].href)) return;
    }
    document.head.appendChild(el('link', { rel: 'stylesheet', href: base + '/widget.css' }));
  }

  function delay(ms) {
    return new Promise(function (resolve) { setTimeout(resolve, ms); });
  }

  // ------------------------------------------------------------------ the widget

  function Widget(root) {
    this.root = root;
    this.base = baseUrl(root);
    this.api = this.base + '/api';
    this.storageKey = 'seshat:' + this.base;
    this.chat = null;        // {id, token, seq, status, open}
    this.seen = new Set();   // seqs rendered
    this.generation = 0;     // bumps whenever the transport changes; old loops stop
    this.source = null;
    this.sseErrors = 0;
    this.sseBroken = !window.EventSource;
    this.build();
    this.resume();
  }

  Widget.prototype.build = function () {
    var root = this.root;
    var n = ++uid;
    root.classList.add('seshat');
    var ids = {
      panel: 'seshat-panel-' + n, name: 'seshat-name-' + n, first: 'seshat-first-' + n,
      input: 'seshat-input-' + n, title: 'seshat-title-' + n
    };

    this.opener = root.querySelector('[data-seshat-open]');
    if (!this.opener) {
      this.opener = el('button', { type: 'button', 'data-seshat-open': true }, 'Chat with us');
      root.appendChild(this.opener);
    }
    this.opener.classList.add('seshat-launcher');
    this.opener.setAttribute('aria-controls', ids.panel);
    this.opener.setAttribute('aria-expanded', 'false');

    var panel = this.panel = el('section', {
      id: ids.panel, 'class': 'seshat-panel', role: 'dialog', 'aria-labelledby': ids.title,
      hidden: true
    });
    var header = el('header', { 'class': 'seshat-header' });
    var heading = el('div', { 'class': 'seshat-heading' });
    heading.appendChild(el('h2', { id: ids.title, 'class': 'seshat-title' }, 'Chat with us'));
    this.stateText = el('p', { 'class': 'seshat-state', 'data-seshat-state-text': true },
      'We usually answer within minutes.');
    heading.appendChild(this.stateText);
    header.appendChild(heading);
    this.hideButton = el('button', {
      type: 'button', 'class': 'seshat-hide', 'data-seshat-hide': true,
      'aria-label': 'Hide the chat', title: 'Hide the chat'
    }, '\u2013');
    header.appendChild(this.hideButton);
    panel.appendChild(header);

    // The start form: name and an optional first message.
    var start = this.startForm = el('form', { 'class': 'seshat-start', 'data-seshat-start': true, novalidate: true });
    this.availability = el('p', { 'class': 'seshat-availability', 'data-seshat-availability': true, role: 'status' });
    start.appendChild(this.availability);
    start.appendChild(el('label', { 'for': ids.name }, 'Your name'));
    this.nameInput = el('input', {
      id: ids.name, type: 'text', name: 'name', autocomplete: 'name', required: true,
      maxlength: '100', 'data-seshat-name': true
    });
    start.appendChild(this.nameInput);
    start.appendChild(el('label', { 'for': ids.first }, 'How can we help? (optional)'));
    this.firstInput = el('textarea', {
      id: ids.first, name: 'message', rows: '3', maxlength: '4096', 'data-seshat-first': true
    });
    start.appendChild(this.firstInput);
    this.startNotice = el('p', { 'class': 'seshat-notice', role: 'alert' });
    start.appendChild(this.startNotice);
    this.beginButton = el('button', { type: 'submit', 'class': 'seshat-primary', 'data-seshat-begin': true }, 'Start chat');
    start.appendChild(this.beginButton);
    panel.appendChild(start);

    // The chat itself.
    var chat = this.chatView = el('div', { 'class': 'seshat-chat', 'data-seshat-chat': true, hidden: true });
    this.log = el('ol', {
      'class': 'seshat-log', 'data-seshat-log': true, role: 'log', 'aria-live': 'polite',
      'aria-relevant': 'additions', 'aria-label': 'Messages', tabindex: '0'
    });
    chat.appendChild(this.log);
    this.notice = el('p', { 'class': 'seshat-notice', 'data-seshat-notice': true, role: 'status' });
    chat.appendChild(this.notice);
    var compose = this.compose = el('form', { 'class': 'seshat-compose', 'data-seshat-compose': true });
    compose.appendChild(el('label', { 'for': ids.input, 'class': 'seshat-visually-hidden' }, 'Your message'));
    this.input = el('textarea', {
      id: ids.input, rows: '1', maxlength: '4096', placeholder: 'Type a message\u2026',
      'data-seshat-input': true, enterkeyhint: 'send'
    });
    compose.appendChild(this.input);
    this.sendButton = el('button', { type: 'submit', 'class': 'seshat-primary', 'data-seshat-send': true }, 'Send');
    compose.appendChild(this.sendButton);
    chat.appendChild(compose);
    var actions = el('div', { 'class': 'seshat-actions' });
    this.closeButton = el('button', { type: 'button', 'class': 'seshat-secondary', 'data-seshat-close': true }, 'End chat');
    actions.appendChild(this.closeButton);
    this.newButton = el('button', { type: 'button', 'class': 'seshat-secondary', 'data-seshat-new': true, hidden: true }, 'Start a new chat');
    actions.appendChild(this.newButton);
    chat.appendChild(actions);
    panel.appendChild(chat);
    root.appendChild(panel);

    var self = this;
    this.opener.addEventListener('click', function (event) {
      event.preventDefault();
      self.toggle();
    });
    this.hideButton.addEventListener('click', function () { self.hide(); });
    panel.addEventListener('keydown', function (event) {
      if (event.key === 'Escape') { event.preventDefault(); self.hide(); }
    });
    start.addEventListener('submit', function (event) { event.preventDefault(); self.start(); });
    compose.addEventListener('submit', function (event) { event.preventDefault(); self.send(); });
    this.input.addEventListener('keydown', function (event) {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        self.send();
      }
    });
    this.input.addEventListener('input', function () { self.fitInput(); });
    this.closeButton.addEventListener('click', function () { self.close(); });
    this.newButton.addEventListener('click', function () { self.reset(); });
  };

  // ------------------------------------------------------------------ showing and hiding

  Widget.prototype.isShown = function () { return !this.panel.hidden; };

  Widget.prototype.toggle = function () {
    if (this.isShown()) this.hide(); else this.show();
  };

  Widget.prototype.show = function () {
    this.panel.hidden = false;
    this.root.classList.add('seshat-is-shown');
    this.opener.setAttribute('aria-expanded', 'true');
    if (this.chat) {
      this.chat.shown = true;
      this.save();
      this.scrollToEnd();
      if (!this.input.disabled) this.input.focus(); else this.log.focus();
    } else {
      this.checkAvailability();
      this.nameInput.focus();
    }
  };

  Widget.prototype.hide = function () {
    this.panel.hidden = true;
    this.root.classList.remove('seshat-is-shown');
    this.opener.setAttribute('aria-expanded', 'false');
    if (this.chat) { this.chat.shown = false; this.save(); }
    this.opener.focus();
  };

  Widget.prototype.showStartForm = function () {
    this.startForm.hidden = false;
    this.chatView.hidden = true;
    this.root.removeAttribute('data-seshat-status');
    this.stateText.textContent = 'We usually answer within minutes.';
  };

  Widget.prototype.showChatView = function () {
    this.startForm.hidden = true;
    this.chatView.hidden = false;
  };

  Widget.prototype.fitInput = function () {
    this.input.style.height = 'auto';
    this.input.style.height = Math.min(this.input.scrollHeight, 160) + 'px';
  };

  Widget.prototype.scrollToEnd = function () {
    this.log.scrollTop = this.log.scrollHeight;
  };

  Widget.prototype.say = function (text) { this.notice.textContent = text || ''; };

  // ------------------------------------------------------------------ storage

  Widget.prototype.save = function () {
    if (!this.chat) return;
    try {
      window.sessionStorage.setItem(this.storageKey, JSON.stringify(this.chat));
    } catch (ignored) { /* storage refused (privacy mode): the chat still works until reload */ }
  };

  Widget.prototype.load = function () {
    try {
      var saved = JSON.parse(window.sessionStorage.getItem(this.storageKey) || 'null');
      if (saved && typeof saved.id === 'number' && typeof saved.token === 'string') return saved;
    } catch (ignored) { /* nothing usable saved */ }
    return null;
  };

  Widget.prototype.forget = function () {
    try { window.sessionStorage.removeItem(this.storageKey); } catch (ignored) { /* see save */ }
  };

  // ------------------------------------------------------------------ HTTP

  // Resolves to {status, body}; rejects only on network failure.
  Widget.prototype.call = function (method, path, body, token) {
    var headers = { 'Accept': 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (token) headers['Authorization'] = 'Bearer ' + token;
    return fetch(this.api + path, {
      method: method, headers: headers, cache: 'no-store', credentials: 'omit',
      body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (response) {
      return response.text().then(function (text) {
        var parsed = null;
        try { parsed = text ? JSON.parse(text) : null; } catch (ignored) { parsed = null; }
        return { status: response.status, body: parsed };
      });
    });
  };

  function errorText(reply, fallback) {
    return (reply && reply.body && typeof reply.body.error === 'string') ? reply.body.error : fallback;
  }

  // ------------------------------------------------------------------ the chat's life

  Widget.prototype.checkAvailability = function () {
    var self = this;
    this.call('GET', '/availability').then(function (reply) {
      if (reply.status !== 200 || !reply.body) return;
      self.availability.textContent = reply.body.available
        ? ''
        : 'Nobody is available right now, but you can still start a chat: we will answer as soon as we can.';
    }, function () { /* shown when starting fails */ });
  };

  Widget.prototype.start = function () {
    var self = this;
    var name = this.nameInput.value.trim();
    if (!name) {
      this.startNotice.textContent = 'Please enter your name.';
      this.nameInput.focus();
      return;
    }
    this.beginButton.disabled = true;
    this.startNotice.textContent = '';
    var request = { name: name, message: this.firstInput.value, page: window.location.href };
    this.call('POST', '/chats', request).then(function (reply) {
      self.beginButton.disabled = false;
      if (reply.status !== 201 || !reply.body) {
        self.startNotice.textContent = errorText(reply, 'The chat could not be started; please try again.');
        return;
      }
      self.chat = { id: reply.body.id, token: reply.body.token, seq: 0, status: 'waiting', shown: true };
      self.save();
      self.firstInput.value = '';
      self.enterChat();
      self.input.focus();
    }, function () {
      self.beginButton.disabled = false;
      self.startNotice.textContent = 'The chat service cannot be reached; please try again.';
    });
  };

  Widget.prototype.enterChat = function () {
    this.showChatView();
    this.setStatus(this.chat.status || 'waiting');
    this.connect();
  };

  // After a reload: show the saved chat again, history first, then live.
  Widget.prototype.resume = function () {
    var saved = this.load();
    if (!saved) { this.showStartForm(); return; }
    this.chat = saved;
    var lastSeen = saved.seq || 0;
    this.chat.seq = 0;  // the log is empty: render the whole history once
    this.showChatView();
    this.setStatus(saved.status || 'waiting');
    if (saved.shown) this.show();
    var self = this;
    this.fetchAll().then(function (ok) {
      if (!ok) return;
      if (self.chat.seq < lastSeen) self.chat.seq = lastSeen;
      self.connect();
    });
  };

  // Reads every message after chat.seq (several pages if needed). Resolves to false when the
  // chat is gone.
  Widget.prototype.fetchAll = function () {
    var self = this;
    var chat = this.chat;
    return this.call('GET', '/chats/' + chat.id + '/messages?after=' + chat.seq, undefined, chat.token)
      .then(function (reply) {
        if (self.chat !== chat) return false;
        if (reply.status === 200 && reply.body) {
          var before = chat.seq;
          self.apply(reply.body);
          if (reply.body.messages.length > 0 && chat.seq > before) return self.fetchAll();
          return true;
        }
        if (reply.status === 401 || reply.status === 403 || reply.status === 404) {
          self.lost();
          return false;
        }
        return true;  // 5xx and the like: the live connection will retry
      }, function () { return true; });
  };

  // The saved chat no longer exists for us (token refused, database reset).
  Widget.prototype.lost = function () {
    this.stopTransport();
    this.chat = null;
    this.forget();
    this.clearLog();
    this.showStartForm();
    this.startNotice.textContent = 'Your previous chat is no longer available. You can start a new one.';
  };

  Widget.prototype.clearLog = function () {
    while (this.log.firstChild) this.log.removeChild(this.log.firstChild);
    this.seen = new Set();
  };

  Widget.prototype.apply = function (transcript) {
    var self = this;
    (transcript.messages || []).forEach(function (message) { self.render(message); });
    if (transcript.status) this.setStatus(transcript.status);
  };

  Widget.prototype.render = function (message) {
    if (!this.chat || typeof message.seq !== 'number' || this.seen.has(message.seq)) return;
    this.seen.add(message.seq);
    var from = (message.from === 'operator' || message.from === 'system') ? message.from : 'visitor';
    var item = el('li', { 'class': 'seshat-message seshat-from-' + from, 'data-from': from, 'data-seq': String(message.seq) });
    var label = AUTHOR_LABEL[from];
    var time = message.at ? new Date(message.at) : new Date();
    if (label || !isNaN(time)) {
      var meta = el('span', { 'class': 'seshat-meta' });
      var when = isNaN(time) ? '' : time.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
      meta.textContent = label ? (when ? label + ' \u00b7 ' + when : label) : when;
      item.appendChild(meta);
    }
    item.appendChild(el('p', { 'class': 'seshat-text' }, String(message.text)));
    // In seq order, whatever order they arrive in.
    var next = null;
    for (var node = this.log.lastElementChild; node; node = node.previousElementSibling) {
      if (Number(node.getAttribute('data-seq')) > message.seq) next = node; else break;
    }
    this.log.insertBefore(item, next);
    if (message.seq > this.chat.seq) this.chat.seq = message.seq;
    this.save();
    this.scrollToEnd();
  };

  Widget.prototype.setStatus = function (status) {
    if (!this.chat || !STATUS_TEXT[status]) return;
    var changed = this.chat.status !== status;
    this.chat.status = status;
    this.root.setAttribute('data-seshat-status', status);
    this.stateText.textContent = STATUS_TEXT[status];
    var closed = status === 'closed';
    this.input.disabled = closed;
    this.sendButton.disabled = closed;
    this.closeButton.hidden = closed;
    this.newButton.hidden = !closed;
    if (closed) {
      this.stopTransport();
      if (changed && this.isShown() && this.panel.contains(document.activeElement)) this.newButton.focus();
    }
    if (changed) this.save();
  };

  Widget.prototype.send = function () {
    var self = this;
    var chat = this.chat;
    var text = this.input.value;
    if (!chat || chat.status === 'closed' || this.sending || !text.trim()) return;
    this.sending = true;
    this.sendButton.disabled = true;
    this.say('');
    this.call('POST', '/chats/' + chat.id + '/messages', { text: text }, chat.token).then(function (reply) {
      self.sending = false;
      if (self.chat !== chat) return;
      self.sendButton.disabled = chat.status === 'closed';
      if (reply.status === 202 && reply.body) {
        // Shown at once; the stream brings the same seq later and it is skipped.
        self.render({ seq: reply.body.seq, from: 'visitor', text: text, at: new Date().toISOString() });
        if (self.input.value === text) self.input.value = '';
        self.fitInput();
        self.input.focus();
        return;
      }
      if (reply.status === 409) { self.setStatus('closed'); self.fetchAll(); return; }
      if (reply.status === 401 || reply.status === 403 || reply.status === 404) { self.lost(); return; }
      self.say(errorText(reply, 'Your message could not be sent; please try again.'));
    }, function () {
      self.sending = false;
      self.sendButton.disabled = false;
      self.say('Your message could not be sent (no connection); please try again.');
    });
  };

  Widget.prototype.close = function () {
    var self = this;
    var chat = this.chat;
    if (!chat || chat.status === 'closed') return;
    this.closeButton.disabled = true;
    this.call('POST', '/chats/' + chat.id + '/close', undefined, chat.token).then(function (reply) {
      self.closeButton.disabled = false;
      if (self.chat !== chat) return;
      if (reply.status === 200 || reply.status === 409) {
        self.fetchAll();  // the closing message, whatever the transport is doing
        self.setStatus('closed');
        return;
      }
      if (reply.status === 401 || reply.status === 403 || reply.status === 404) { self.lost(); return; }
      self.say(errorText(reply, 'The chat could not be ended; please try again.'));
    }, function () {
      self.closeButton.disabled = false;
      self.say('The chat could not be ended (no connection); please try again.');
    });
  };

  Widget.prototype.reset = function () {
    this.stopTransport();
    this.chat = null;
    this.forget();
    this.clearLog();
    this.say('');
    this.showStartForm();
    this.checkAvailability();
    this.nameInput.focus();
  };

  // ------------------------------------------------------------------ receiving

  Widget.prototype.stopTransport = function () {
    this.generation++;
    if (this.source) { this.source.close(); this.source = null; }
  };

  Widget.prototype.connect = function () {
    this.stopTransport();
    if (!this.chat || this.chat.status === 'closed') return;
    if (this.sseBroken) this.poll(this.generation); else this.listen();
  };

  Widget.prototype.listen = function () {
    var self = this;
    var chat = this.chat;
    var generation = this.generation;
    var url = this.api + '/chats/' + chat.id + '/events?token=' + encodeURIComponent(chat.token) +
      '&after=' + chat.seq;
    var source = this.source = new EventSource(url);
    source.onopen = function () { self.sseErrors = 0; self.say(''); };
    source.onmessage = function (event) {
      if (generation !== self.generation) return;
      try { self.render(JSON.parse(event.data)); } catch (ignored) { /* not a message */ }
    };
    source.addEventListener('status', function (event) {
      if (generation !== self.generation) return;
      try { self.setStatus(JSON.parse(event.data).status); } catch (ignored) { /* malformed */ }
    });
    source.onerror = function () {
      if (generation !== self.generation) return;
      // CONNECTING: the browser reconnects by itself (with Last-Event-ID). CLOSED: refused
      // (4xx, 204) or not an event stream: ask plainly, then go on by long-polling.
      self.sseErrors++;
      if (source.readyState === EventSource.CLOSED || self.sseErrors >= SSE_ERRORS_BEFORE_FALLBACK) {
        source.close();
        self.source = null;
        if (self.sseErrors >= SSE_ERRORS_BEFORE_FALLBACK) self.sseBroken = true;
        self.stopTransport();
        self.poll(self.generation);
      }
    };
  };

  Widget.prototype.poll = function (generation) {
    var self = this;
    var backoff = 0;
    function round() {
      var chat = self.chat;
      if (generation !== self.generation || !chat || chat.status === 'closed') return undefined;
      var path = '/chats/' + chat.id + '/messages?after=' + chat.seq + '&wait=' + POLL_WAIT_SECONDS;
      return self.call('GET', path, undefined, chat.token).then(function (reply) {
        if (generation !== self.generation) return undefined;
        if (reply.status === 200 && reply.body) {
          backoff = 0;
          self.say('');
          self.apply(reply.body);
          return round();
        }
        if (reply.status === 401 || reply.status === 403 || reply.status === 404) {
          self.lost();
          return undefined;
        }
        return retry();
      }, function () {
        if (generation !== self.generation) return undefined;
        self.say('Connection lost; trying again\u2026');
        return retry();
      });
    }
    function retry() {
      backoff = Math.min(backoff ? backoff * 2 : 1000, MAX_BACKOFF_MS);
      return delay(backoff).then(round);
    }
    round();
  };

  // ------------------------------------------------------------------ mounting

  function mount() {
    var root = document.querySelector('[data-seshat]');
    if (!root) {
      root = el('div', { 'data-seshat': true });
      document.body.appendChild(root);
    }
    if (root.hasAttribute('data-seshat-mounted')) return;
    root.setAttribute('data-seshat-mounted', '');
    ensureStylesheet(baseUrl(root));
    new Widget(root);  // eslint-disable-line no-new
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', mount);
  } else {
    mount();
  }
})();
