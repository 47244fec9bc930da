/* 预审工作台: keyboard shortcuts and the evidence highlight. No library, no network. */
(function () {
  "use strict";
  var $ = function (sel, root) { return (root || document).querySelector(sel); };
  var $$ = function (sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); };

  function typing(e) {
    var t = e.target;
    return t && (t.tagName === "TEXTAREA" || t.tagName === "SELECT" ||
      (t.tagName === "INPUT" && !/^(radio|checkbox|button|submit)$/.test(t.type)));
  }

  // ---------------------------------------------------------------- help
  var help = $("#help");
  function toggleHelp(show) { if (help) help.hidden = show === undefined ? !help.hidden : !show; }
  $$("[data-help]").forEach(function (b) { b.addEventListener("click", function () { toggleHelp(true); }); });
  $$("[data-help-close]").forEach(function (b) { b.addEventListener("click", function () { toggleHelp(false); }); });
  if (help) help.addEventListener("click", function (e) { if (e.target === help) toggleHelp(false); });

  // ---------------------------------------------------------------- queue
  var rows = $$("table[data-queue] tr[data-href]");
  var row = 0;
  rows.forEach(function (r, i) {
    r.addEventListener("click", function (e) { if (e.target.tagName !== "A") location.href = r.dataset.href; });
  });
  function selectRow(i) {
    if (!rows.length) return;
    row = Math.max(0, Math.min(rows.length - 1, i));
    rows.forEach(function (r, j) { r.classList.toggle("selected", j === row); });
    rows[row].scrollIntoView({ block: "nearest" });
  }

  // ---------------------------------------------------------------- submission
  var findings = $$(".finding[data-finding]");
  var current = -1;
  var decisionForm = $("#decision");

  function showFinding(index, scroll) {
    $$("rect.box.active").forEach(function (b) { b.classList.remove("active"); });
    $$(".finding.current").forEach(function (f) { f.classList.remove("current"); });
    $$("table.kv tr.current").forEach(function (r) { r.classList.remove("current"); });
    var f = $('.finding[data-finding="' + index + '"]');
    if (!f) return;
    f.classList.add("current");
    current = findings.indexOf(f);
    if (scroll !== false) f.scrollIntoView({ block: "nearest" });
    var boxes = $$('rect.box[data-finding="' + index + '"]');
    boxes.forEach(function (b) { b.classList.add("active"); });
    var target = boxes.length ? boxes[0].closest(".doc") : null;
    if (!target && $("#dup-" + index)) target = $("#dup-" + index);
    $$("table.kv tr[data-findings]").forEach(function (r) {
      if ((" " + r.dataset.findings + " ").indexOf(" " + index + " ") >= 0) {
        r.classList.add("current");
        if (!target) target = r;
      }
    });
    if (target) target.scrollIntoView({ block: "center" });
  }

  function step(d) {
    if (!findings.length) return;
    var next = current < 0 ? 0 : Math.max(0, Math.min(findings.length - 1, current + d));
    showFinding(findings[next].dataset.finding);
  }

  // a code's reason box follows the verdicts: unticked once every finding of it is a false positive
  function syncReason(code) {
    var box = $('fieldset.reasons input[value="' + code + '"]');
    if (!box) return;
    var all = $$('.finding[data-code="' + code + '"]');
    var fp = all.filter(function (f) { var r = $('input[value="false_positive"]', f); return r && r.checked; });
    var chosen = $('input[name="decision"]:checked');
    if (chosen && chosen.value === "approved") return;
    box.checked = fp.length < all.length;
  }

  function mark(verdict) {
    if (current < 0) step(1);
    var f = findings[current];
    if (!f) return;
    var radio = $('input[value="' + verdict + '"]', f);
    radio.checked = true;
    radio.dispatchEvent(new Event("change", { bubbles: true }));
  }

  findings.forEach(function (f) {
    f.addEventListener("click", function (e) {
      if (e.target.closest("label, a, button")) return;
      showFinding(f.dataset.finding, false);
    });
    $$('input[type="radio"]', f).forEach(function (r) {
      r.addEventListener("change", function () {
        f.classList.toggle("fp", $('input[value="false_positive"]', f).checked);
        syncReason(f.dataset.code);
      });
    });
  });
  $$("[data-show]").forEach(function (el) {
    el.addEventListener("click", function (e) { e.preventDefault(); showFinding(el.dataset.show); });
  });

  var prefilled = $$("fieldset.reasons input[data-prefilled]");
  function choose(value) {
    var r = $('input[name="decision"][value="' + value + '"]');
    if (!r) return;
    r.checked = true;
    r.dispatchEvent(new Event("change", { bubbles: true }));
    $("#submit-decision").focus();
  }
  $$('input[name="decision"]').forEach(function (r) {
    r.addEventListener("change", function () {
      if (r.value === "approved") {
        prefilled.forEach(function (b) { b.checked = false; });
      } else {
        prefilled.forEach(function (b) { syncReason(b.value); });
      }
    });
  });

  // ---------------------------------------------------------------- document viewer: zoom and turn
  $$("[data-viewer]").forEach(function (v) {
    var wrap = $(".imgwrap", v), svg = $("svg.scan", v), g = svg && $("g", svg);
    var zoom = 0;
    $$("[data-zoom]", v).forEach(function (b) {
      b.addEventListener("click", function () {
        var d = parseInt(b.dataset.zoom, 10);
        zoom = d === 0 ? 0 : Math.max(0, Math.min(3, zoom + d));
        wrap.className = "imgwrap zoom-" + zoom;
      });
    });
    $$("[data-rotate]", v).forEach(function (b) {
      b.addEventListener("click", function () {
        if (!svg || !g) return;
        // the page keeps its original pixels; only the view turns (boxes turn with it)
        var w = +svg.dataset.w, h = +svg.dataset.h;
        var r = (((+svg.dataset.rotation - parseInt(b.dataset.rotate, 10)) % 360) + 360) % 360;
        var t = { 0: "", 90: "translate(0 " + w + ") rotate(-90)", 180: "translate(" + w + " " + h + ") rotate(180)",
                  270: "translate(" + h + " 0) rotate(90)" }[r];
        var W = r % 180 ? h : w, H = r % 180 ? w : h;
        svg.dataset.rotation = r;
        svg.setAttribute("viewBox", "0 0 " + W + " " + H);
        g.setAttribute("transform", t);
      });
    });
  });

  // ---------------------------------------------------------------- keys
  function decided() { return $('input[name="decision"]:checked'); }
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === "Escape") {
      toggleHelp(false);
      if (typing(e)) {
        e.target.blur();
        // leave the text box for the decision: Enter then submits, A/R/X choose
        if (decisionForm && decisionForm.contains(e.target) && decided()) $("#submit-decision").focus();
      }
      return;
    }
    if (typing(e)) return;
    if (e.key === "?") { toggleHelp(); e.preventDefault(); return; }
    var k = e.key.toLowerCase();
    if (rows.length) {
      if (k === "j") selectRow(row + 1);
      else if (k === "k") selectRow(row - 1);
      else if (k === "o" || (k === "enter" && e.target === document.body)) location.href = rows[row].dataset.href;
      else return;
      e.preventDefault();
      return;
    }
    if (!decisionForm) return;
    var handled = true;
    if (k === "j") step(1);
    else if (k === "k") step(-1);
    else if (k === "f") mark("false_positive");
    else if (k === "c") mark("confirmed");
    else if (k === "a") choose("approved");
    else if (k === "r") choose("returned");
    else if (k === "x") choose("rejected");
    else if (k === "m") $('textarea[name="comment"]').focus();
    else if (k === "enter" && !/^(BUTTON|A|INPUT|SUMMARY)$/.test(e.target.tagName)) {
      // Enter anywhere outside a control submits a chosen decision (the browser's own Enter
      // on the focused submit button does the rest)
      if (decided()) decisionForm.requestSubmit($("#submit-decision"));
      else { var first = $('input[name="decision"]'); if (first) first.focus(); }
    }
    else if (k === "n") { var s = $("[data-skip]"); if (s) location.href = s.href; }
    else if (k === "q") { var b = $(".subhead .back"); if (b) location.href = b.href; }
    else handled = false;
    if (handled) e.preventDefault();
  });
})();
