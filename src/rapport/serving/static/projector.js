// The projector view: one slide-sized stage showing what the room sees, read from the server
// twice a second (the presenter moves it, the room's answers and timer change it).
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("projector-data").textContent);
  const stage = document.getElementById("stage");
  let last = null;

  function fit() {
    const box = stage.parentElement.getBoundingClientRect();
    const scale = Math.min(box.width / 1280, box.height / 720);
    stage.style.setProperty("--rp-scale", scale > 0 ? scale : 1);
  }

  function gone(message) {
    const section = document.createElement("section");
    section.className = "slide current";
    const body = document.createElement("div");
    body.className = "slide-body";
    const heading = document.createElement("h1");
    heading.textContent = "The room is not available";
    const text = document.createElement("p");
    text.textContent = message;
    body.append(heading, text);
    section.append(body);
    stage.replaceChildren(section);
  }

  function poll() {
    fetch(data.base + "projector/state?code=" + encodeURIComponent(data.code), { cache: "no-store" })
      .then(function (response) { return response.json(); })
      .then(function (reply) {
        if (typeof reply.html === "string") {
          if (reply.html !== last) { stage.innerHTML = reply.html; last = reply.html; }
        } else if (reply.error) {
          last = null;
          gone(reply.error);
        }
      })
      .catch(function () { /* the server is restarting or out of reach: keep the slide */ })
      .finally(function () { setTimeout(poll, 500); });
  }

  window.addEventListener("resize", fit);
  fit();
  setTimeout(poll, 500);
})();
