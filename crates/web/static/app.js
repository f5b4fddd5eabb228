// Starts Det Fælles Designsystem's components (menu, accordions, ...).
// A file rather than an inline script, so a strict Content-Security-Policy
// (script-src 'self') can be used.
DKFDS.init();
