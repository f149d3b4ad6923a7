// Suggests existing tags for comma-separated tag fields. The form works without it; this only
// saves typing. Suggestions come from /autocomplete/tags, canonical tags first.
(function () {
  "use strict";

  function lastTerm(value) {
    var parts = value.split(/[,，、]/);
    return parts[parts.length - 1].trim();
  }

  function replaceLastTerm(value, name) {
    var cut = Math.max(value.lastIndexOf(","), value.lastIndexOf("，"), value.lastIndexOf("、"));
    var head = cut >= 0 ? value.slice(0, cut + 1) + " " : "";
    return head + name + ", ";
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
        item.textContent = result.name;
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
        lastRequested = term;
        var url = "/autocomplete/tags?type=" + encodeURIComponent(input.dataset.autocomplete) +
          "&term=" + encodeURIComponent(term);
        fetch(url, { headers: { "Accept": "application/json" } })
          .then(function (response) { return response.ok ? response.json() : { results: [] }; })
          .then(function (data) { if (lastRequested === term) show(data.results || []); })
          .catch(close);
      }, 150);
    });

    input.addEventListener("keydown", function (event) {
      if (list.hidden) return;
      if (event.key === "ArrowDown") { event.preventDefault(); highlight(active + 1); }
      else if (event.key === "ArrowUp") { event.preventDefault(); highlight(active - 1); }
      else if (event.key === "Enter" && active >= 0) {
        event.preventDefault();
        choose(list.querySelectorAll("li")[active].textContent);
      } else if (event.key === "Escape") { close(); }
    });
    input.addEventListener("blur", function () { setTimeout(close, 100); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input[data-autocomplete]").forEach(attach);
  });
})();
