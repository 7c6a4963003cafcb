/* On a phone the navigation is one row that scrolls sideways: bring the current page's entry
 * into view, so that people see where they are. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var active = document.querySelector(".nav a.active");
    var nav = active && active.parentElement;
    if (nav && nav.scrollWidth > nav.clientWidth) {
      nav.scrollLeft = active.offsetLeft - (nav.clientWidth - active.offsetWidth) / 2;
    }
  });
})();
