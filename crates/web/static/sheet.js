// The print button of the paper sheet (a file, not inline script, for CSP).
document.getElementById("print-button").addEventListener("click", function () { window.print(); });
