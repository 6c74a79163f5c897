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
  var STORAGE_KEY = "nuget-assistant.v2";
  var OLD_STORAGE_KEY = "nuget-assistant.v1"; // localStorage, shared by every later visitor
  var MAX_KEPT_MESSAGES = 200;
  var MAX_MESSAGE_CHARS = 4000;
  var REPLY_TIMEOUT_MS = 20000;
  var IDLE_EXPIRY_MS = 30 * 60 * 1000;
  var INPUT_MAX_HEIGHT = 120; // px, as widget.css's max-height
  // A support request's reference, as the account backend makes them (NGS- and 8 hex digits).
  var REFERENCE = /\bNGS-[0-9A-F]{8}\b/;
  var COPIED_SHOWN_MS = 2000;
  var SMALL_SCREEN = window.matchMedia("(max-width: 600px)"); // as widget.css: full-screen panel

  // ---- persistence: per browser tab (sessionStorage), forgotten after IDLE_EXPIRY_MS ----
  // The transcript holds what the user typed (addresses, usernames, support references), so on
  // a shared computer it must not outlive the tab, nor a tab left idle.

  // sessionId and sessionProof come from the server: the proof is what lets this tab, and
  // only a holder of it, rejoin the conversation after a reload (see
  // rasa_plugins/channels/socket_sessions.py).
  function freshState() {
    return {
      sessionId: null,
      sessionProof: null,
      messages: [],
      open: false,
      turn: 0,
      savedAt: Date.now(),
    };
  }

  function isExpired(saved) {
    return !(saved.savedAt > Date.now() - IDLE_EXPIRY_MS);
  }

  function loadState() {
    try {
      window.localStorage.removeItem(OLD_STORAGE_KEY);
    } catch (e) {
      /* storage disabled: nothing was kept there either */
    }
    try {
      var saved = JSON.parse(window.sessionStorage.getItem(STORAGE_KEY) || "null");
      if (saved && Array.isArray(saved.messages) && !isExpired(saved)) return saved;
    } catch (e) {
      /* unreadable storage: start over */
    }
    return freshState();
  }

  function saveState() {
    state.messages = state.messages.slice(-MAX_KEPT_MESSAGES);
    state.savedAt = Date.now();
    try {
      window.sessionStorage.setItem(STORAGE_KEY, JSON.stringify(state));
    } catch (e) {
      /* storage full or disabled: the conversation still works, it just won't survive a reload */
    }
  }

  function forgetState() {
    try {
      window.sessionStorage.removeItem(STORAGE_KEY);
    } catch (e) {
      /* nothing to forget */
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

  function button(className, text) {
    var node = el("button", className, text);
    node.type = "button";
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
  var launcher = button("nga-launcher", "Need help with your account?");
  launcher.setAttribute("aria-expanded", "false");
  launcher.setAttribute("aria-controls", "nga-panel");
  var panel = el("section", "nga-panel");
  panel.id = "nga-panel";
  panel.setAttribute("aria-label", "NuGet account assistant");
  panel.hidden = true;

  var header = el("header", "nga-header");
  header.appendChild(el("span", "nga-title", "NuGet account assistant"));
  var close = button("nga-close", "\u00d7");
  close.setAttribute("aria-label", "Close the assistant");
  header.appendChild(close);

  // Says how long the chat is kept, next to the way to end it now.
  var notice = el("div", "nga-notice");
  notice.appendChild(
    el(
      "p",
      null,
      "This chat is kept in this browser tab until you end it, close the tab, or leave it " +
        "for 30 minutes."
    )
  );
  var endChat = button("nga-end", "End chat and clear");
  notice.appendChild(endChat);

  // Asked before a chat holding a support reference is cleared: the reference would be gone.
  var confirmBox = el("div", "nga-confirm");
  confirmBox.setAttribute("role", "alertdialog");
  confirmBox.setAttribute("aria-labelledby", "nga-confirm-text");
  confirmBox.hidden = true;
  var confirmText = el("p");
  confirmText.id = "nga-confirm-text";
  var confirmCopy = button("nga-confirm-copy", "Copy reference");
  var confirmClear = button("nga-confirm-clear", "End and clear");
  var confirmKeep = button("nga-confirm-keep", "Keep the chat");
  var confirmActions = el("div", "nga-confirm-actions");
  [confirmCopy, confirmClear, confirmKeep].forEach(function (node) {
    confirmActions.appendChild(node);
  });
  confirmBox.appendChild(confirmText);
  confirmBox.appendChild(confirmActions);

  var status = el("div", "nga-status");
  status.setAttribute("role", "status");
  // Screen-reader-only announcements (the typing indicator): a live region that stays in the
  // accessibility tree, as a region that appears with its text is often not read out.
  var announcer = el("div", "nga-sr-only");
  announcer.setAttribute("role", "status");
  var log = el("div", "nga-log");
  log.setAttribute("role", "log");
  log.setAttribute("aria-live", "polite");
  log.setAttribute("aria-label", "Conversation");
  log.tabIndex = 0; // keyboard users can scroll it
  var typing = el("div", "nga-typing");
  typing.setAttribute("aria-hidden", "true"); // the announcer speaks for it
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

  [header, notice, confirmBox, status, announcer, log, typing, form].forEach(function (part) {
    panel.appendChild(part);
  });
  root.appendChild(panel);
  root.appendChild(launcher);

  var intro =
    "Hi! I help with nuget.org account problems: signing in, passwords, linked Microsoft " +
    "accounts, organizations, usernames and deleting an account. What's going on?";

  // ---- buttons: only the latest question's are live ----
  // An old "Skip" pressed three steps later would be read as an answer to the current
  // question, so a group goes dead once it is answered or a newer reply has arrived.

  function latestBotTurn() {
    for (var j = state.messages.length - 1; j >= 0; j--) {
      if (state.messages[j].from === "bot") return state.messages[j].turn;
    }
    return -1;
  }

  function isLive(message) {
    return !message.answered && message.turn === latestBotTurn();
  }

  function disableGroup(group) {
    Array.prototype.forEach.call(group.querySelectorAll("button"), function (b) {
      b.disabled = true;
    });
  }

  function disableOlderButtons(turn) {
    Array.prototype.forEach.call(log.querySelectorAll(".nga-buttons"), function (group) {
      if (Number(group.dataset.turn) < turn) disableGroup(group);
    });
  }

  function renderButtons(message, index) {
    var group = el("div", "nga-buttons");
    group.dataset.turn = String(message.turn);
    var live = isLive(message);
    message.buttons.forEach(function (choice) {
      var node = button("nga-button", choice.title);
      node.disabled = !live;
      node.addEventListener("click", function () {
        state.messages[index].answered = true;
        disableGroup(group);
        focusReplyWhenItComes = true;
        log.focus({ preventScroll: true }); // the pressed button is gone: stay in the panel
        sendToBot(choice.payload, choice.title);
      });
      group.appendChild(node);
    });
    return group;
  }

  // ---- support references: copied with one press ----

  function referenceIn(message) {
    var found = message.from === "bot" && REFERENCE.exec(message.text || "");
    return found ? found[0] : null;
  }

  // The newest reference the bot gave in this chat, if any.
  function heldReference() {
    for (var j = state.messages.length - 1; j >= 0; j--) {
      var found = referenceIn(state.messages[j]);
      if (found) return found;
    }
    return null;
  }

  // For pages where the clipboard API is missing or refused (older browsers, plain http).
  function copyBySelection(text) {
    var area = el("textarea", "nga-copy-source");
    area.value = text;
    area.setAttribute("readonly", "");
    area.setAttribute("aria-hidden", "true");
    root.appendChild(area);
    area.select();
    var copied = false;
    try {
      copied = document.execCommand("copy");
    } catch (e) {
      copied = false;
    }
    root.removeChild(area);
    return copied;
  }

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).then(
        function () {
          return true;
        },
        function () {
          return copyBySelection(text);
        }
      );
    }
    return Promise.resolve(copyBySelection(text));
  }

  // Copies `reference`; says the outcome to screen readers, and on the button for a moment.
  function copyReference(reference, control) {
    var label = control.textContent;
    copyText(reference).then(function (copied) {
      announcer.textContent = copied
        ? "Reference " + reference + " copied."
        : "Could not copy. The reference is " + reference + ".";
      if (!copied) return;
      control.textContent = "Copied";
      setTimeout(function () {
        control.textContent = label;
      }, COPIED_SHOWN_MS);
    });
  }

  function renderReferenceTools(reference) {
    var tools = el("div", "nga-tools");
    var copy = button("nga-copy", "Copy reference");
    copy.setAttribute("aria-label", "Copy reference " + reference);
    copy.addEventListener("click", function () {
      copyReference(reference, copy);
    });
    tools.appendChild(copy);
    return tools;
  }

  // ---- messages ----

  function renderMessage(message, index) {
    var bubble = el("div", "nga-msg nga-" + message.from);
    bubble.dataset.turn = String(message.turn);
    if (message.from === "bot") appendRichText(bubble, message.text);
    else bubble.textContent = message.text;
    log.appendChild(bubble);
    if (message.buttons && message.buttons.length) log.appendChild(renderButtons(message, index));
    var reference = referenceIn(message);
    if (reference) log.appendChild(renderReferenceTools(reference));
    return bubble;
  }

  function renderAll() {
    log.textContent = "";
    log.appendChild(el("div", "nga-msg nga-bot nga-intro", intro));
    state.messages.forEach(renderMessage);
  }

  function addMessage(message) {
    state.messages.push(message);
    saveState();
    return renderMessage(message, state.messages.length - 1);
  }

  // ---- scrolling: show the start of the answer, not the end of it ----

  function scrollToBubble(bubble) {
    // The log is the bubbles' offsetParent (position: relative); 8 px of the log's padding stay.
    log.scrollTop = Math.max(0, bubble.offsetTop - 8);
  }

  function scrollToEnd() {
    log.scrollTop = log.scrollHeight;
  }

  // After a reload or on reopening: the question waiting for an answer, else the latest reply.
  function landOnPending() {
    var groups = log.querySelectorAll(".nga-buttons");
    var lastGroup = groups[groups.length - 1];
    if (lastGroup && lastGroup.querySelector("button:enabled")) {
      scrollToBubble(lastGroup.previousElementSibling);
      return;
    }
    var turn = String(latestBotTurn());
    var first = log.querySelector('.nga-bot[data-turn="' + turn + '"]');
    if (first && turn !== "-1") scrollToBubble(first);
    else scrollToEnd();
  }

  // ---- opening and closing ----

  // On a small screen the panel covers the page: the page behind leaves the tab order.
  var madeInert = [];

  function syncPageInert() {
    var cover = state.open && SMALL_SCREEN.matches;
    document.documentElement.classList.toggle("nga-covering", cover);
    madeInert.forEach(function (node) {
      node.inert = false;
    });
    madeInert = [];
    if (!cover) return;
    Array.prototype.forEach.call(document.body.children, function (child) {
      if (child === root || child.inert) return; // what the host page made inert stays so
      child.inert = true;
      madeInert.push(child);
    });
  }

  function setOpen(open, byUser) {
    state.open = open;
    saveState();
    panel.hidden = !open;
    launcher.hidden = open;
    launcher.setAttribute("aria-expanded", String(open));
    syncPageInert();
    if (open) {
      connect();
      landOnPending();
      if (byUser) input.focus({ preventScroll: true });
    } else if (byUser) {
      launcher.focus();
    }
  }

  // ---- typing indicator: shown from a send until the bot answers (or gives up) ----

  var replyTimer = null;

  function waitForReply() {
    typing.hidden = false;
    announcer.textContent = "The assistant is typing\u2026";
    clearTimeout(replyTimer);
    replyTimer = setTimeout(function () {
      typing.hidden = true;
      announcer.textContent = "";
      status.textContent = "The assistant is taking too long to answer. Please try again.";
    }, REPLY_TIMEOUT_MS);
  }

  function replyArrived() {
    clearTimeout(replyTimer);
    typing.hidden = true;
    announcer.textContent = "";
    status.textContent = "";
  }

  // ---- replies ----

  var firstOfTurn = null; // the first bubble of the reply now arriving
  var focusReplyWhenItComes = false; // after a button press

  function botSaid(data) {
    var buttons = (data.quick_replies || data.buttons || []).map(function (b) {
      return { title: String(b.title), payload: String(b.payload) };
    });
    var bubble = addMessage({ from: "bot", text: data.text, buttons: buttons, turn: state.turn });
    disableOlderButtons(state.turn);
    if (!firstOfTurn) {
      firstOfTurn = bubble;
      // Unless the user has moved on (typing, say) since pressing the button.
      var focusStayed = document.activeElement === log || document.activeElement === document.body;
      if (focusReplyWhenItComes && focusStayed) {
        bubble.tabIndex = -1;
        bubble.focus({ preventScroll: true });
      }
      focusReplyWhenItComes = false;
    }
    scrollToBubble(firstOfTurn);
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
      socket.emit("session_request", {
        session_id: state.sessionId,
        session_proof: state.sessionProof,
      });
    });
    socket.on("session_confirm", function (data) {
      confirmedSession = typeof data === "string" ? data : data && data.session_id;
      state.sessionId = confirmedSession;
      state.sessionProof = (data && data.session_proof) || null;
      saveState();
      status.textContent = "";
      while (outbox.length) emitMessage(outbox.shift());
    });
    socket.on("bot_uttered", function (data) {
      replyArrived();
      if (data && typeof data.text === "string") botSaid(data);
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
    state.turn += 1;
    firstOfTurn = null;
    addMessage({ from: "user", text: shownText, turn: state.turn });
    scrollToEnd();
    if (confirmedSession) emitMessage(payload);
    else outbox.push(payload);
  }

  // A new conversation: nothing of the old one stays in the tab or on the screen.
  function clearChat() {
    closeConfirm();
    forgetState();
    state = freshState();
    state.open = !panel.hidden;
    outbox = [];
    firstOfTurn = null;
    replyArrived();
    renderAll();
    saveState();
    if (socket) {
      confirmedSession = null;
      socket.emit("session_request", { session_id: null, session_proof: null });
    }
  }

  // ---- ending a chat that holds a support reference: asked first ----

  var confirmedReference = null;

  function askBeforeClearing(reference) {
    confirmedReference = reference;
    confirmText.textContent = "This chat holds your support request's reference ";
    confirmText.appendChild(el("span", "nga-ref", reference)); // kept on one line
    confirmText.appendChild(
      document.createTextNode(
        ". Ending it clears the reference from this tab. Copy it first if you still need it."
      )
    );
    confirmBox.hidden = false;
    confirmKeep.focus(); // the choice that loses nothing
  }

  function closeConfirm() {
    confirmBox.hidden = true;
    confirmedReference = null;
  }

  function endAndClear() {
    clearChat();
    announcer.textContent = "The chat was ended and cleared.";
    input.focus();
  }

  function expireIfIdle() {
    if (state.messages.length && isExpired(state)) {
      clearChat();
      announcer.textContent = "The chat was cleared after 30 minutes without activity.";
    }
  }

  // ---- the input grows with its text, up to INPUT_MAX_HEIGHT ----

  function fitInput() {
    input.style.height = "";
    if (!input.value) return; // empty: the one row of the stylesheet
    input.style.height = "auto";
    input.style.height = Math.min(input.scrollHeight + 2, INPUT_MAX_HEIGHT) + "px";
  }

  // ---- events ----

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    input.value = "";
    fitInput();
    sendToBot(text, text);
  });
  input.addEventListener("input", fitInput);
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  root.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || panel.hidden) return;
    event.preventDefault();
    if (!confirmBox.hidden) {
      closeConfirm(); // Esc answers the question "keep the chat"; the panel stays open
      endChat.focus();
      return;
    }
    setOpen(false, true);
  });
  launcher.addEventListener("click", function () {
    setOpen(true, true);
  });
  close.addEventListener("click", function () {
    setOpen(false, true);
  });
  endChat.addEventListener("click", function () {
    var reference = heldReference();
    if (reference) askBeforeClearing(reference);
    else endAndClear();
  });
  confirmCopy.addEventListener("click", function () {
    copyReference(confirmedReference, confirmCopy);
  });
  confirmClear.addEventListener("click", endAndClear);
  confirmKeep.addEventListener("click", function () {
    closeConfirm();
    endChat.focus();
  });
  SMALL_SCREEN.addEventListener("change", syncPageInert);
  setInterval(expireIfIdle, 60 * 1000);

  document.body.appendChild(root);
  renderAll();
  setOpen(Boolean(state.open), false);
})();
