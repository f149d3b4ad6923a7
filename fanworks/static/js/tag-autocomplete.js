// Suggests existing tags for comma-separated tag fields. The form works without it; this only
// saves typing. Suggestions come from /autocomplete/tags, canonical tags first. Character and
// relationship fields send the fandoms already entered (the #id_fandoms field), so the
// suggestions come from those fandoms.
(function () {
  "use strict";

  var SEPARATORS = /[,，、]/;
  var SCOPED_TYPES = { character: true, relationship: true };

  function lastTerm(value) {
    var parts = value.split(SEPARATORS);
    return parts[parts.length - 1].trim();
  }

  function replaceLastTerm(value, name) {
    var cut = Math.max(value.lastIndexOf(","), value.lastIndexOf("，"), value.lastIndexOf("、"));
    var head = cut >= 0 ? value.slice(0, cut + 1) + " " : "";
    return head + name + ", ";
  }

  // The fandom names typed so far, for fields whose suggestions are scoped to fandoms.
  function fandomNames(input) {
    if (!SCOPED_TYPES[input.dataset.autocomplete]) return [];
    var field = document.getElementById("id_fandoms");
    if (!field || field === input) return [];
    return field.value.split(SEPARATORS)
      .map(function (name) { return name.trim(); })
      .filter(function (name) { return name.length > 0; })
      .slice(0, 10);
  }

  function suggestionsUrl(input, term) {
    var url = "/autocomplete/tags?type=" + encodeURIComponent(input.dataset.autocomplete) +
      "&term=" + encodeURIComponent(term);
    fandomNames(input).forEach(function (name) { url += "&fandom=" + encodeURIComponent(name); });
    return url;
  }

  function attach(input, index) {
    var list = document.createElement("ul");
    list.className = "autocomplete-list";
    list.id = "autocomplete-" + index;
    list.setAttribute("role", "listbox");
    list.hidden = true;
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);
    input.parentNode.insertBefore(list, input.nextSibling);
    var active = -1;
    var timer = null;
    var lastRequested = "";

    function close() {
      list.hidden = true;
      list.innerHTML = "";
      active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }

    function choose(name) {
      input.value = replaceLastTerm(input.value, name);
      close();
      input.focus();
    }

    function highlight(next) {
      var items = list.querySelectorAll("li");
      if (!items.length) return;
      active = (next + items.length) % items.length;
      items.forEach(function (item, i) { item.setAttribute("aria-selected", i === active ? "true" : "false"); });
      input.setAttribute("aria-activedescendant", items[active].id);
    }

    function show(results) {
      list.innerHTML = "";
      results.forEach(function (result, i) {
        var item = document.createElement("li");
        item.id = list.id + "-" + i;
        item.setAttribute("role", "option");
        item.dataset.name = result.name;
        item.textContent = result.name;
        if (result.synonym) {
          // The text matched another spelling of this tag; say which.
          var via = document.createElement("small");
          via.textContent = " (" + result.synonym + ")";
          item.appendChild(via);
        }
        if (result.canonical) item.className = "canonical";
        item.addEventListener("mousedown", function (event) { event.preventDefault(); choose(result.name); });
        list.appendChild(item);
      });
      list.hidden = results.length === 0;
      input.setAttribute("aria-expanded", results.length ? "true" : "false");
      active = -1;
    }

    input.addEventListener("input", function () {
      var term = lastTerm(input.value);
      clearTimeout(timer);
      if (term.length < 1) { close(); return; }
      timer = setTimeout(function () {
        var url = suggestionsUrl(input, term);
        lastRequested = url;
        fetch(url, { headers: { "Accept": "application/json" } })
          .then(function (response) { return response.ok ? response.json() : { results: [] }; })
          .then(function (data) { if (lastRequested === url) show(data.results || []); })
          .catch(close);
      }, 150);
    });

    input.addEventListener("keydown", function (event) {
      if (list.hidden) return;
      if (event.key === "ArrowDown") { event.preventDefault(); highlight(active + 1); }
      else if (event.key === "ArrowUp") { event.preventDefault(); highlight(active - 1); }
      else if (event.key === "Enter" && active >= 0) {
        event.preventDefault();
        choose(list.querySelectorAll("li")[active].dataset.name);
      } else if (event.key === "Escape") { close(); }
    });
    input.addEventListener("blur", function () { setTimeout(close, 100); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input[data-autocomplete]").forEach(attach);
  });
})();
