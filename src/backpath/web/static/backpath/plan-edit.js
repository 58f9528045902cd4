/* The plan page's in-place edits (htmx swaps the plan's main region): keep the item being
   edited where it was on the screen, and give it the focus, so an edit never sends the
   clinician back to the top. When the item left the list (dropped, or added back), the next
   item in its place keeps the position. Without JavaScript, the links and forms work as
   ordinary pages. */
(function () {
  "use strict";
  var kept = null;

  function keepers(item) {
    var ids = [item.getAttribute("data-keep")];
    var next = item.nextElementSibling;
    while (next) {
      if (next.hasAttribute("data-keep")) ids.push(next.getAttribute("data-keep"));
      next = next.nextElementSibling;
    }
    var previous = item.previousElementSibling;
    while (previous) {
      if (previous.hasAttribute("data-keep")) ids.push(previous.getAttribute("data-keep"));
      previous = previous.previousElementSibling;
    }
    return ids;
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    var source = event.detail.requestConfig && event.detail.requestConfig.elt;
    var item = source && source.closest ? source.closest("[data-keep]") : null;
    kept = item ? { ids: keepers(item), top: item.getBoundingClientRect().top } : null;
  });

  document.addEventListener("htmx:afterSettle", function () {
    if (!kept) return;
    var ids = kept.ids;
    for (var i = 0; i < ids.length; i++) {
      var found = document.querySelector('[data-keep="' + ids[i] + '"]');
      if (!found) continue;
      window.scrollBy(0, found.getBoundingClientRect().top - kept.top);
      var active = document.activeElement;
      if (!active || active === document.body || !document.contains(active)) {
        var target = found.querySelector("[autofocus]") || found.querySelector("summary") || found;
        if (!target.hasAttribute("tabindex") && target === found) target.setAttribute("tabindex", "-1");
        target.focus({ preventScroll: true });
      } else if (found.contains(active)) {
        active.scrollIntoView({ block: "nearest" }); // a form just opened: its first field in view
      }
      break;
    }
    kept = null;
  });
})();
