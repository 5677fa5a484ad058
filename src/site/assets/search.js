// Filters the rule index as the reader types: every word must appear in a rule's code,
// name, summary or other linters' codes. Topics with no match are hidden.
(function () {
  "use strict";
  var input = document.getElementById("search");
  var none = document.getElementById("no-match");
  if (!input) { return; }
  function filter() {
    var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    var shown = 0;
    document.querySelectorAll("section.topic").forEach(function (section) {
      var inSection = 0;
      section.querySelectorAll("tr.rule").forEach(function (row) {
        var text = row.getAttribute("data-search");
        var match = words.every(function (w) { return text.indexOf(w) !== -1; });
        row.hidden = !match;
        if (match) { inSection += 1; }
      });
      section.hidden = inSection === 0;
      shown += inSection;
    });
    none.hidden = shown !== 0;
  }
  input.addEventListener("input", filter);
  filter();
})();
