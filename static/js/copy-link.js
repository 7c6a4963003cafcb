/* Copy buttons of tracked links: <button class="copy-link" data-copy="URL"
 * data-copied-label="Copied">. One listener on the document, so buttons that htmx
 * swaps in later work too; loading this file twice adds nothing. */
(function () {
  "use strict";
  if (window.copyLinkReady) return;
  window.copyLinkReady = true;

  function fallbackCopy(text) {
    var field = document.createElement("textarea");
    field.value = text;
    field.setAttribute("readonly", "");
    field.style.position = "absolute";
    field.style.left = "-9999px";
    document.body.appendChild(field);
    field.select();
    try { document.execCommand("copy"); } finally { document.body.removeChild(field); }
  }

  function confirm(button) {
    var label = button.textContent;
    button.textContent = button.dataset.copiedLabel || "✓";
    setTimeout(function () { button.textContent = label; }, 1500);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button.copy-link") : null;
    if (!button) return;
    event.preventDefault();
    var text = button.dataset.copy;
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { confirm(button); },
        function () { fallbackCopy(text); confirm(button); });
    } else {
      fallbackCopy(text);
      confirm(button);
    }
  });
})();
