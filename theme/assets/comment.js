/* Hide the comment link once a publicity window has closed, even when the
   site has not been rebuilt since. Each box carries its closing moment as an
   ISO timestamp with offset (data-lz-closes), computed at build time from the
   window and the site's time zone. No network, no framework. */
(function () {
  "use strict";
  var MAX_DELAY = 2147483647; // setTimeout's limit (about 24.8 days)

  function close(box) {
    var live = box.querySelectorAll("[data-lz-comment-live]");
    for (var i = 0; i < live.length; i++) live[i].hidden = true;
    var note = box.querySelector("[data-lz-comment-closed]");
    if (note) note.hidden = false;
    box.setAttribute("data-lz-state", "closed");
  }

  function watch(box) {
    var at = Date.parse(box.getAttribute("data-lz-closes"));
    if (isNaN(at)) return;
    var wait = at - Date.now();
    if (wait <= 0) {
      close(box);
      return;
    }
    box.setAttribute("data-lz-state", "open");
    // a page left open across the closing moment closes by itself
    setTimeout(function () { watch(box); }, Math.min(wait, MAX_DELAY));
  }

  function run() {
    var boxes = document.querySelectorAll("[data-lz-closes]");
    for (var i = 0; i < boxes.length; i++) watch(boxes[i]);
  }

  if (document.readyState !== "loading") run();
  else document.addEventListener("DOMContentLoaded", run);
})();
