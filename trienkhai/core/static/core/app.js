// Small progressive enhancements; every page works without this file.
document.addEventListener("click", function (ev) {
  var t = ev.target.closest("[data-confirm]");
  if (t && !window.confirm(t.getAttribute("data-confirm"))) {
    ev.preventDefault();
  }
});
