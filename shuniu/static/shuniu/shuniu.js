/* Small behaviours every page may use, declared in the markup with data- attributes. The Content-Security-Policy
   allows no inline script or style, so templates carry no onchange="…", javascript: links or style="…":
   - <select data-sn-autosubmit> submits its form when changed;
   - <a data-sn-back href="fallback"> goes back in the history (or to the fallback without one);
   - <div data-sn-width="42"> gets width 42 %, also in content htmx swaps in (setting it through the CSSOM is allowed).
*/
(function () {
  "use strict";

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches("[data-sn-autosubmit]") && target.form) {
      target.form.requestSubmit();
    }
  });

  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-sn-back]");
    if (link && window.history.length > 1) {
      event.preventDefault();
      window.history.back();
    }
  });

  function applyWidths(root) {
    var elements = Array.prototype.slice.call(root.querySelectorAll("[data-sn-width]"));
    if (root.matches && root.matches("[data-sn-width]")) {
      elements.push(root);
    }
    elements.forEach(function (element) {
      var percent = Math.max(0, Math.min(100, parseFloat(element.dataset.snWidth) || 0));
      element.style.width = percent + "%";
    });
  }

  if (window.htmx) {
    window.htmx.onLoad(applyWidths);  // the page itself, then every element htmx swaps in
  } else {
    document.addEventListener("DOMContentLoaded", function () { applyWidths(document); });
  }
})();
