/* Render the formulas of pymdownx.arithmatex (generic mode) with the KaTeX
 * vendored under docs/assets/katex/: no network is needed to read the docs.
 *
 * arithmatex wraps inline maths as <span class="arithmatex">\( ... \)</span>
 * and display maths as <div class="arithmatex">\[ ... \]</div>. Only those
 * elements are rendered, so a dollar sign elsewhere on a page stays text.
 * A formula KaTeX cannot parse is left as source and reported on the console
 * ("KaTeX auto-render: Failed to parse ..."), which tests/test_docs_site.py
 * treats as a failure.
 */
(function () {
  "use strict";

  var options = {
    delimiters: [
      { left: "\\(", right: "\\)", display: false },
      { left: "\\[", right: "\\]", display: true },
    ],
    throwOnError: true,
    strict: "ignore",
  };

  function render(root) {
    var nodes = (root || document).querySelectorAll(".arithmatex");
    for (var i = 0; i < nodes.length; i++) {
      renderMathInElement(nodes[i], options);
    }
  }

  if (typeof document$ !== "undefined") {
    // Material for MkDocs: also re-render after instant navigation.
    document$.subscribe(function () { render(document); });
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { render(document); });
  } else {
    render(document);
  }
})();
