/*
 * Seshat chat widget: plain ES2017, no framework, no build step, no request to other hosts.
 * Hooks, settings and behaviour: README.md "Putting the chat on a website" and snippet.html.
 * Texts are set with textContent only; links are built as elements, never parsed as HTML.
 * One tab (holder of a Web Lock) keeps the event stream and passes what it hears to the
 * others through a BroadcastChannel. Sends are queued, shown at once, and retried with the
 * same client_id until answered, so that each is stored exactly once.
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
  var SEND_TRIES = 4;
  var MAX_PAGE = 2000;

  var STRINGS = {
    en: {
      title: 'Chat with us', usual: 'We usually answer within minutes.',
      waiting: 'Waiting for someone to answer\u2026', position: 'You are number {n} in the queue.',
      open: 'You are chatting with us.', openWith: 'You are chatting with {name}.',
      closed: 'This chat has ended.', hide: 'Hide the chat', name: 'Your name',
      help: 'How can we help? (optional)', start: 'Start chat', needName: 'Please enter your name.',
      failed: 'That did not work; please try again.',
      gone: 'Your previous chat is no longer available. You can start a new one.',
      messages: 'Messages', message: 'Your message', placeholder: 'Type a message\u2026',
      send: 'Send', end: 'End chat', again: 'Start a new chat', you: 'You', support: 'Support',
      sending: 'Sending\u2026', notSent: 'Not sent.', retry: 'Retry', edited: 'edited',
      typing: '{name} is typing\u2026', lost: 'Connection lost; trying again\u2026',
      nobody: 'Nobody is available right now. Leave a message and we will answer by email.',
      nobodyHere: 'Nobody is available right now. Leave a message and we will answer here when you come back.',
      email: 'Your email', needEmail: 'Please enter a valid email address.',
      needMessage: 'Please write your message.', leave: 'Send message',
      left: 'Thank you: your message is saved. We will answer here, or by email to {email}.',
      transcript: 'Email me the transcript', transcriptSent: 'The transcript is on its way to {email}.',
      noTranscript: 'Transcripts by email are not available here.', unread: 'unread'
    },
    de: {
      title: 'Chatten Sie mit uns', usual: 'Wir antworten meist innerhalb weniger Minuten.',
      waiting: 'Wir warten auf eine Antwort\u2026', position: 'Sie sind Nummer {n} in der Warteschlange.',
      open: 'Sie chatten mit uns.', openWith: 'Sie chatten mit {name}.',
      closed: 'Dieser Chat ist beendet.', hide: 'Chat ausblenden', name: 'Ihr Name',
      help: 'Wie k\u00f6nnen wir helfen? (optional)', start: 'Chat starten', needName: 'Bitte geben Sie Ihren Namen ein.',
      failed: 'Das hat nicht geklappt; bitte versuchen Sie es erneut.',
      gone: 'Ihr fr\u00fcherer Chat ist nicht mehr verf\u00fcgbar. Sie k\u00f6nnen einen neuen beginnen.',
      messages: 'Nachrichten', message: 'Ihre Nachricht', placeholder: 'Nachricht schreiben\u2026',
      send: 'Senden', end: 'Chat beenden', again: 'Neuen Chat starten', you: 'Sie', support: 'Support',
      sending: 'Wird gesendet\u2026', notSent: 'Nicht gesendet.', retry: 'Erneut senden', edited: 'bearbeitet',
      typing: '{name} schreibt\u2026', lost: 'Verbindung verloren; neuer Versuch\u2026',
      nobody: 'Gerade ist niemand erreichbar. Hinterlassen Sie eine Nachricht, wir antworten per E-Mail.',
      nobodyHere: 'Gerade ist niemand erreichbar. Hinterlassen Sie eine Nachricht, wir antworten hier, wenn Sie wiederkommen.',
      email: 'Ihre E-Mail-Adresse', needEmail: 'Bitte geben Sie eine g\u00fcltige E-Mail-Adresse ein.',
      needMessage: 'Bitte schreiben Sie Ihre Nachricht.', leave: 'Nachricht senden',
      left: 'Danke: Ihre Nachricht ist gespeichert. Wir antworten hier oder per E-Mail an {email}.',
      transcript: 'Verlauf per E-Mail senden', transcriptSent: 'Der Verlauf geht an {email}.',
      noTranscript: 'Der Versand des Verlaufs per E-Mail ist hier nicht verf\u00fcgbar.', unread: 'ungelesen'
    },
    fr: {
      title: 'Discutez avec nous', usual: 'Nous r\u00e9pondons g\u00e9n\u00e9ralement en quelques minutes.',
      waiting: 'En attente d\u2019une r\u00e9ponse\u2026', position: 'Vous \u00eates num\u00e9ro {n} dans la file d\u2019attente.',
      open: 'Vous discutez avec nous.', openWith: 'Vous discutez avec {name}.',
      closed: 'Cette discussion est termin\u00e9e.', hide: 'Masquer la discussion', name: 'Votre nom',
      help: 'Comment pouvons-nous aider\u00a0? (facultatif)', start: 'Commencer', needName: 'Veuillez saisir votre nom.',
      failed: 'Cela n\u2019a pas march\u00e9\u00a0; veuillez r\u00e9essayer.',
      gone: 'Votre discussion pr\u00e9c\u00e9dente n\u2019est plus disponible. Vous pouvez en commencer une nouvelle.',
      messages: 'Messages', message: 'Votre message', placeholder: '\u00c9crivez un message\u2026',
      send: 'Envoyer', end: 'Terminer', again: 'Nouvelle discussion', you: 'Vous', support: 'Support',
      sending: 'Envoi\u2026', notSent: 'Non envoy\u00e9.', retry: 'R\u00e9essayer', edited: 'modifi\u00e9',
      typing: '{name} \u00e9crit\u2026', lost: 'Connexion perdue\u00a0; nouvelle tentative\u2026',
      nobody: 'Personne n\u2019est disponible pour le moment. Laissez un message, nous r\u00e9pondrons par e-mail.',
      nobodyHere: 'Personne n\u2019est disponible pour le moment. Laissez un message, nous r\u00e9pondrons ici \u00e0 votre retour.',
      email: 'Votre e-mail', needEmail: 'Veuillez saisir une adresse e-mail valide.',
      needMessage: 'Veuillez \u00e9crire votre message.', leave: 'Envoyer le message',
      left: 'Merci\u00a0: votre message est enregistr\u00e9. Nous r\u00e9pondrons ici si vous restez, sinon par e-mail \u00e0 {email}.',
      transcript: 'M\u2019envoyer la transcription', transcriptSent: 'La transcription part vers {email}.',
      noTranscript: 'L\u2019envoi de la transcription par e-mail n\u2019est pas disponible ici.', unread: 'non lu'
    },
    es: {
      title: 'Chatea con nosotros', usual: 'Solemos responder en pocos minutos.',
      waiting: 'Esperando una respuesta\u2026', position: 'Eres el n\u00famero {n} en la cola.',
      open: 'Est\u00e1s chateando con nosotros.', openWith: 'Est\u00e1s chateando con {name}.',
      closed: 'Este chat ha terminado.', hide: 'Ocultar el chat', name: 'Tu nombre',
      help: '\u00bfC\u00f3mo podemos ayudarte? (opcional)', start: 'Iniciar chat', needName: 'Escribe tu nombre.',
      failed: 'No ha funcionado; int\u00e9ntalo de nuevo.',
      gone: 'Tu chat anterior ya no est\u00e1 disponible. Puedes iniciar uno nuevo.',
      messages: 'Mensajes', message: 'Tu mensaje', placeholder: 'Escribe un mensaje\u2026',
      send: 'Enviar', end: 'Terminar chat', again: 'Iniciar un chat nuevo', you: 'T\u00fa', support: 'Soporte',
      sending: 'Enviando\u2026', notSent: 'No enviado.', retry: 'Reintentar', edited: 'editado',
      typing: '{name} est\u00e1 escribiendo\u2026', lost: 'Conexi\u00f3n perdida; reintentando\u2026',
      nobody: 'Ahora no hay nadie disponible. Deja un mensaje y te responderemos por correo.',
      nobodyHere: 'Ahora no hay nadie disponible. Deja un mensaje y te responderemos aqu\u00ed cuando vuelvas.',
      email: 'Tu correo electr\u00f3nico', needEmail: 'Escribe una direcci\u00f3n de correo v\u00e1lida.',
      needMessage: 'Escribe tu mensaje.', leave: 'Enviar mensaje',
      left: 'Gracias: tu mensaje est\u00e1 guardado. Responderemos aqu\u00ed si te quedas, o por correo a {email}.',
      transcript: 'Enviarme la conversaci\u00f3n', transcriptSent: 'La conversaci\u00f3n va de camino a {email}.',
      noTranscript: 'El env\u00edo de la conversaci\u00f3n por correo no est\u00e1 disponible aqu\u00ed.', unread: 'sin leer'
    }
  };

  function setting(root, name) {
    return (root && root.getAttribute(name)) || (script && script.getAttribute(name)) || '';
  }
  function pickLanguage(root) {
    var forced = setting(root, 'data-seshat-lang');
    var tags = forced ? [forced] : [].concat(navigator.languages || [navigator.language],
      [document.documentElement.lang]);
    for (var i = 0; i < tags.length; i++) {
      var tag = String(tags[i] || '');
      if (STRINGS[tag.toLowerCase().split('-')[0]]) return tag;
    }
    return forced || 'en';
  }

  function baseUrl(root) {
    var given = setting(root, 'data-seshat-base');
    if (given) return given.replace(/\/+$/, '');
    if (script && script.src) return script.src.replace(/\/widget\.js([?#].*)?$/, '');
    return window.location.origin + '/seshat';
  }

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

  function newId() {
    var bytes = new Uint8Array(12);
    (window.crypto || window.msCrypto).getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join('');
  }

  function storage(kind) {
    try { return window[kind]; } catch (ignored) { return null; }
  }

  function read(kind, key) {
    try { return JSON.parse(storage(kind).getItem(key) || 'null'); } catch (ignored) { return null; }
  }

  function write(kind, key, value) {
    try {
      if (value == null) storage(kind).removeItem(key); else storage(kind).setItem(key, JSON.stringify(value));
    } catch (ignored) {  }
  }
  // A random id of this browser, kept: operators see earlier chats from it (!INFO), !BLOCK uses it.
  function visitorId() {
    var id = read('localStorage', 'seshat-visitor');
    if (typeof id === 'string' && /^[0-9a-f]{32}$/.test(id)) return id;
    var bytes = new Uint8Array(16);
    (window.crypto || {}).getRandomValues ? window.crypto.getRandomValues(bytes) : bytes.forEach(function (_, i) { bytes[i] = Math.random() * 256; });
    id = Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join('');
    write('localStorage', 'seshat-visitor', id);
    return id;
  }
  var LINK = /\bhttps?:\/\/[^\s<>"']+/gi;
  function fillText(node, text) {
    var at = 0;
    String(text).replace(LINK, function (found, index) {
      var url = found.replace(/[.,;:!?)\]}'"]+$/, '');
      var href = null;
      try { href = new URL(url).href; } catch (ignored) { href = null; }
      if (!href || !/^https?:$/.test(new URL(href).protocol)) return found;
      node.appendChild(document.createTextNode(text.slice(at, index)));
      node.appendChild(el('a', { href: href, target: '_blank', rel: 'noopener noreferrer' }, url));
      at = index + url.length;
      return found;
    });
    node.appendChild(document.createTextNode(text.slice(at)));
  }

  var audio = null;
  function beep() {
    try {
      var Context = window.AudioContext || window.webkitAudioContext;
      audio = audio || new Context();
      var tone = audio.createOscillator();
      var gain = audio.createGain();
      var now = audio.currentTime;
      tone.frequency.value = 880;
      gain.gain.setValueAtTime(0.08, now);
      gain.gain.exponentialRampToValueAtTime(0.0001, now + 0.2);
      tone.connect(gain);
      gain.connect(audio.destination);
      tone.start(now);
      tone.stop(now + 0.2);
    } catch (ignored) {  }
  }

  function Widget(root) {
    this.root = root;
    this.base = baseUrl(root);
    this.api = this.base + '/api';
    this.key = 'seshat:' + this.base;
    this.outboxKey = 'seshat.outbox:' + this.base;
    this.lang = pickLanguage(root);
    this.text = STRINGS[this.lang.toLowerCase().split('-')[0]] || STRINGS.en;
    this.chat = null;
    this.seen = new Set();
    this.outbox = [];
    this.generation = 0;
    this.source = null;
    this.streamName = newId().slice(0, 12);  // our stream leaves out what this page sends
    this.sseErrors = 0;
    this.sseBroken = !window.EventSource;
    this.title = document.title;
    this.build();
    this.share();
    this.resume();
  }

  Widget.prototype.t = function (key, values) {
    return (this.text[key] || STRINGS.en[key]).replace(/\{(\w+)\}/g, function (all, name) {
      return values && values[name] != null ? values[name] : all;
    });
  };

  Widget.prototype.build = function () {
    var root = this.root;
    var t = this.t.bind(this);
    var n = ++uid;
    root.classList.add('seshat');
    var ids = {
      panel: 'seshat-panel-' + n, name: 'seshat-name-' + n, first: 'seshat-first-' + n,
      input: 'seshat-input-' + n, title: 'seshat-title-' + n, email: 'seshat-email-' + n
    };

    this.opener = root.querySelector('[data-seshat-open]');
    if (!this.opener) {
      this.opener = el('button', { type: 'button', 'data-seshat-open': true }, t('title'));
      root.appendChild(this.opener);
    }
    this.opener.classList.add('seshat-launcher');
    this.opener.setAttribute('aria-controls', ids.panel);
    this.opener.setAttribute('aria-expanded', 'false');
    this.badge = el('span', { 'class': 'seshat-unread', 'data-seshat-unread': true, hidden: true, 'aria-hidden': 'true' });
    this.badgeLabel = el('span', { 'class': 'seshat-visually-hidden' });
    this.opener.appendChild(this.badge);
    this.opener.appendChild(this.badgeLabel);

    var panel = this.panel = el('section', {
      id: ids.panel, 'class': 'seshat-panel', role: 'dialog', 'aria-labelledby': ids.title, hidden: true, lang: this.lang
    });
    var header = el('header', { 'class': 'seshat-header' });
    var heading = el('div', { 'class': 'seshat-heading' });
    heading.appendChild(el('h2', { id: ids.title, 'class': 'seshat-title' }, t('title')));
    this.stateText = el('p', { 'class': 'seshat-state', 'data-seshat-state-text': true, role: 'status' });
    heading.appendChild(this.stateText);
    header.appendChild(heading);
    this.hideButton = el('button', {
      type: 'button', 'class': 'seshat-hide', 'data-seshat-hide': true, 'aria-label': t('hide'), title: t('hide')
    }, '\u2013');
    header.appendChild(this.hideButton);
    panel.appendChild(header);
    var start = this.startForm = el('form', { 'class': 'seshat-start', 'data-seshat-start': true, novalidate: true });
    this.availability = el('p', { 'class': 'seshat-availability', 'data-seshat-availability': true, role: 'status' });
    start.appendChild(this.availability);
    start.appendChild(el('label', { 'for': ids.name }, t('name')));
    this.nameInput = el('input', {
      id: ids.name, type: 'text', name: 'name', autocomplete: 'name', required: true,
      maxlength: '100', 'data-seshat-name': true
    });
    start.appendChild(this.nameInput);
    this.emailBox = el('div', { 'class': 'seshat-field', hidden: true });
    this.emailBox.appendChild(el('label', { 'for': ids.email }, t('email')));
    this.emailInput = el('input', {
      id: ids.email, type: 'email', name: 'email', autocomplete: 'email', maxlength: '254', 'data-seshat-email': true
    });
    this.emailBox.appendChild(this.emailInput);
    start.appendChild(this.emailBox);
    this.firstLabel = el('label', { 'for': ids.first }, t('help'));
    start.appendChild(this.firstLabel);
    this.firstInput = el('textarea', {
      id: ids.first, name: 'message', rows: '3', maxlength: '4096', 'data-seshat-first': true
    });
    start.appendChild(this.firstInput);
    this.startNotice = el('p', { 'class': 'seshat-notice', role: 'alert' });
    start.appendChild(this.startNotice);
    this.beginButton = el('button', { type: 'submit', 'class': 'seshat-primary', 'data-seshat-begin': true }, t('start'));
    start.appendChild(this.beginButton);
    panel.appendChild(start);
    var chat = this.chatView = el('div', { 'class': 'seshat-chat', 'data-seshat-chat': true, hidden: true });
    this.log = el('div', {
      'class': 'seshat-log', 'data-seshat-log': true, role: 'log', 'aria-live': 'polite',
      'aria-label': t('messages'), tabindex: '0'
    });
    chat.appendChild(this.log);
    this.typingLine = el('p', { 'class': 'seshat-typing', 'data-seshat-typing': true, hidden: true });
    chat.appendChild(this.typingLine);
    this.notice = el('p', { 'class': 'seshat-notice', 'data-seshat-notice': true, role: 'status' });
    chat.appendChild(this.notice);
    var compose = this.compose = el('form', { 'class': 'seshat-compose', 'data-seshat-compose': true });
    compose.appendChild(el('label', { 'for': ids.input, 'class': 'seshat-visually-hidden' }, t('message')));
    this.input = el('textarea', {
      id: ids.input, rows: '1', maxlength: '4096', placeholder: t('placeholder'),
      'data-seshat-input': true, enterkeyhint: 'send'
    });
    compose.appendChild(this.input);
    this.sendButton = el('button', { type: 'submit', 'class': 'seshat-primary', 'data-seshat-send': true }, t('send'));
    compose.appendChild(this.sendButton);
    chat.appendChild(compose);
    var actions = this.actions = el('div', { 'class': 'seshat-actions' });
    this.closeButton = el('button', { type: 'button', 'class': 'seshat-secondary', 'data-seshat-close': true }, t('end'));
    actions.appendChild(this.closeButton);
    this.after = el('form', { 'class': 'seshat-after', 'data-seshat-after': true, novalidate: true, hidden: true });
    this.transcriptButton = el('button', { type: 'submit', 'class': 'seshat-secondary', 'data-seshat-transcript': true }, t('transcript'));
    this.newButton = el('button', { type: 'button', 'class': 'seshat-primary', 'data-seshat-new': true }, t('again'));
    this.afterNotice = el('p', { 'class': 'seshat-notice', role: 'status' });
    this.after.appendChild(this.newButton);
    this.after.appendChild(this.afterNotice);
    chat.appendChild(actions);
    chat.appendChild(this.after);
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
    this.input.addEventListener('input', function () { self.fitInput(); self.typing(true); });
    this.closeButton.addEventListener('click', function () { self.close(); });
    this.newButton.addEventListener('click', function () { self.reset(); });
    this.after.addEventListener('submit', function (event) { event.preventDefault(); self.mailTranscript(); });
    this.log.addEventListener('click', function (event) {
      var node = event.target.closest && event.target.closest('[data-seshat-retry]');
      if (node) self.retry(node.parentNode.parentNode);
    });
    document.addEventListener('visibilitychange', function () { self.updateUnread(); });
    window.addEventListener('online', function () { self.retry(); });
  };

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
      this.updateUnread();
      if (this.chat.status === 'closed') this.newButton.focus();
      else this.input.focus();
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
    this.stateText.textContent = this.leaving ? '' : this.t('usual');
    this.startForm.insertBefore(this.emailBox, this.firstLabel);
    this.emailBox.hidden = !this.leaving;
    this.updateUnread();
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

  Widget.prototype.updateUnread = function () {
    var chat = this.chat;
    var count = 0;
    if (chat) {
      if (this.isShown() && document.visibilityState !== 'hidden') {
        if ((chat.read || 0) < chat.seq) this.markRead(chat.seq);
      } else {
        var nodes = this.log.querySelectorAll('[data-from="operator"][data-seq]');
        for (var i = 0; i < nodes.length; i++) {
          if (Number(nodes[i].getAttribute('data-seq')) > (chat.read || 0)) count++;
        }
      }
    }
    this.badge.textContent = count ? String(count) : '';
    this.badge.hidden = !count;
    this.badgeLabel.textContent = count ? ' (' + count + ' ' + this.t('unread') + ')' : '';
    var before = this.unread || 0;
    if (count === before) return;
    if (!before) this.title = document.title;
    document.title = count ? '(' + count + ') ' + this.title : this.title;
    var sound = this.root.getAttribute('data-seshat-sound');
    if (count > before && sound != null && !/^(off|false|no)$/i.test(sound) && this.leader && this.live) beep();
    this.unread = count;
  };

  Widget.prototype.markRead = function (seq) {
    this.chat.read = seq;
    this.saveShared();
    this.tell({ t: 'read', id: this.chat.id, seq: seq });
    if (this.rich) this.call('POST', '/chats/' + this.chat.id + '/read', { seq: seq }, this.chat.token).catch(function () {});
  };
  // sessionStorage: this tab's view (a reload resumes it); localStorage: shared by every tab.
  Widget.prototype.save = function () {
    if (!this.chat) return;
    var c = this.chat;
    write('sessionStorage', this.key, { id: c.id, token: c.token, seq: c.seq, status: c.status, read: c.read, shown: c.shown });
    this.saveShared();
  };

  Widget.prototype.saveShared = function () {
    var c = this.chat;
    write('localStorage', this.key, { id: c.id, token: c.token, status: c.status, read: c.read });
  };

  Widget.prototype.load = function () {
    var saved = read('sessionStorage', this.key);
    var shared = read('localStorage', this.key);
    if (!saved && shared && shared.status !== 'closed') saved = { id: shared.id, token: shared.token, seq: 0, status: shared.status };
    if (saved && shared && shared.id === saved.id) saved.read = Math.max(saved.read || 0, shared.read || 0);
    return saved && typeof saved.id === 'number' && typeof saved.token === 'string' ? saved : null;
  };

  Widget.prototype.forget = function () {
    write('sessionStorage', this.key, null);
    write('sessionStorage', this.outboxKey, null);
    var shared = read('localStorage', this.key);
    if (shared && this.chat && shared.id === this.chat.id) write('localStorage', this.key, null);
  };
  // The Web Lock's holder keeps the stream; without BroadcastChannel or locks, every tab does.
  Widget.prototype.share = function () {
    var self = this;
    this.leader = true;
    if (!window.BroadcastChannel || !(navigator.locks && navigator.locks.request)) return;
    this.leader = false;
    this.channel = new BroadcastChannel(this.key);
    this.channel.onmessage = function (event) { self.heard(event.data || {}); };
    navigator.locks.request(this.key, function () {
      self.leader = true;
      self.connect();
      return new Promise(function () {  });
    }).catch(function () { self.leader = true; self.connect(); });
  };

  Widget.prototype.tell = function (message) {
    if (this.channel) try { this.channel.postMessage(message); } catch (ignored) {  }
  };

  Widget.prototype.heard = function (message) {
    var chat = this.chat;
    var mine = chat && chat.id === message.id;
    if (message.t === 'chat') {
      if (!chat || chat.id !== message.chat.id) this.adopt(message.chat);
    } else if (message.t === 'data' && mine) {
      this.apply(message.body, true);
    } else if (message.t === 'typing' && mine) {
      this.showTyping(message.body);
    } else if (message.t === 'read' && mine && message.seq > (chat.read || 0)) {
      chat.read = message.seq;
      this.updateUnread();
    } else if (message.t === 'reset' && mine) {
      this.reset(true);
    }
  };
  Widget.prototype.adopt = function (given) {
    this.stopTransport();
    this.chat = { id: given.id, token: given.token, seq: 0, status: given.status || 'waiting', read: 0, shown: this.isShown() };
    this.clearLog();
    this.save();
    this.enterChat();
  };
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

  function refused(status) { return status === 401 || status === 403 || status === 404; }

  Widget.prototype.checkAvailability = function () {
    var self = this;
    this.call('GET', '/availability').then(function (reply) {
      if (reply.status !== 200 || !reply.body || self.chat) return;
      self.leaving = reply.body.available === false;
      // Honest about what happens next: by mail only where the site sends mail.
      self.availability.textContent =
        self.leaving ? self.t(reply.body.mail === false ? 'nobodyHere' : 'nobody') : '';
      self.firstLabel.textContent = self.t(self.leaving ? 'message' : 'help');
      self.beginButton.textContent = self.t(self.leaving ? 'leave' : 'start');
      self.showStartForm();
    }, function () {  });
  };

  Widget.prototype.pageAddress = function () {
    var where = window.location;
    var page = setting(this.root, 'data-seshat-page') === 'full' ? where.href : where.origin + where.pathname;
    return page.slice(0, MAX_PAGE);
  };

  Widget.prototype.start = function () {
    var self = this;
    var name = this.nameInput.value.trim();
    var email = this.emailInput.value.trim();
    var message = this.firstInput.value;
    var problem = !name ? ['needName', this.nameInput]
      : this.leaving && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) ? ['needEmail', this.emailInput]
      : this.leaving && !message.trim() ? ['needMessage', this.firstInput] : null;
    if (problem) {
      this.startNotice.textContent = this.t(problem[0]);
      problem[1].setAttribute('aria-invalid', 'true');
      problem[1].focus();
      return;
    }
    [this.nameInput, this.emailInput, this.firstInput].forEach(function (node) { node.removeAttribute('aria-invalid'); });
    this.beginButton.disabled = true;
    this.startNotice.textContent = '';
    var request = { name: name, message: message, page: this.pageAddress(), language: this.lang,
      visitor: visitorId(), referrer: String(document.referrer || '').split(/[?#]/)[0],
      utc_offset: -new Date().getTimezoneOffset() };
    if (this.leaving) request.email = email;
    this.call('POST', '/chats', request).then(function (reply) {
      self.beginButton.disabled = false;
      if (reply.status !== 201 || !reply.body) {
        self.startNotice.textContent = errorText(reply, self.t('failed'));
        return;
      }
      self.chat = { id: reply.body.id, token: reply.body.token, seq: 0, status: 'waiting', read: 0, shown: true };
      self.save();
      self.tell({ t: 'chat', chat: { id: self.chat.id, token: self.chat.token, status: 'waiting' } });
      self.firstInput.value = '';
      self.enterChat();
      if (self.leaving) self.say(self.t('left', { email: email }));
      self.input.focus();
    }, function () {
      self.beginButton.disabled = false;
      self.startNotice.textContent = self.t('failed');
    });
  };

  Widget.prototype.enterChat = function () {
    var self = this;
    this.showChatView();
    this.setStatus(this.chat.status || 'waiting');
    this.fetchAll().then(function (ok) {
      self.live = true;
      if (ok) self.connect();
    });
  };
  Widget.prototype.resume = function () {
    var saved = this.load();
    if (!saved) { this.showStartForm(); return; }
    this.chat = saved;
    var lastSeen = saved.seq || 0;
    this.chat.seq = 0;
    this.showChatView();
    this.setStatus(saved.status || 'waiting');
    if (saved.shown) this.show();
    var self = this;
    var pending = read('sessionStorage', this.outboxKey) || [];
    this.fetchAll().then(function (ok) {
      if (!ok) return;
      if (self.chat.seq < lastSeen) self.chat.seq = lastSeen;
      pending.forEach(function (item) { self.queue(item.text, item.id); });
      self.live = true;
      self.connect();
    });
  };
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
        if (refused(reply.status)) {
          self.lost();
          return false;
        }
        return true;
      }, function () { return true; });
  };
  Widget.prototype.lost = function () {
    this.stopTransport();
    this.forget();
    this.chat = null;
    this.outbox = [];
    this.clearLog();
    this.showStartForm();
    this.startNotice.textContent = this.t('gone');
  };

  Widget.prototype.clearLog = function () {
    while (this.log.firstChild) this.log.removeChild(this.log.firstChild);
    this.seen = new Set();
    this.showTyping(null);
  };
  Widget.prototype.apply = function (body, heard) {
    var self = this;
    if (!this.chat || !body) return;
    if ('operator' in body || 'position' in body) this.rich = true;
    if (body.operator) this.operatorName = body.operator;
    if (typeof body.position === 'number') this.position = body.position;
    (body.messages || []).forEach(function (message) { self.render(message); });
    if (body.status) this.setStatus(body.status);
    else this.setStatus(this.chat.status);
    if (this.leader && !heard) this.tell({ t: 'data', id: this.chat.id, body: body });
  };

  Widget.prototype.bySeq = function (seq) {
    return this.log.querySelector('[data-seq="' + Number(seq) + '"]');
  };
  // By seq; pending messages (no seq yet) stay last.
  Widget.prototype.place = function (node, seq) {
    var next = null;
    for (var at = this.log.lastElementChild; at; at = at.previousElementSibling) {
      if (at === node) continue;  // a pending node that its answer placed now
      var other = at.getAttribute('data-seq');
      if (other === null || Number(other) > seq) next = at; else break;
    }
    this.log.insertBefore(node, next);
  };

  Widget.prototype.fill = function (node, message) {
    var from = node.getAttribute('data-from');
    var text = String(message.text);
    var time = message.at ? new Date(message.at) : new Date();
    var when = isNaN(time) ? '' : time.toLocaleTimeString(this.lang, { hour: '2-digit', minute: '2-digit' });
    var name = from === 'visitor' ? this.t('you') : from === 'operator' ? (message.name || this.operatorName || this.t('support')) : '';
    while (node.firstChild) node.removeChild(node.firstChild);
    node.appendChild(el('span', { 'class': 'seshat-meta' }, [name, when].filter(Boolean).join(' \u00b7 ')));
    var body = el('p', { 'class': 'seshat-text' });
    if (from === 'operator' && /^\/me /.test(text)) {
      body.classList.add('seshat-action');
      text = name + ' ' + text.slice(4);
    }
    fillText(body, text);
    node.appendChild(body);
  };

  Widget.prototype.render = function (message) {
    var chat = this.chat;
    if (!chat || typeof message.seq !== 'number' || this.seen.has(message.seq)) return;
    this.seen.add(message.seq);
    if (message.seq > chat.seq) chat.seq = message.seq;
    var from = (message.from === 'operator' || message.from === 'system') ? message.from : 'visitor';
    if (from === 'operator') {
      if (message.name) this.operatorName = message.name;
      this.showTyping(null);
    }
    var node = typeof message.replaces === 'number' ? this.bySeq(message.replaces) : null;
    if (node) {
      message.at = message.at || node.getAttribute('data-at');
      this.fill(node, message);
      node.setAttribute('data-edited', '');
      node.querySelector('.seshat-meta').appendChild(document.createTextNode(' \u00b7 ' + this.t('edited')));
    } else {
      var sending = this.outbox[0];
      // Our own message, come by the stream before the POST's answer.
      if (from === 'visitor' && sending && sending.inFlight && sending.text.replace(/\r\n/g, '\n') === message.text) {
        node = sending.node;
        sending.seq = message.seq;
      } else {
        node = el('div', { 'class': 'seshat-message', 'data-from': from });
      }
      node.removeAttribute('data-pending');
      node.setAttribute('data-seq', String(message.seq));
      if (message.at) node.setAttribute('data-at', message.at);
      this.fill(node, message);
      this.place(node, message.seq);
    }
    this.save();
    this.scrollToEnd();
    this.updateUnread();
  };

  Widget.prototype.setStatus = function (status) {
    if (!this.chat || !/^(waiting|open|closed)$/.test(status)) return;
    var changed = this.chat.status !== status;
    this.chat.status = status;
    this.root.setAttribute('data-seshat-status', status);
    var line = status === 'waiting' && this.position > 0 ? this.t('position', { n: this.position })
      : status === 'open' && this.operatorName ? this.t('openWith', { name: this.operatorName })
      : this.t(status);
    if (this.stateText.textContent !== line) this.stateText.textContent = line;
    var closed = status === 'closed';
    this.input.disabled = closed;
    this.sendButton.disabled = closed;
    this.compose.hidden = closed;
    this.actions.hidden = closed;
    this.after.hidden = !closed;
    if (closed) {
      this.stopTransport();
      this.showTyping(null);
      this.failAll();
      if (changed) {
        this.after.insertBefore(this.emailBox, this.newButton);
        this.emailBox.hidden = false;
        this.after.insertBefore(this.transcriptButton, this.newButton);
        var focus = document.activeElement;
        if (this.isShown() && (!focus || focus === document.body || this.panel.contains(focus))) this.newButton.focus();
      }
    }
    if (changed) this.save();
  };

  Widget.prototype.send = function () {
    var text = this.input.value;
    if (!this.chat || this.chat.status === 'closed' || !text.trim()) return;
    this.input.value = '';
    this.fitInput();
    this.queue(text, newId());
    this.typing(false);
    this.input.focus();
  };

  Widget.prototype.queue = function (text, id) {
    var node = el('div', { 'class': 'seshat-message', 'data-from': 'visitor', 'data-pending': true, 'data-client-id': id });
    this.fill(node, { text: text });
    node.appendChild(el('span', { 'class': 'seshat-sending' }, this.t('sending')));
    this.log.appendChild(node);
    this.scrollToEnd();
    this.outbox.push({ id: id, text: text, node: node, tries: 0 });
    this.saveOutbox();
    this.pump();
  };

  Widget.prototype.saveOutbox = function () {
    write('sessionStorage', this.outboxKey, this.outbox.length ? this.outbox.map(function (item) {
      return { id: item.id, text: item.text };
    }) : null);
  };
  // One send at a time, in order; each retried with its client_id until answered.
  Widget.prototype.pump = function () {
    var self = this;
    var chat = this.chat;
    var item = this.outbox[0];
    if (!chat || !item || item.inFlight || item.failed || item.waiting) return;
    item.inFlight = true;
    // Sent by the tab that holds the stream: the stream leaves it out, so the others hear it here.
    item.stream = this.source ? this.streamName : undefined;
    this.call('POST', '/chats/' + chat.id + '/messages', { text: item.text, client_id: item.id, stream: item.stream }, chat.token)
      .then(function (reply) {
        item.inFlight = false;
        if (self.chat !== chat) return;
        if (reply.status === 202 && reply.body) return self.sent(item, reply.body.seq);
        if (refused(reply.status)) { self.lost(); return; }
        if (reply.status === 429 || reply.status >= 500) return self.again(item, errorText(reply));
        self.outbox.shift();
        self.saveOutbox();
        self.markFailed(item, errorText(reply, self.t('notSent')));
        if (reply.status === 409) { self.setStatus('closed'); self.fetchAll(); return; }
        self.pump();
      }, function () {
        item.inFlight = false;
        if (self.chat === chat) self.again(item);
      });
  };

  Widget.prototype.again = function (item, why) {
    var self = this;
    if (item.seq) return this.sent(item, item.seq);
    if (++item.tries >= SEND_TRIES) {
      item.failed = true;
      this.markFailed(item, why || this.t('notSent'));
      return;
    }
    item.waiting = true;
    delay(Math.min(500 * Math.pow(2, item.tries), MAX_BACKOFF_MS)).then(function () {
      item.waiting = false;
      self.pump();
    });
  };

  Widget.prototype.sent = function (item, seq) {
    this.outbox.shift();
    this.saveOutbox();
    if (item.stream) this.tell({ t: 'data', id: this.chat.id, body: { messages: [{ seq: seq, from: 'visitor', text: item.text.replace(/\r\n/g, '\n') }] } });
    var node = item.node;
    var shown = this.bySeq(seq);
    if (shown && shown !== node) {
      node.parentNode.removeChild(node);
    } else {
      this.seen.add(seq);
      node.removeAttribute('data-pending');
      node.setAttribute('data-seq', String(seq));
      var sending = node.querySelector('.seshat-sending');
      if (sending) node.removeChild(sending);
      this.place(node, seq);
    }
    this.pump();
  };

  Widget.prototype.markFailed = function (item, why) {
    var node = item.node;
    item.failed = true;
    node.removeAttribute('data-pending');
    node.setAttribute('data-failed', '');
    var status = node.querySelector('.seshat-sending') || node.appendChild(el('span', { 'class': 'seshat-sending' }));
    while (status.firstChild) status.removeChild(status.firstChild);
    status.appendChild(document.createTextNode(why + ' '));
    if (this.chat && this.chat.status !== 'closed') {
      status.appendChild(el('button', { type: 'button', 'class': 'seshat-link', 'data-seshat-retry': true }, this.t('retry')));
    }
    node.item = item;
  };
  Widget.prototype.retry = function (node) {
    var item = node ? node.item : this.outbox[0];
    if (!item || !item.failed || !this.chat || this.chat.status === 'closed') return;
    item.failed = false;
    item.tries = 0;
    item.node.querySelector('.seshat-sending').textContent = this.t('sending');
    item.node.removeAttribute('data-failed');
    item.node.setAttribute('data-pending', '');
    if (this.outbox.indexOf(item) < 0) { this.outbox.push(item); this.saveOutbox(); }
    this.pump();
  };
  Widget.prototype.failAll = function () {
    var self = this;
    this.outbox.forEach(function (item) { if (!item.inFlight) self.markFailed(item, self.t('notSent')); });
    this.outbox = this.outbox.filter(function (item) { return item.inFlight; });
    this.saveOutbox();
  };
  // Only to a server that showed the rest of that API (operator, position, typing).
  Widget.prototype.typing = function (on) {
    var self = this;
    if (!this.rich || !this.chat || this.chat.status === 'closed') return;
    clearTimeout(this.typingTimer);
    if (on) this.typingTimer = setTimeout(function () { self.typing(false); }, 5000);
    if (on === !!this.typingSent) return;
    this.typingSent = on;
    this.call('POST', '/chats/' + this.chat.id + '/typing', { typing: on }, this.chat.token).catch(function () {});
  };

  Widget.prototype.showTyping = function (body) {
    var self = this;
    clearTimeout(this.typingShown);
    var on = !!(body && body.typing);
    this.typingLine.hidden = !on;
    this.typingLine.textContent = on ? this.t('typing', { name: body.name || this.operatorName || this.t('support') }) : '';
    if (on) this.typingShown = setTimeout(function () { self.showTyping(null); }, 30000);
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
        self.fetchAll();
        self.setStatus('closed');
        return;
      }
      if (refused(reply.status)) { self.lost(); return; }
      self.say(errorText(reply, self.t('failed')));
    }, function () {
      self.closeButton.disabled = false;
      self.say(self.t('failed'));
    });
  };

  Widget.prototype.mailTranscript = function () {
    var self = this;
    var chat = this.chat;
    var email = this.emailInput.value.trim();
    if (!chat) return;
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
      this.afterNotice.textContent = this.t('needEmail');
      this.emailInput.focus();
      return;
    }
    this.transcriptButton.disabled = true;
    this.call('POST', '/chats/' + chat.id + '/transcript', { email: email }, chat.token).then(function (reply) {
      self.transcriptButton.disabled = false;
      self.afterNotice.textContent = reply.status === 202 ? self.t('transcriptSent', { email: email })
        : reply.status === 404 || reply.status === 405 ? self.t('noTranscript')
        : errorText(reply, self.t('noTranscript'));
    }, function () {
      self.transcriptButton.disabled = false;
      self.afterNotice.textContent = self.t('failed');
    });
  };
  Widget.prototype.reset = function (heard) {
    if (!heard && this.chat) this.tell({ t: 'reset', id: this.chat.id });
    this.stopTransport();
    this.forget();
    this.chat = null;
    this.outbox = [];
    this.clearLog();
    this.say('');
    this.afterNotice.textContent = '';
    this.position = 0;
    this.operatorName = '';
    this.showStartForm();
    this.checkAvailability();
    if (!heard && this.isShown()) this.nameInput.focus();
  };

  Widget.prototype.stopTransport = function () {
    this.generation++;
    if (this.source) { this.source.close(); this.source = null; }
  };

  Widget.prototype.connect = function () {
    this.stopTransport();
    if (!this.leader || !this.chat || this.chat.status === 'closed') return;
    if (this.sseBroken) this.poll(this.generation); else this.listen();
  };

  Widget.prototype.listen = function () {
    var self = this;
    var chat = this.chat;
    var generation = this.generation;
    var url = this.api + '/chats/' + chat.id + '/events?token=' + encodeURIComponent(chat.token) +
      '&after=' + chat.seq + '&stream=' + this.streamName;
    var source = this.source = new EventSource(url);
    function on(handle) {
      return function (event) {
        if (generation !== self.generation) return;
        var data;
        try { data = JSON.parse(event.data); } catch (ignored) { return; }
        handle(data);
      };
    }
    source.onopen = function () { self.sseErrors = 0; self.say(''); };
    source.onmessage = on(function (message) { self.apply({ messages: [message] }); });
    source.addEventListener('status', on(function (status) { self.apply(status); }));
    source.addEventListener('typing', on(function (typing) {
      self.rich = true;
      self.showTyping(typing);
      self.tell({ t: 'typing', id: chat.id, body: typing });
    }));
    source.onerror = function () {
      if (generation !== self.generation) return;
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
        if (refused(reply.status)) {
          self.lost();
          return undefined;
        }
        return retry();
      }, function () {
        if (generation !== self.generation) return undefined;
        self.say(self.t('lost'));
        return retry();
      });
    }
    function retry() {
      backoff = Math.min(backoff ? backoff * 2 : 1000, MAX_BACKOFF_MS);
      return delay(backoff).then(round);
    }
    round();
  };

  function mount() {
    var root = document.querySelector('[data-seshat]');
    if (!root) {
      root = el('div', { 'data-seshat': true });
      document.body.appendChild(root);
    }
    if (root.hasAttribute('data-seshat-mounted')) return;
    root.setAttribute('data-seshat-mounted', '');
    ensureStylesheet(baseUrl(root));
    root.seshat = new Widget(root);
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', mount);
  } else {
    mount();
  }
})();
