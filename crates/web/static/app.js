// Starts Det Fælles Designsystem's components (menu, accordions, ...).
// A file rather than an inline script, so a strict Content-Security-Policy
// (script-src 'self') can be used.
DKFDS.init();

// Print buttons (login cards, period reports).
document.querySelectorAll('.js-print').forEach((button) => {
  button.addEventListener('click', () => window.print());
});

// A form that asks before it does something that cannot be undone
// (data-confirm="..."): without JavaScript it simply submits.
document.querySelectorAll('form[data-confirm]').forEach((form) => {
  form.addEventListener('submit', (event) => {
    if (!window.confirm(form.dataset.confirm)) event.preventDefault();
  });
});
