// The presenter view: moves through the deck (deck.js), tells the server where it is so the
// projector follows, shows the next slide, the notes for this part and the clocks, and keeps
// the room's panel up to date once a second. Buttons with data-act run the room.
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("presenter-data").textContent);
  const deck = window.rpDeck;
  const nextStage = document.querySelector(".next-stage");
  const panel = document.querySelector(".live-panel");
  const status = document.querySelector(".act-status");
  const blocks = Array.from(document.querySelectorAll(".notes-block"));
  const listing = Array.from(document.querySelectorAll("[data-go]"));
  const sessionClock = document.querySelector(".session-clock");
  const partClock = document.querySelector(".part-clock");
  const partPlanned = document.querySelector(".part-planned");
  let offset = Date.parse(data.now) - Date.now(); // the server's clock minus ours
  let started = data.started ? Date.parse(data.started) : Date.now() + offset;
  let partStarted = data.part_started ? Date.parse(data.part_started) : started;
  let moved = 0; // when this view last moved the deck itself

  function show(at) {
    const next = deck.slides[at + 1];
    if (next) {
      const copy = next.cloneNode(true);
      copy.classList.add("current");
      nextStage.replaceChildren(copy);
    } else {
      const end = document.createElement("p");
      end.className = "deck-end";
      end.textContent = "The end of the deck.";
      nextStage.replaceChildren(end);
    }
    const block = String(data.blocks[at]);
    blocks.forEach(function (b) { b.hidden = b.dataset.block !== block; });
    const minutes = data.minutes[at];
    partPlanned.textContent = minutes ? " of " + minutes + " min planned" : "";
    listing.forEach(function (b) {
      if (Number(b.dataset.go) === at) b.setAttribute("aria-current", "step");
      else b.removeAttribute("aria-current");
    });
    deck.fit();
  }

  function apply(reply) {
    if (typeof reply.live === "string" && panel.dataset.seen !== reply.live) {
      panel.innerHTML = reply.live;
      panel.dataset.seen = reply.live;
    }
    if (reply.now) offset = Date.parse(reply.now) - Date.now();
    if (reply.started) started = Date.parse(reply.started);
    if (reply.part_started) partStarted = Date.parse(reply.part_started);
    // Another presenter window moved the deck: follow it, unless we just moved it ourselves.
    if (reply.deck === data.deck && reply.at !== deck.at() && Date.now() - moved > 2000) {
      deck.show(reply.at, true);
      show(reply.at);
    }
  }

  function say(message) { status.textContent = message || ""; }

  function post(action, arg, at) {
    const body = { code: data.code, deck: data.deck, at: at === undefined ? deck.at() : at,
                   action: action, arg: arg === undefined ? "" : String(arg) };
    return fetch(data.base + "presenter/act", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-XSRFToken": data.xsrf },
      body: JSON.stringify(body),
    }).then(function (response) {
      return response.json().then(function (reply) {
        if (!response.ok || reply.error) { say(reply.error || "That did not work; try again."); return null; }
        say("");
        apply(reply);
        return reply;
      });
    }).catch(function () { say("The server could not be reached; try again."); return null; });
  }

  function poll() {
    fetch(data.base + "presenter/state?code=" + encodeURIComponent(data.code),
          { credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.json(); })
      .then(function (reply) { if (reply.error) say(reply.error); else apply(reply); })
      .catch(function () { say("The server could not be reached; trying again."); })
      .finally(function () { setTimeout(poll, 1000); });
  }

  function clock(ms) {
    const s = Math.max(0, Math.floor(ms / 1000));
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
    const mm = h ? String(m).padStart(2, "0") : String(m);
    return (h ? h + ":" : "") + mm + ":" + String(r).padStart(2, "0");
  }

  function tick() {
    const now = Date.now() + offset;
    sessionClock.textContent = clock(now - started);
    partClock.textContent = clock(now - partStarted);
  }

  deck.onChange(function (at) {
    moved = Date.now();
    show(at);
    post("go", "", at);
  });
  document.addEventListener("click", function (event) {
    const button = event.target.closest("[data-act]");
    if (button && !button.disabled) {
      event.preventDefault();
      post(button.dataset.act, button.dataset.arg);
      return;
    }
    const jump = event.target.closest("[data-go]");
    if (jump) deck.show(Number(jump.dataset.go));
  });
  const form = document.querySelector(".support-form");
  if (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      const note = form.querySelector(".support-status");
      post("support", form.querySelector("textarea").value).then(function (reply) {
        if (reply) { note.textContent = "Saved. Reloading the slides…"; location.reload(); }
        else note.textContent = status.textContent;
      });
    });
  }
  deck.show(data.at, true);
  show(data.at);
  panel.dataset.seen = panel.innerHTML;
  window.addEventListener("resize", deck.fit);
  tick();
  setInterval(tick, 1000);
  setTimeout(poll, 1000);
})();
