/* Small behaviours every page may use, declared in the markup with data- attributes. The Content-Security-Policy
   allows no inline script or style, so templates carry no onchange="…", javascript: links or style="…":
   - <select data-sn-autosubmit> submits its form when changed;
   - <a data-sn-back href="fallback"> goes back in the history (or to the fallback without one);
   - <div data-sn-width="42"> gets width 42 %, also in content htmx swaps in (setting it through the CSSOM is allowed);
   - <select data-sn-lookup="/lookup/hubs.hub/"> becomes a picker (Tom Select) that asks that URL for the records
     matching what the user types (shuniu/core/lookups.py); the page holds only the options already chosen.
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

  function pickerOption(data, escape) {
    var detail = data.detail ? '<small class="text-body-secondary ms-2">' + escape(data.detail) + "</small>" : "";
    return "<div>" + escape(data.text) + detail + "</div>";
  }

  function applyPickers(root) {
    if (!window.TomSelect) {
      return;  // the plain select still works: it offers the chosen records, and the form validates what is sent
    }
    var selects = Array.prototype.slice.call(root.querySelectorAll("select[data-sn-lookup]"));
    if (root.matches && root.matches("select[data-sn-lookup]")) {
      selects.push(root);
    }
    selects.forEach(function (select) {
      if (select.tomselect) {
        return;
      }
      var none = select.dataset.snLookupNone;
      var answered = {};  // what the server answered for each text typed: value → its place in the answer
      new window.TomSelect(select, {
        valueField: "value",
        labelField: "text",
        // the server has matched (names, USCC) and ordered: show its answer to the text typed, in its order
        score: function (search) {
          var places = answered[search];
          return function (item) { return places && item.value in places ? 1 / (1 + places[item.value]) : 0; };
        },
        maxOptions: null,
        closeAfterSelect: !select.multiple,
        loadThrottle: 250,
        placeholder: select.dataset.snLookupPlaceholder,
        allowEmptyOption: false,  // nothing chosen shows the placeholder, not the empty option's dashes
        plugins: select.multiple
          ? { remove_button: { title: select.dataset.snLookupClear } }
          : { clear_button: { title: select.dataset.snLookupClear } },
        preload: "focus",
        load: function (query, callback) {
          var url = select.dataset.snLookup + "?q=" + encodeURIComponent(query);
          fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
            .then(function (response) { return response.ok ? response.json() : { results: [] }; })
            .then(function (answer) {
              answered[query] = {};
              answer.results.forEach(function (result, place) { answered[query][result.value] = place; });
              callback(answer.results);
            })
            .catch(function () { callback(); });
        },
        shouldLoad: function () { return true; },
        render: {
          option: pickerOption,
          no_results: function (data, escape) { return '<div class="no-results">' + escape(none) + "</div>"; }
        }
      });
    });
  }

  function applyAll(root) {
    applyWidths(root);
    applyPickers(root);
  }

  if (window.htmx) {
    window.htmx.onLoad(applyAll);  // the page itself, then every element htmx swaps in
  } else {
    document.addEventListener("DOMContentLoaded", function () { applyAll(document); });
  }
})();
