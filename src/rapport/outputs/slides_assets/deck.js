// Rapport's slides: one slide at a time, moved by the keyboard or the two buttons, scaled to
// fit the window. The presenter view listens to window.rpDeck to follow and to report moves.
(function () {
  "use strict";
  const stage = document.querySelector(".deck-stage");
  const slides = stage ? Array.from(stage.querySelectorAll(":scope > .slide")) : [];
  const where = document.querySelector(".deck-where");
  const listeners = [];
  let at = 0;
  let typed = "";

  function show(n, quiet) {
    n = Math.max(0, Math.min(slides.length - 1, n));
    if (!slides.length) return;
    slides[at].classList.remove("current");
    at = n;
    slides[at].classList.add("current");
    if (where) where.textContent = (at + 1) + " / " + slides.length;
    if (!quiet) listeners.forEach(function (listen) { listen(at); });
  }

  function fit() {
    document.querySelectorAll(".deck-stage").forEach(function (stage) {
      const box = stage.parentElement.getBoundingClientRect();
      const scale = Math.min(box.width / 1280, box.height / 720);
      stage.style.setProperty("--rp-scale", scale > 0 ? scale : 1);
    });
  }

  function key(event) {
    const target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) {
      return;
    }
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const k = event.key;
    if (/^[0-9]$/.test(k)) { typed = (typed + k).slice(-3); return; }
    if (k === "Enter" && typed) { show(parseInt(typed, 10) - 1); typed = ""; event.preventDefault(); return; }
    if (k === "Escape") { typed = ""; return; }
    if (target && target.tagName === "BUTTON" && (k === " " || k === "Enter")) return;
    let next = null;
    if (k === "ArrowRight" || k === "ArrowDown" || k === "PageDown" || k === " ") next = at + 1;
    else if (k === "ArrowLeft" || k === "ArrowUp" || k === "PageUp") next = at - 1;
    else if (k === "Home") next = 0;
    else if (k === "End") next = slides.length - 1;
    if (next === null) return;
    typed = "";
    event.preventDefault();
    show(next);
  }

  document.addEventListener("keydown", key);
  const prev = document.querySelector(".deck-prev");
  const nextButton = document.querySelector(".deck-next");
  if (prev) prev.addEventListener("click", function () { show(at - 1); });
  if (nextButton) nextButton.addEventListener("click", function () { show(at + 1); });
  window.addEventListener("resize", fit);
  fit();
  const start = parseInt((location.hash || "").slice(1), 10);
  if (start > 0) show(start - 1, true);

  window.rpDeck = {
    slides: slides,
    show: show,
    fit: fit,
    at: function () { return at; },
    onChange: function (listen) { listeners.push(listen); },
  };
})();
