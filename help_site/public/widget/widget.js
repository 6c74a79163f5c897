/*
 * The help-site chat widget of the nuget.org account assistant.
 *
 * Talks to Rasa's socket.io channel with the maintained socket.io client (vendor/socket.io.min.js).
 * Everything a user or the bot wrote is put on the page as text nodes: nothing is parsed as HTML,
 * so markup or script in a message is shown, never run. Bot texts get three safe enrichments
 * built from DOM nodes: http(s) links, `code` and line breaks.
 *
 * Host page settings (all optional), set before this script loads:
 *   window.NuGetAssistantConfig = {
 *     socketUrl: "https://assistant.example.org",  // where Rasa runs
 *     identityToken: "<signed token>",             // the signed-in user, see docs/channels/web.md
 *   };
 */
(function () {
  "use strict";

  var config = Object.assign(
    { socketUrl: "http://localhost:5005", socketPath: "/socket.io/", identityToken: null },
    window.NuGetAssistantConfig || {}
  );
  var STORAGE_KEY = "nuget-assistant.v1";
  var MAX_KEPT_MESSAGES = 200;
  var MAX_MESSAGE_CHARS = 4000;
  var REPLY_TIMEOUT_MS = 20000;

  // ---- persistence: the session id and the transcript survive a page reload ----

  function loadState() {
    try {
      var saved = JSON.parse(window.localStorage.getItem(STORAGE_KEY) || "null");
      if (saved && Array.isArray(saved.messages)) return saved;
    } catch (e) {
      /* unreadable storage: start over */
    }
    return { sessionId: null, messages: [], open: false };
  }

  function saveState() {
    state.messages = state.messages.slice(-MAX_KEPT_MESSAGES);
    try {
      window.localStorage.setItem(STORAGE_KEY, JSON.stringify(state));
    } catch (e) {
      /* storage full or disabled: the conversation still works, it just won't survive a reload */
    }
  }

  var state = loadState();

  // ---- DOM helpers ----

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // Links, `code` and line breaks; everything else stays a text node.
  var RICH = /(https?:\/\/[^\s<>"'`]+[^\s<>"'`.,;:!?)\]])|`([^`\n]+)`|(\n)/g;

  function appendRichText(parent, text) {
    var last = 0;
    var match;
    RICH.lastIndex = 0;
    while ((match = RICH.exec(text)) !== null) {
      parent.appendChild(document.createTextNode(text.slice(last, match.index)));
      if (match[1]) {
        var link = el("a", null, match[1]);
        link.href = match[1];
        link.target = "_blank";
        link.rel = "noopener noreferrer";
        parent.appendChild(link);
      } else if (match[2]) {
        parent.appendChild(el("code", null, match[2]));
      } else {
        parent.appendChild(document.createElement("br"));
      }
      last = RICH.lastIndex;
    }
    parent.appendChild(document.createTextNode(text.slice(last)));
  }

  // ---- the widget ----

  var root = el("div", "nga");
  var launcher = el("button", "nga-launcher", "Need help with your account?");
  launcher.type = "button";
  launcher.setAttribute("aria-expanded", "false");
  var panel = el("section", "nga-panel");
  panel.setAttribute("aria-label", "NuGet account assistant");
  panel.hidden = true;

  var header = el("header", "nga-header");
  header.appendChild(el("span", "nga-title", "NuGet account assistant"));
  var restart = el("button", "nga-restart", "Start over");
  restart.type = "button";
  var close = el("button", "nga-close", "\u00d7");
  close.type = "button";
  close.setAttribute("aria-label", "Close the assistant");
  header.appendChild(restart);
  header.appendChild(close);

  var status = el("div", "nga-status");
  status.setAttribute("role", "status");
  var log = el("div", "nga-log");
  log.setAttribute("role", "log");
  log.setAttribute("aria-live", "polite");
  var typing = el("div", "nga-typing");
  typing.setAttribute("aria-label", "The assistant is typing");
  typing.hidden = true;
  for (var i = 0; i < 3; i++) typing.appendChild(el("span"));

  var form = el("form", "nga-form");
  var input = el("textarea", "nga-input");
  input.rows = 1;
  input.maxLength = MAX_MESSAGE_CHARS;
  input.placeholder = "Describe your account problem\u2026";
  input.setAttribute("aria-label", "Your message");
  var send = el("button", "nga-send", "Send");
  send.type = "submit";
  form.appendChild(input);
  form.appendChild(send);

  panel.appendChild(header);
  panel.appendChild(status);
  panel.appendChild(log);
  panel.appendChild(typing);
  panel.appendChild(form);
  root.appendChild(panel);
  root.appendChild(launcher);

  var intro =
    "Hi! I help with nuget.org account problems: signing in, passwords, linked Microsoft " +
    "accounts, organizations, usernames and deleting an account. What's going on?";

  function renderMessage(message, index) {
    var bubble = el("div", "nga-msg nga-" + message.from);
    if (message.from === "bot") appendRichText(bubble, message.text);
    else bubble.textContent = message.text;
    log.appendChild(bubble);
    if (message.buttons && message.buttons.length) {
      var group = el("div", "nga-buttons");
      message.buttons.forEach(function (button) {
        var node = el("button", "nga-button", button.title);
        node.type = "button";
        node.disabled = Boolean(message.answered);
        node.addEventListener("click", function () {
          state.messages[index].answered = true;
          saveState();
          Array.prototype.forEach.call(group.children, function (b) {
            b.disabled = true;
          });
          sendToBot(button.payload, button.title);
        });
        group.appendChild(node);
      });
      log.appendChild(group);
    }
  }

  function renderAll() {
    log.textContent = "";
    log.appendChild(el("div", "nga-msg nga-bot nga-intro", intro));
    state.messages.forEach(renderMessage);
    log.scrollTop = log.scrollHeight;
  }

  function addMessage(message) {
    state.messages.push(message);
    saveState();
    renderMessage(message, state.messages.length - 1);
    log.scrollTop = log.scrollHeight;
  }

  function setOpen(open) {
    state.open = open;
    saveState();
    panel.hidden = !open;
    launcher.hidden = open;
    launcher.setAttribute("aria-expanded", String(open));
    if (open) {
      connect();
      input.focus();
    }
  }

  // ---- typing indicator: shown from a send until the bot answers (or gives up) ----

  var replyTimer = null;

  function waitForReply() {
    typing.hidden = false;
    clearTimeout(replyTimer);
    replyTimer = setTimeout(function () {
      typing.hidden = true;
      status.textContent = "The assistant is taking too long to answer. Please try again.";
    }, REPLY_TIMEOUT_MS);
  }

  function replyArrived() {
    clearTimeout(replyTimer);
    typing.hidden = true;
    status.textContent = "";
  }

  // ---- socket.io ----

  var socket = null;
  var confirmedSession = null;
  var outbox = [];

  function connect() {
    if (socket) return;
    status.textContent = "Connecting\u2026";
    socket = window.io(config.socketUrl, {
      path: config.socketPath,
      transports: ["websocket", "polling"],
    });
    socket.on("connect", function () {
      socket.emit("session_request", { session_id: state.sessionId });
    });
    socket.on("session_confirm", function (data) {
      confirmedSession = typeof data === "string" ? data : data && data.session_id;
      state.sessionId = confirmedSession;
      saveState();
      status.textContent = "";
      while (outbox.length) emitMessage(outbox.shift());
    });
    socket.on("bot_uttered", function (data) {
      replyArrived();
      if (!data || typeof data.text !== "string") return;
      var buttons = (data.quick_replies || data.buttons || []).map(function (b) {
        return { title: String(b.title), payload: String(b.payload) };
      });
      addMessage({ from: "bot", text: data.text, buttons: buttons });
    });
    socket.on("disconnect", function () {
      confirmedSession = null;
      status.textContent = "Connection lost, reconnecting\u2026";
    });
    socket.on("connect_error", function () {
      status.textContent = "Can't reach the assistant right now, retrying\u2026";
    });
  }

  function emitMessage(text) {
    var metadata = config.identityToken ? { identity_token: config.identityToken } : {};
    socket.emit("user_uttered", {
      message: text,
      session_id: confirmedSession,
      metadata: metadata,
    });
    waitForReply();
  }

  function sendToBot(payload, shownText) {
    addMessage({ from: "user", text: shownText });
    if (confirmedSession) emitMessage(payload);
    else outbox.push(payload);
  }

  // ---- events ----

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    input.value = "";
    sendToBot(text, text);
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  launcher.addEventListener("click", function () {
    setOpen(true);
  });
  close.addEventListener("click", function () {
    setOpen(false);
  });
  restart.addEventListener("click", function () {
    state = { sessionId: null, messages: [], open: true };
    saveState();
    renderAll();
    if (socket) {
      confirmedSession = null;
      socket.emit("session_request", { session_id: null });
    }
  });

  document.body.appendChild(root);
  renderAll();
  setOpen(Boolean(state.open));
})();
