/* Drag-and-drop reordering of an assortment's items.
 *
 * SortableJS fires an "end" event on the list when an item is dropped; the
 * list's hx-trigger="end" then posts the enrollments in their new order and
 * htmx swaps in the refreshed list. The up/down buttons do the same without
 * a mouse; focus is put back on the button that was pressed.
 */
(function () {
  "use strict";

  function initSortables(root) {
    var lists = [];
    if (root.matches && root.matches(".sortable")) lists.push(root);
    if (root.querySelectorAll) lists = lists.concat(Array.from(root.querySelectorAll(".sortable")));
    lists.forEach(function (list) {
      if (list.dataset.sortableReady) return;
      list.dataset.sortableReady = "true";
      var sortable = new Sortable(list, {
        animation: 150,
        handle: ".drag-handle",
        draggable: ".assortment-item",
        ghostClass: "dragging",
        // No second drag while the first order is on its way.
        onEnd: function () { sortable.option("disabled", true); }
      });
      list.addEventListener("htmx:afterRequest", function () { sortable.option("disabled", false); });
    });
  }

  htmx.onLoad(initSortables);

  var focusedId = null;
  var itemCount = 0;
  function countItems() {
    return document.querySelectorAll("#assortment-items .assortment-item").length;
  }

  document.addEventListener("htmx:beforeRequest", function () {
    var active = document.activeElement;
    focusedId = active && active.id ? active.id : null;
    itemCount = countItems();
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.target;
    if (!target || target.id !== "assortment-items") return;
    if (focusedId) {
      var element = document.getElementById(focusedId);
      if (element && element.disabled) {
        // The item reached the top or bottom: its other arrow is the next useful key.
        var other = focusedId.indexOf("move-up-") === 0
          ? focusedId.replace("move-up-", "move-down-")
          : focusedId.replace("move-down-", "move-up-");
        element = document.getElementById(other);
      }
      if (element && element.focus) element.focus();
      focusedId = null;
    }
    if (countItems() === itemCount) return;
    // An item came or went: clear the note and refresh the choices of the add form.
    var note = document.getElementById("new-item-note");
    if (note) note.value = "";
    var search = document.getElementById("enrollment-search");
    if (search) htmx.trigger(search, "search");
  });
})();
