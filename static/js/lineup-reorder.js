/* Drag and drop of lineup slots: SortableJS moves the rows, then the form's
 * hx-trigger="end" posts the slot ids in their new order and htmx swaps in
 * the refreshed lineup (with its warnings). */
(function () {
  "use strict";
  htmx.onLoad(function (root) {
    var lists = root.querySelectorAll ? root.querySelectorAll("ol.lineup.sortable") : [];
    Array.prototype.forEach.call(lists, function (list) {
      if (list.dataset.sortableReady) return;
      list.dataset.sortableReady = "true";
      new Sortable(list, {
        animation: 150,
        handle: ".drag-handle",
        onEnd: function () { htmx.trigger(list.closest("form"), "end"); }
      });
    });
  });
})();
