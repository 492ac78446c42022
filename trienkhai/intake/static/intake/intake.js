// New from text: small enhancements; the page works the same without this file.
document.addEventListener("change", function (ev) {
  var box = ev.target;
  if (!box.matches || !box.matches("tbody.proposal label.keep input[type=checkbox]")) {
    return;
  }
  box.closest("tbody.proposal").classList.toggle("removed", !box.checked);
});
document.addEventListener("change", function (ev) {
  // Ticking a kind of unit switches the rule on: that is what the officer means.
  var box = ev.target;
  if (!box.matches || !box.matches("details.rule input[type=checkbox][name$='-rule_kinds']")) {
    return;
  }
  var on = box.closest("details.rule").querySelector("input[name$='-rule_on']");
  if (on && box.checked) {
    on.checked = true;
  }
});
document.addEventListener("input", function (ev) {
  // Typing into the blank row means adding that task.
  var row = ev.target.closest && ev.target.closest("tbody.proposal.extra.removed");
  if (!row || ev.target.matches("input[type=checkbox], input[type=radio]")) {
    return;
  }
  var keep = row.querySelector("label.keep input[type=checkbox]");
  if (keep) {
    keep.checked = true;
    row.classList.remove("removed");
  }
});
