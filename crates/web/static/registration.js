// The registration form, keyboard first. The page works without this
// script (plain radio buttons and a submit button); the script adds:
// - keys: I/U direction, 1-9 the n-th choice of the current step, J/N form,
//   type-to-search for tasks (arrows + Enter), Enter saves, Esc starts over;
//   a hotline unit's caller municipality by its first letters, then Enter;
//   ? opens the help with the method's definitions (outside text fields);
// - focus that moves on to the next step by itself;
// - only the channels of the chosen direction, the form step only where a
//   form can come along, a task's extra questions only for that task;
// - the timer: milliseconds from the first choice to "save".
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

  function pick(input) {
    startTimer();
    input.checked = true;
    applyAll();
    var step = input.closest("fieldset.step");
    focusStep(firstOpenStep(step));
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
      if (step) focusStep(firstOpenStep(step));
    }
    delete input.dataset.arrowed;
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
      var open = steps().filter(function (st) { return st.dataset.required && !answered(st); })[0];
      if (open) focusStep(open);
      else form.requestSubmit(saveButton);
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
    caller.addEventListener("change", startTimer);
  }

  form.addEventListener("submit", function () {
    duration.value = started === null ? "" : String(Math.round(performance.now() - started));
    // A second click while saving would be the same registration anyway
    // (the idempotency key), but do not invite it.
    setTimeout(function () { saveButton.disabled = true; }, 0);
  });

  applyAll();
  filterTasks();
  if (caller && !caller.value && !document.getElementById("form-errors")) {
    caller.focus();
  } else if (!document.getElementById("form-errors") && location.pathname === "/registrering" && checked("direction") && checked("channel")) {
    search.focus();
  } else {
    focusStep(firstOpenStep(null));
  }
})();
