/* The search page's few behaviours htmx has no attribute for. No state of its own beyond one flag:
   the URL is the search, and every response renders the whole form from it.

   History: typing searches as the reader pauses, but a word typed slowly must not leave one history
   entry per pause (b, by, byt...). The first pause of a burst of typing pushes an entry; later pauses
   replace it; pressing Enter on what typing already shows adds nothing. Submitting, ticking a facet,
   paging and every link push an entry as htmx does by default. */
(function () {
  "use strict";
  var typedEntry = false;  // the current history entry was made by typing and may still be replaced

  function byTyping(detail) {
    var config = detail.requestConfig || {};
    var event = config.triggeringEvent;
    return Boolean(event && event.type === "input");
  }

  document.addEventListener("htmx:beforeHistoryUpdate", function (event) {
    var history = event.detail.history;
    var here = location.pathname + location.search;
    if (byTyping(event.detail)) {
      history.type = typedEntry ? "replace" : "push";
      typedEntry = true;
    } else {
      if (typedEntry && history.path === here) history.type = "replace";
      typedEntry = false;
    }
  });
  // Leaving the box ends a burst of typing; so does moving through history.
  document.addEventListener("focusout", function (event) {
    if (event.target && event.target.id === "q") typedEntry = false;
  });
  window.addEventListener("popstate", function () { typedEntry = false; });

  /* Filters on a phone: a <details>, closed by default (style.css keeps it open on wide screens). The
     server renders it open again after a swap if the reader had it open, so focus returns to the box
     just ticked inside it. */
  document.addEventListener("htmx:configRequest", function (event) {
    var filters = document.getElementById("filters");
    if (filters && filters.open) event.detail.headers["HX-Filters-Open"] = "true";
  });
})();
