// The registration form, keyboard first. The page works without this
// script (plain radio buttons and a submit button); the script adds:
// - keys: I/U direction, 1-9 the n-th choice of the current step, J/N form,
//   type-to-search for tasks (arrows + Enter), Enter saves, Esc starts over;
//   a hotline unit's caller municipality by its first letters, then Enter;
//   ? opens the help with the method's definitions (outside text fields);
// - focus that moves on to the next step by itself;
// - only the channels of the chosen direction, the form step only where a
//   form can come along, a task's extra questions only for that task;
// - the timer: milliseconds from the first choice to "save";
// - a save with a required step missing is held back with an error summary
//   and the missing steps marked (DKFDS's form-error), as the server does;
// - a registration made while the network is down is kept in the browser
//   (IndexedDB) and sent when the connection is back (offline.js below).
// On the help page, Esc goes back to the registration form.
(function () {
  "use strict";
  // The help page: Esc goes back to the form, to the page as it was left
  // when the help was opened from it.
  var helpPage = document.getElementById("registration-help");
  if (helpPage) {
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape" || event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
      event.preventDefault();
      var back = document.getElementById("help-back");
      var from = document.referrer ? new URL(document.referrer) : null;
      if (from && from.origin === location.origin && from.pathname === "/registrering" && history.length > 1) {
        history.back();
      } else {
        location.href = back.href;
      }
    });
    return;
  }
  var form = document.getElementById("registration-form");
  if (!form) return;

  var search = document.getElementById("task-search");
  var caller = document.getElementById("caller");
  var taskList = document.getElementById("task-list");
  var noTask = document.getElementById("task-none");
  var duration = document.getElementById("duration_ms");
  var saveButton = document.getElementById("save-button");
  var started = null;
  var highlighted = 0;

  function startTimer() {
    if (started === null) started = performance.now();
  }

  function shown(el) {
    for (var node = el; node && node !== form; node = node.parentElement) {
      if (node.hidden) return false;
    }
    return true;
  }

  function steps() {
    return Array.prototype.filter.call(form.querySelectorAll("fieldset.step"), shown);
  }

  function radios(step) {
    return Array.prototype.filter.call(step.querySelectorAll("input[type=radio]"), shown);
  }

  function checked(name) {
    return form.querySelector("input[name='" + name + "']:checked");
  }

  function answered(step) {
    if (step.dataset.step === "task") return !!checked("task");
    var select = step.querySelector("select");
    if (select) return !!select.value;
    var inputs = radios(step);
    if (inputs.length === 0) return true; // text and number answers are optional
    return inputs.some(function (r) { return r.checked; });
  }

  function applyDirection() {
    var direction = checked("direction");
    form.querySelectorAll("[data-step=channel] .form-group-radio").forEach(function (group) {
      group.hidden = !!direction && group.dataset.direction !== direction.value;
      if (group.hidden) {
        var input = group.querySelector("input");
        if (input.checked) input.checked = false;
      }
    });
  }

  function applyChannel() {
    var channel = checked("channel");
    var formStep = document.getElementById("form-step");
    var applies = !!channel && channel.dataset.form === "true";
    formStep.hidden = !applies;
    if (!applies) formStep.querySelectorAll("input").forEach(function (i) { i.checked = false; });
  }

  function applyTask() {
    var task = checked("task");
    form.querySelectorAll("fieldset.step[data-task]").forEach(function (step) {
      if (!step.dataset.task) return;
      step.hidden = !task || step.dataset.task !== task.value;
    });
  }

  function applyAll() {
    applyDirection();
    applyChannel();
    applyTask();
  }

  function visibleTasks() {
    return Array.prototype.filter.call(taskList.querySelectorAll(".form-group-radio"), function (g) {
      return !g.hidden;
    });
  }

  function filterTasks() {
    var words = search.value.toLowerCase().trim().split(/\s+/).filter(Boolean);
    taskList.querySelectorAll(".form-group-radio").forEach(function (group) {
      var text = group.dataset.search;
      group.hidden = !words.every(function (w) { return text.indexOf(w) !== -1; });
    });
    highlighted = 0;
    markHighlight();
    noTask.hidden = visibleTasks().length > 0;
  }

  function markHighlight() {
    var tasks = visibleTasks();
    taskList.querySelectorAll(".is-highlighted").forEach(function (g) { g.classList.remove("is-highlighted"); });
    if (search.value.trim() && tasks[highlighted]) {
      tasks[highlighted].classList.add("is-highlighted");
      tasks[highlighted].scrollIntoView({ block: "nearest" });
    }
  }

  function focusStep(step) {
    if (!step) {
      saveButton.focus();
      return;
    }
    if (step.dataset.step === "task" && !checked("task")) {
      search.focus();
      return;
    }
    var inputs = radios(step);
    var target = inputs.filter(function (r) { return r.checked; })[0] || inputs[0] ||
      step.querySelector("select, input:not([type=hidden])");
    if (target) target.focus();
  }

  function firstOpenStep(after) {
    var all = steps();
    var start = after ? all.indexOf(after) + 1 : 0;
    for (var i = start; i < all.length; i++) {
      if (!answered(all[i])) return all[i];
    }
    for (var j = 0; j < start; j++) {
      if (!answered(all[j])) return all[j];
    }
    return null;
  }

  // The step after a choice: the first open one, but after the direction
  // always the channel (a remembered channel is confirmed or changed by
  // its digit, which must not land in the task search).
  function nextStep(step) {
    if (step && step.dataset.step === "direction") {
      var channel = form.querySelector("fieldset.step[data-step=channel]");
      if (channel && shown(channel)) return channel;
    }
    return firstOpenStep(step);
  }

  function pick(input) {
    startTimer();
    input.checked = true;
    applyAll();
    var step = input.closest("fieldset.step");
    clearAnswered();
    focusStep(nextStep(step));
  }

  function pickTask(group) {
    if (!group) return;
    search.value = "";
    filterTasks();
    pick(group.querySelector("input"));
  }

  form.addEventListener("change", function (event) {
    startTimer();
    applyAll();
    var input = event.target;
    // A mouse or touch choice moves on too; keyboard arrows inside a group do not.
    if (input.type === "radio" && !input.dataset.arrowed) {
      var step = input.closest("fieldset.step");
      if (step) focusStep(nextStep(step));
    }
    delete input.dataset.arrowed;
    clearAnswered();
  });

  search.addEventListener("input", function () {
    startTimer();
    filterTasks();
  });

  search.addEventListener("keydown", function (event) {
    var tasks = visibleTasks();
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      var step = event.key === "ArrowDown" ? 1 : -1;
      highlighted = Math.max(0, Math.min(tasks.length - 1, highlighted + step));
      if (!search.value.trim()) {
        // Without a search, the arrows walk the list itself.
        if (tasks[highlighted]) tasks[highlighted].querySelector("input").focus();
        return;
      }
      markHighlight();
    } else if (event.key === "Enter") {
      event.preventDefault();
      if (search.value.trim()) {
        pickTask(tasks[highlighted]);
      } else if (checked("task")) {
        focusStep(firstOpenStep(search.closest("fieldset.step")));
      } else {
        save();
      }
    } else if (event.key === "Escape") {
      search.value = "";
      filterTasks();
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
    var target = event.target;
    if (target === search) return;
    // A select (the hotline caller's municipality) takes letters itself.
    var typing = target.tagName === "TEXTAREA" || target.tagName === "SELECT" ||
      (target.tagName === "INPUT" && ["text", "number", "time", "password", "email"].indexOf(target.type) !== -1);
    if (typing) return;
    var key = event.key;
    // "?" (Shift and the key that gives it) opens the help, from anywhere
    // on the page but a text field (the task search above types it).
    if (key === "?") {
      var help = document.getElementById("help-link");
      if (help) {
        event.preventDefault();
        location.href = help.href;
      }
      return;
    }
    if (!form.contains(target) && target !== document.body) return;
    var step = target.closest ? target.closest("fieldset.step") : null;
    if (!step) step = firstOpenStep(null);

    if (key === "ArrowDown" || key === "ArrowUp" || key === "ArrowLeft" || key === "ArrowRight") {
      if (target.type === "radio") target.dataset.arrowed = "1";
      return;
    }
    var inTaskStep = target.closest && target.closest("fieldset.step[data-step=task]");
    if (inTaskStep && key.length === 1 && /[^\s0-9]/.test(key)) {
      // Letters typed in the task list go to the search box.
      search.focus();
      return;
    }
    var lower = key.toLowerCase();
    if (lower === "i" || lower === "u") {
      var direction = form.querySelector("input[name=direction][data-key='" + key.toUpperCase() + "']");
      if (direction) {
        event.preventDefault();
        pick(direction);
      }
      return;
    }
    if ((lower === "j" || lower === "n") && shown(document.getElementById("form-step"))) {
      event.preventDefault();
      pick(document.getElementById(lower === "j" ? "form-JA" : "form-NEJ"));
      return;
    }
    if (key.length === 1 && /[^\s0-9]/.test(key) && target.closest && target.closest("fieldset.step") &&
        !checked("task")) {
      // Any other letter on a step, while the task is still open, starts
      // the task search (as in the task list itself).
      search.focus();
      return;
    }
    if (/^[1-9]$/.test(key) && step) {
      if (step.dataset.step === "task") {
        var group = visibleTasks()[Number(key) - 1];
        if (group) {
          event.preventDefault();
          pickTask(group);
        }
        return;
      }
      var choice = radios(step)[Number(key) - 1];
      if (choice) {
        event.preventDefault();
        pick(choice);
      }
      return;
    }
    if (key === "Enter" && target.tagName !== "BUTTON" && target.tagName !== "A" && target.tagName !== "SUMMARY") {
      event.preventDefault();
      // Optional questions are offered on the way but never hold a save up.
      save();
      return;
    }
    if (key === "Escape") {
      event.preventDefault();
      form.querySelectorAll("input[type=radio]").forEach(function (r) {
        if (r.name !== "direction" && r.name !== "channel") r.checked = false;
      });
      if (caller) caller.value = "";
      search.value = "";
      filterTasks();
      applyAll();
      started = null;
      focusStep(firstOpenStep(null));
      return;
    }
  });

  // The hotline caller's municipality: letters pick it (the browser's own
  // type-ahead), Enter moves on, Escape starts over.
  if (caller) {
    caller.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();
        startTimer();
        if (caller.value) focusStep(firstOpenStep(caller.closest("fieldset.step")));
      } else if (event.key === "Escape") {
        caller.value = "";
      }
    });
    caller.addEventListener("change", function () {
      startTimer();
      clearAnswered();
    });
  }

  // --- Missing steps: the error summary and the marks (DKFDS) ---------------

  var column = document.getElementById("registration-column");

  // Enter: save, or say what is missing and go to the first of it.
  function save() {
    var missing = missingSteps();
    if (missing.length) {
      showErrors(missing);
      focusStep(missing[0]);
    } else {
      form.requestSubmit(saveButton);
    }
  }

  function missingSteps() {
    // Optional questions are offered on the way but never hold a save up.
    return steps().filter(function (st) { return st.dataset.required && !answered(st); });
  }

  function anchorOf(step) {
    if (!step.id) step.id = "step-" + step.dataset.step;
    return step.id;
  }

  function errorId(step) {
    return "error-" + step.dataset.step;
  }

  function describedBy(el, id, on) {
    var ids = (el.getAttribute("aria-describedby") || "").split(/\s+/).filter(function (x) { return x && x !== id; });
    if (on) ids.push(id);
    if (ids.length) el.setAttribute("aria-describedby", ids.join(" "));
    else el.removeAttribute("aria-describedby");
  }

  function controls(step) {
    return step.dataset.step === "task" ? [search] : Array.prototype.slice.call(step.querySelectorAll("input[type=radio], select"));
  }

  function markStep(step, message) {
    var id = errorId(step);
    var span = document.getElementById(id);
    if (!span) {
      span = document.createElement("span");
      span.className = "form-error-message";
      span.id = id;
      step.querySelector("legend").insertAdjacentElement("afterend", span);
    }
    span.textContent = "";
    var prefix = document.createElement("span");
    prefix.className = "sr-only";
    prefix.textContent = column.dataset.errorPrefix;
    span.appendChild(prefix);
    span.appendChild(document.createTextNode(" " + message));
    step.classList.add("form-error");
    describedBy(step, id, true);
    controls(step).forEach(function (el) {
      el.setAttribute("aria-invalid", "true");
      if (el === search) describedBy(el, id, true);
    });
  }

  function unmarkStep(step) {
    var id = errorId(step);
    var span = document.getElementById(id);
    if (span) span.remove();
    step.classList.remove("form-error");
    describedBy(step, id, false);
    controls(step).forEach(function (el) {
      el.removeAttribute("aria-invalid");
      if (el === search) describedBy(el, id, false);
    });
  }

  function summary() {
    return document.getElementById("form-errors");
  }

  function showErrors(missing) {
    var confirmation = document.getElementById("confirmation");
    if (confirmation) confirmation.hidden = true;
    var offlineConfirmation = document.getElementById("offline-confirmation");
    if (offlineConfirmation) offlineConfirmation.hidden = true;
    var old = summary();
    var box = document.createElement("div");
    box.className = "alert alert-error";
    box.id = "form-errors";
    box.setAttribute("role", "alert");
    var body = document.createElement("div");
    body.className = "alert-body";
    var heading = document.createElement("p");
    heading.className = "alert-heading";
    heading.textContent = column.dataset.notSaved;
    var list = document.createElement("ul");
    list.className = "alert-text nobullet-list";
    missing.forEach(function (step) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.className = "function-link";
      link.href = "#" + anchorOf(step);
      link.textContent = step.dataset.missing;
      item.appendChild(link);
      list.appendChild(item);
    });
    body.appendChild(heading);
    body.appendChild(list);
    box.appendChild(body);
    if (old) old.replaceWith(box);
    else column.closest(".row").insertAdjacentElement("beforebegin", box);
    form.querySelectorAll("fieldset.step.form-error").forEach(function (step) {
      if (missing.indexOf(step) === -1) unmarkStep(step);
    });
    missing.forEach(function (step) { markStep(step, step.dataset.missing); });
  }

  // A step answered loses its mark and its line in the summary; the
  // summary goes when nothing is left in it.
  function clearAnswered() {
    form.querySelectorAll("fieldset.step.form-error").forEach(function (step) {
      if (!answered(step) && shown(step)) return;
      unmarkStep(step);
      var box = summary();
      if (!box) return;
      box.querySelectorAll("a[href='#" + step.id + "']").forEach(function (a) { a.closest("li").remove(); });
      if (!box.querySelector("li")) box.remove();
    });
  }

  // The summary's links take the focus to their step.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("#form-errors a[href^='#']");
    if (!link) return;
    var el = document.getElementById(link.getAttribute("href").slice(1));
    var step = el && el.closest("fieldset.step");
    if (!step) return;
    event.preventDefault();
    step.scrollIntoView({ block: "center" });
    focusStep(step);
  });

  form.addEventListener("submit", function (event) {
    var missing = missingSteps();
    if (missing.length) {
      event.preventDefault();
      showErrors(missing);
      focusStep(missing[0]);
      return;
    }
    duration.value = started === null ? "" : String(Math.round(performance.now() - started));
    if (offline && offline.intercept(event)) return;
    // A second click while saving would be the same registration anyway
    // (the idempotency key), but do not invite it.
    setTimeout(function () { saveButton.disabled = true; }, 0);
  });

  // --- Offline: keep registrations in the browser, send them later ---------

  var offline = form.getAttribute("action") === "/registrering" && window.indexedDB && window.fetch ?
    offlineQueue() : null;

  function offlineQueue() {
    var DB_NAME = "komhen-registrering";
    var STORE = "venter";
    // How often waiting registrations are tried again while the page is open.
    var RETRY_MS = 20000;
    var status = document.getElementById("offline-status");
    var refusedBox = document.getElementById("offline-refused");
    var refusedList = document.getElementById("offline-refused-list");
    var sending = false;

    function open() {
      return new Promise(function (resolve, reject) {
        var request = indexedDB.open(DB_NAME, 1);
        request.onupgradeneeded = function () {
          request.result.createObjectStore(STORE, { keyPath: "key" });
        };
        request.onsuccess = function () { resolve(request.result); };
        request.onerror = function () { reject(request.error); };
      });
    }

    function withStore(mode, work) {
      return open().then(function (db) {
        return new Promise(function (resolve, reject) {
          var tx = db.transaction(STORE, mode);
          var result = work(tx.objectStore(STORE));
          tx.oncomplete = function () { db.close(); resolve(result && "result" in result ? result.result : undefined); };
          tx.onerror = function () { db.close(); reject(tx.error); };
          tx.onabort = function () { db.close(); reject(tx.error); };
        });
      });
    }

    function all() {
      return withStore("readonly", function (store) { return store.getAll(); });
    }

    function put(record) {
      return withStore("readwrite", function (store) { store.put(record); });
    }

    function remove(key) {
      return withStore("readwrite", function (store) { store.delete(key); });
    }

    // The unit's own registrations only: a browser shared by two units
    // keeps each unit's queue apart (the server would refuse the other's).
    function unitOf() {
      return form.dataset.unit || "";
    }

    function show(records, loginNeeded) {
      var waiting = records.filter(function (r) { return !r.refused; });
      var refused = records.filter(function (r) { return r.refused; });
      if (loginNeeded && waiting.length) status.textContent = status.dataset.login;
      else if (waiting.length === 1) status.textContent = status.dataset.one;
      else if (waiting.length > 1) status.textContent = status.dataset.many.replace("{n}", String(waiting.length));
      else status.textContent = "";
      status.dataset.waiting = String(waiting.length);
      refusedList.textContent = "";
      refused.forEach(function (r) {
        var item = document.createElement("li");
        item.className = "offline-refused-item";
        item.appendChild(document.createTextNode(r.summary + ": " + r.message + " "));
        var discard = document.createElement("button");
        discard.type = "button";
        discard.className = "button button-secondary button-small ml-3";
        discard.textContent = refusedBox.dataset.discard;
        discard.addEventListener("click", function () {
          remove(r.key).then(refresh);
        });
        item.appendChild(discard);
        refusedList.appendChild(item);
      });
      refusedBox.hidden = refused.length === 0;
    }

    function refresh(loginNeeded) {
      return all().then(function (records) {
        show(records, loginNeeded === true);
        return records;
      });
    }

    function randomKey() {
      var bytes = new Uint8Array(16);
      crypto.getRandomValues(bytes);
      return Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
    }

    // What the clerk sees of a kept registration: channel · task · type.
    function describe() {
      return ["channel", "task", "inquiry_type"].map(function (name) {
        var input = checked(name);
        var label = input && form.querySelector("label[for='" + input.id + "']");
        if (!label) return "";
        var copy = label.cloneNode(true);
        copy.querySelectorAll("kbd").forEach(function (k) { k.remove(); });
        return copy.textContent.replace(/\s+/g, " ").trim();
      }).filter(Boolean).join(" · ");
    }

    // The form as it is, ready for the next inquiry: direction and channel
    // kept, everything else cleared, a fresh idempotency key.
    function resetForm() {
      form.querySelectorAll("input[type=radio]").forEach(function (r) {
        if (r.name !== "direction" && r.name !== "channel") r.checked = false;
      });
      form.querySelectorAll("input[type=text], input[type=number], input[type=time]").forEach(function (i) { i.value = ""; });
      if (caller) caller.value = "";
      var late = form.querySelector("details.late-entry");
      if (late) late.open = false;
      form.elements.idempotency_key.value = randomKey();
      duration.value = "";
      search.value = "";
      filterTasks();
      applyAll();
      started = null;
    }

    // Keeps one registration in the browser. The page is ready for the
    // next one at once (a clerk types on), the record is written after.
    function keep(body) {
      var params = new URLSearchParams(body);
      var madeAt = new Date().toISOString();
      params.set("made_at", madeAt);
      var record = {
        key: params.get("idempotency_key"),
        unit: unitOf(),
        body: params.toString(),
        summary: describe(),
        made_at: madeAt,
      };
      var confirmation = document.getElementById("confirmation");
      if (confirmation) confirmation.hidden = true;
      var box = summary();
      if (box) box.remove();
      document.getElementById("offline-confirmation-text").textContent = record.summary;
      document.getElementById("offline-confirmation").hidden = false;
      resetForm();
      saveButton.disabled = false;
      search.focus();
      put(record).then(refresh).catch(function () {
        // No IndexedDB (e.g. a private window that refuses it): say so,
        // and what was not kept.
        document.getElementById("offline-confirmation").hidden = true;
        refusedList.textContent = "";
        var item = document.createElement("li");
        item.textContent = refusedBox.dataset.unsupported + " (" + record.summary + ")";
        refusedList.appendChild(item);
        refusedBox.hidden = false;
      });
    }

    // The server's answer to a sent registration: stored (a redirect to
    // the page with its confirmation), refused (a page with the errors),
    // or neither (logged out, a server error): kept for the next round.
    function outcome(response) {
      var url = new URL(response.url, location.href);
      if (response.redirected && url.pathname === "/registrering" && url.searchParams.has("gemt")) {
        return Promise.resolve({ stored: true });
      }
      if (response.status === 422) {
        return response.text().then(function (html) {
          var page = new DOMParser().parseFromString(html, "text/html");
          var items = page.querySelectorAll("#form-errors li");
          var message = Array.prototype.map.call(items, function (li) { return li.textContent.trim(); }).join(" ");
          return { refused: message || String(response.status) };
        });
      }
      if (response.status === 403 || url.pathname === "/log-ind") return Promise.resolve({ login: true });
      // Any other refusal is shown too; a server error (5xx) is tried again.
      if (response.status >= 400 && response.status < 500) {
        return Promise.resolve({ refused: response.status + " " + response.statusText });
      }
      return Promise.resolve({});
    }

    function sendAll() {
      if (sending) return Promise.resolve();
      sending = true;
      var loginNeeded = false;
      return all().then(function (records) {
        var mine = records.filter(function (r) { return !r.refused && r.unit === unitOf(); });
        return mine.reduce(function (chain, record) {
          return chain.then(function (go) {
            if (!go) return false;
            var params = new URLSearchParams(record.body);
            // The session's token now (a new login has a new one).
            params.set("csrf", form.elements.csrf.value);
            return fetch("/registrering", {
              method: "POST",
              body: params,
              credentials: "same-origin",
              headers: { "Content-Type": "application/x-www-form-urlencoded" },
            }).then(outcome).then(function (answer) {
              if (answer.stored) return remove(record.key).then(function () { return true; });
              if (answer.refused) {
                record.refused = true;
                record.message = answer.refused;
                return put(record).then(function () { return true; });
              }
              if (answer.login) loginNeeded = true;
              return false;
            }, function () { return false; });
          });
        }, Promise.resolve(true));
      }).then(function () {
        sending = false;
        return refresh(loginNeeded);
      }, function () {
        sending = false;
      });
    }

    // One tab sends at a time where the browser can say so (the server
    // stores a key once anyway).
    function flush() {
      if (navigator.locks) return navigator.locks.request(DB_NAME, sendAll);
      return sendAll();
    }

    window.addEventListener("online", flush);
    setInterval(function () {
      if (navigator.onLine && status.dataset.waiting && status.dataset.waiting !== "0") flush();
    }, RETRY_MS);
    refresh().then(function (records) {
      if (records.length && navigator.onLine) flush();
    }, function () {});

    return {
      // A normal save goes to the server as the browser sends it; only
      // when the network fails is the registration kept for later.
      intercept: function (event) {
        event.preventDefault();
        var body = new URLSearchParams(new FormData(form)).toString();
        saveButton.disabled = true;
        if (!navigator.onLine) {
          keep(body);
          return true;
        }
        fetch(form.action, {
          method: "POST",
          body: new URLSearchParams(body),
          credentials: "same-origin",
          headers: { "Content-Type": "application/x-www-form-urlencoded" },
        }).then(function (response) {
          var url = new URL(response.url, location.href);
          if (response.redirected && url.pathname === "/registrering") {
            location.assign(response.url);
          } else {
            // The server's page (its errors) as without the script: the
            // same form again, stored once by its key.
            form.submit();
          }
        }, function () {
          keep(body);
        });
        return true;
      },
    };
  }

  applyAll();
  filterTasks();
  if (caller && !caller.value && !summary()) {
    caller.focus();
  } else if (summary() || form.getAttribute("action") !== "/registrering") {
    // The server's errors, or a correction: the first step to look at.
    focusStep(firstOpenStep(null));
  } else if (document.getElementById("confirmation") && checked("direction") && checked("channel")) {
    // Right after a save: the next inquiry starts at its task.
    search.focus();
  } else {
    focusStep(steps()[0]);
  }
})();
